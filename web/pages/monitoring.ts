/**
 * Monitoring (PRODUCT E2): every device with its communication status, last
 * success and live values (unit from its model, quality), refreshed every
 * 2 s without reload while a watch lease keeps the devices polled fast.
 */
import { useEffect, useState } from 'preact/hooks';
import {
  type DeviceEntry,
  getJson,
  type ModelDoc,
  type Reading,
  sendJson,
  type WirelessDevice,
  type WirelessOverview,
} from '../api.js';
import { formatTime, formatValue } from '../format.js';
import { html } from '../html.js';

const REFRESH_MS = 2000;
const RENEW_MS = 10_000;

interface Unit {
  name: string;
  unit: string;
}
const unitsByModel = new Map<string, Map<string, Unit>>();
const asked = new Set<string>();

/** A model's names and units, once fetched (fetched in the background, once per page load). */
function unitsOf(modelId: string, fetched: () => void): Map<string, Unit> {
  const known = unitsByModel.get(modelId);
  if (known) return known;
  if (!asked.has(modelId)) {
    asked.add(modelId);
    getJson<ModelDoc>(`/api/v1/models/${encodeURIComponent(modelId)}`)
      .then((m) => {
        unitsByModel.set(
          modelId,
          new Map((m.measurements ?? []).map((x) => [x.key, { name: x.name ?? x.key, unit: x.unit ?? '' }])),
        );
        fetched();
      })
      .catch(() => asked.delete(modelId));
  }
  return new Map();
}

interface Row {
  entry: DeviceEntry;
  readings: Reading[];
  units: Map<string, Unit>;
  /** A wireless device's radio status (the wireless part reports it, not the poller). */
  wireless: WirelessDevice | undefined;
}

const STATE_TEXT: Record<string, string> = {
  ok: 'Connected',
  error: 'Not connected',
  'backed-off': 'Not connected (retrying later)',
  unknown: 'Waiting for the first reading',
  disabled: 'Disabled',
  'not-polled': 'Not sampled',
  connected: 'Connected',
  'not-connected': 'Not connected',
};

/** Three requests whatever the number of devices: the list, every device's values, the radio. */
async function load(fetchedUnits: () => void): Promise<Row[]> {
  const [devices, values, radio] = await Promise.all([
    getJson<DeviceEntry[]>('/api/v1/devices'),
    getJson<{ deviceId: number; readings: Reading[] }[]>('/api/v1/devices/values'),
    getJson<WirelessOverview>('/api/v1/wireless').catch(() => undefined),
  ]);
  const wireless = new Map((radio?.devices ?? []).map((w) => [w.deviceId, w]));
  const readings = new Map(values.map((v) => [v.deviceId, v.readings]));
  return devices.map((entry) => ({
    entry,
    readings: readings.get(entry.device.id) ?? [],
    units: entry.model ? unitsOf(entry.model.id, fetchedUnits) : new Map<string, Unit>(),
    wireless: wireless.get(entry.device.id),
  }));
}

function useLease(ids: readonly number[]): void {
  const key = ids.join(',');
  useEffect(() => {
    if (key === '') return;
    let lease: string | undefined;
    let stopped = false;
    const deviceIds = key.split(',').map(Number).slice(0, 256);
    sendJson<{ id: string }>('POST', '/api/v1/devices/watch', { deviceIds })
      .then((l) => {
        lease = l.id;
        if (stopped) void sendJson('DELETE', `/api/v1/devices/watch/${l.id}`).catch(() => {});
      })
      .catch(() => {});
    const t = setInterval(() => {
      if (lease) void sendJson('PUT', `/api/v1/devices/watch/${lease}`).catch(() => {});
    }, RENEW_MS);
    return () => {
      stopped = true;
      clearInterval(t);
      if (lease) void sendJson('DELETE', `/api/v1/devices/watch/${lease}`).catch(() => {});
    };
  }, [key]);
}

const WHERE: Record<string, string> = { tcp: 'Modbus TCP', serial: 'serial line', wireless: 'wireless' };

function meta(entry: DeviceEntry, w: WirelessDevice | undefined): string {
  const d = entry.device;
  return [
    entry.model?.name ?? 'no model',
    WHERE[d.location?.kind ?? ''] ?? d.location?.kind ?? '',
    d.virtualId ? `unit ${d.virtualId}` : '',
    w ? `last heard ${formatTime(w.lastSeen)}` : `last reading ${formatTime(entry.status.lastSuccessAt)}`,
    w?.rssi != null ? `RSSI ${w.rssi} dBm` : '',
    w?.lqi != null ? `LQI ${w.lqi}` : '',
  ]
    .filter((x) => x !== '')
    .join(' · ');
}

/** Measurements shown at once; the rest (wireless devices report dozens) behind "All N measurements". */
const FIRST = 6;

function Values({ readings, units }: { readings: Reading[]; units: Map<string, Unit> }) {
  return html`<table class="values">
    <thead><tr><th scope="col">Measurement</th><th scope="col" class="num">Value</th><th scope="col">Unit</th><th scope="col">Quality</th></tr></thead>
    <tbody>
      ${readings.map((r) => {
        const u = units.get(r.key);
        return html`<tr key=${r.key} data-key=${r.key} data-t=${r.t}>
          <th scope="row">${u?.name ?? r.key}</th>
          <td class="num" data-value=${r.value === null ? '' : String(r.value)}>${formatValue(r.value)}</td>
          <td class="unit">${r.unit ?? u?.unit ?? ''}</td>
          <td class=${`quality ${r.quality}`}>${r.quality}</td>
        </tr>`;
      })}
    </tbody>
  </table>`;
}

function Device({ row }: { row: Row }) {
  const { entry, readings, units, wireless } = row;
  const d = entry.device;
  const state = wireless?.status ?? entry.status.state;
  return html`<section class="device card" id=${`device-${d.id}`} aria-labelledby=${`device-${d.id}-name`}>
    <h2 id=${`device-${d.id}-name`}>${d.name}</h2>
    <p class="meta">
      <span class=${`state ${state}`} data-state=${state}>${STATE_TEXT[state] ?? state}</span>${` · ${meta(entry, wireless)}`}
    </p>
    ${entry.status.problem ? html`<p class="problem">${entry.status.problem}</p>` : null}
    ${
      readings.length === 0
        ? html`<p class="empty">No values yet.</p>`
        : html`<${Values} readings=${readings.slice(0, FIRST)} units=${units} />
          ${
            readings.length > FIRST
              ? html`<details class="more"><summary>All ${readings.length} measurements</summary>
                  <${Values} readings=${readings.slice(FIRST)} units=${units} /></details>`
              : null
          }`
    }
  </section>`;
}

export function Monitoring() {
  const [rows, setRows] = useState<Row[] | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  useEffect(() => {
    let live = true;
    // A model arriving re-renders with its names and units (no reload of the values).
    const fetched = () =>
      live &&
      setRows((r) =>
        r?.map((x) => ({ ...x, units: x.entry.model ? unitsOf(x.entry.model.id, fetched) : x.units })),
      );
    const tick = () =>
      load(fetched)
        .then((r) => {
          if (live) {
            setRows(r);
            setError(undefined);
          }
        })
        .catch((e: Error) => live && setError(e.message));
    void tick();
    const t = setInterval(tick, REFRESH_MS);
    return () => {
      live = false;
      clearInterval(t);
    };
  }, []);
  useLease((rows ?? []).filter((r) => r.entry.status.state !== 'disabled').map((r) => r.entry.device.id));
  return html`<h1>Monitoring</h1>
    ${error ? html`<p class="error" role="alert">Could not refresh: ${error}</p>` : null}
    ${
      rows === undefined
        ? html`<p>Loading…</p>`
        : rows.length === 0
          ? html`<p class="empty">No devices yet. Add them under Settings.</p>`
          : html`<div class="devices" data-live="ready">${rows.map((r) => html`<${Device} key=${r.entry.device.id} row=${r} />`)}</div>`
    }`;
}
