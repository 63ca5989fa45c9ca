/**
 * Maintenance → Diagnostics (issue 15 item 4): the process (memory, each
 * thread's heap and event-loop delay: GET /api/v1/diagnostics/process), the
 * Modbus TCP server, each serial line and downstream TCP endpoint (GET
 * /api/v1/diagnostics/modbus), and one row per wired device: its polls
 * (GET /api/v1/devices) beside the Modbus counters of its unit on its line
 * or endpoint (`devices` of the diagnostics), whoever asked — the poller or
 * upstream clients. Refreshed every 2 s (the process every 5 s).
 */
import { html } from '../html.js';
import { link } from '../shell.js';
import { useJson } from '../use-json.js';

interface DeviceLink {
  deviceId: number;
  kind: 'serial' | 'tcp';
  via: string;
  unit: number;
  connected: boolean;
  counters: Record<string, number> | null;
}

interface Diag {
  server: {
    counters: Record<string, number>;
    connections: { current: number; listening: number; accepted: number };
  };
  serialLines: {
    name: string;
    enabled: boolean;
    open: boolean;
    queueDepth: number;
    counters: Record<string, number>;
    backedOffSlaves: number[];
  }[];
  tcpEndpoints: {
    endpoint: string;
    connected: boolean;
    queueDepth: number;
    counters: Record<string, number>;
  }[];
  devices: DeviceLink[];
}

interface DeviceEntry {
  device: { id: number; name: string; location: { kind: string } };
  status: {
    state: string;
    polls: number;
    failures: number;
    skipped: number;
    lastDurationMs: number | null;
  };
}

/** pendingCapRejected → "pending cap rejected" */
const words = (key: string) => key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

function Counters({ c }: { c: Record<string, number> }) {
  return html`<dl class="counters">
    ${Object.entries(c).map(([k, v]) => html`<div key=${k} data-counter=${k}><dt>${words(k)}</dt><dd>${v}</dd></div>`)}
  </dl>`;
}

interface Thread {
  heapUsedBytes: number;
  heapTotalBytes: number;
  loop: { windowMs: number; p50Ms: number; p99Ms: number; maxMs: number; maxSinceStartMs: number };
}
interface ProcessDiag {
  rssBytes: number;
  uptimeS: number;
  threads: { main: Thread; web: Thread };
}

const mib = (b: number) => `${(b / 1048576).toFixed(1)} MiB`;

function ProcessCard() {
  const p = useJson<ProcessDiag>('/api/v1/diagnostics/process', 5000);
  if (!p.data) return null;
  const { rssBytes, uptimeS, threads } = p.data;
  const row = (name: string, t: Thread) => html`<tr key=${name}>
    <th scope="row">${name}</th><td class="num">${mib(t.heapUsedBytes)}</td>
    <td class="num">${t.loop.p99Ms} ms</td><td class="num">${t.loop.maxMs} ms</td><td class="num">${t.loop.maxSinceStartMs} ms</td>
  </tr>`;
  return html`<section class="card" id="process"><h2>Process</h2>
    <p>Resident memory ${mib(rssBytes)} · running for ${Math.floor(uptimeS / 3600)} h ${Math.floor((uptimeS % 3600) / 60)} min</p>
    <div class="scroll" tabindex="0" role="region" aria-label="Threads table"><table class="values">
      <thead><tr><th scope="col">Thread</th><th scope="col" class="num">Heap</th><th scope="col" class="num">Loop delay p99 (10 s)</th>
        <th scope="col" class="num">Max (10 s)</th><th scope="col" class="num">Max since start</th></tr></thead>
      <tbody>${row('Modbus (main)', threads.main)}${row('Web', threads.web)}</tbody>
    </table></div></section>`;
}

const STATE_TEXT: Record<string, string> = {
  ok: 'OK',
  error: 'Failing',
  'backed-off': 'Backed off',
  unknown: 'Not polled yet',
  disabled: 'Disabled',
  'not-polled': 'Not sampled',
};

/** The Modbus counters shown per device, in this order (crcErrors: serial lines only). */
const MODBUS_COLUMNS = [
  ['requests', 'Requests'],
  ['responses', 'Responses'],
  ['exceptions', 'Exceptions'],
  ['timeouts', 'Timeouts'],
  ['crcErrors', 'CRC errors'],
] as const;

function DeviceRow({ entry, link: l }: { entry: DeviceEntry; link: DeviceLink | undefined }) {
  const { device, status } = entry;
  const num = (k: string, v: number | undefined) =>
    html`<td class="num" data-k=${k} data-value=${v ?? ''}>${v ?? '—'}</td>`;
  const where = l ? `${l.via} · ${l.kind === 'serial' ? 'slave' : 'unit'} ${l.unit}` : '—';
  return html`<tr data-device=${device.id}>
    <th scope="row">${device.name}</th>
    <td>${where}${l && !l.connected ? html` <span class="error">(${l.kind === 'serial' ? 'line closed' : 'not connected'})</span>` : null}</td>
    <td><span class=${`state ${status.state}`} data-state=${status.state}>${STATE_TEXT[status.state] ?? status.state}</span></td>
    ${num('polls', status.polls)}${num('failures', status.failures)}${num('skipped', status.skipped)}
    <td class="num" data-k="lastDurationMs" data-value=${status.lastDurationMs ?? ''}>${
      status.lastDurationMs === null ? '—' : `${Math.round(status.lastDurationMs)} ms`
    }</td>
    ${MODBUS_COLUMNS.map(([k]) => num(k, l?.counters?.[k]))}
  </tr>`;
}

function DevicesCard({ links }: { links: readonly DeviceLink[] }) {
  const list = useJson<DeviceEntry[]>('/api/v1/devices', 2000);
  if (list.error)
    return html`<section class="card" id="devices"><h2>Devices</h2><p class="error">${list.error}</p></section>`;
  if (!list.data) return null;
  const wired = list.data.filter((d) => d.device.location.kind !== 'wireless');
  const wireless = list.data.length - wired.length;
  const byId = new Map(links.map((l) => [l.deviceId, l]));
  return html`<section class="card" id="devices"><h2>Devices</h2>
    <p>Polls by the datalogger; Modbus counters of the device's unit on its line or endpoint, whoever asked
      (the datalogger and clients through the gateway), since the line or connection was opened.
      ${wireless > 0 ? html` ${plural(wireless, 'wireless device', 'wireless devices')}: see <a href="/settings/wireless" onClick=${link}>Settings → Wireless devices</a>.` : null}</p>
    ${
      wired.length === 0
        ? html`<p class="empty">No wired device.</p>`
        : html`<div class="scroll" tabindex="0" role="region" aria-label="Devices table"><table class="values" id="device-counters">
      <thead><tr><th scope="col">Device</th><th scope="col">Link</th><th scope="col">State</th>
        <th scope="col" class="num">Polls</th><th scope="col" class="num">Failed</th><th scope="col" class="num">Skipped</th>
        <th scope="col" class="num">Last poll</th>
        ${MODBUS_COLUMNS.map(([k, label]) => html`<th scope="col" class="num" key=${k}>${label}</th>`)}</tr></thead>
      <tbody>${wired.map((e) => html`<${DeviceRow} key=${e.device.id} entry=${e} link=${byId.get(e.device.id)} />`)}</tbody>
    </table></div>`
    }</section>`;
}

export function Diagnostics() {
  const d = useJson<Diag>('/api/v1/diagnostics/modbus', 2000);
  if (d.error) return html`<h1>Diagnostics</h1><p class="error" role="alert">${d.error}</p>`;
  if (!d.data) return html`<h1>Diagnostics</h1><p>Loading…</p>`;
  const { server, serialLines, tcpEndpoints, devices } = d.data;
  return html`<h1>Diagnostics</h1>
    <${ProcessCard} />
    <section class="card"><h2>Modbus TCP server</h2>
      <p>${plural(server.connections.listening, 'listener', 'listeners')}, ${plural(server.connections.current, 'client', 'clients')} connected, ${server.connections.accepted} accepted since start.</p>
      <${Counters} c=${server.counters} /></section>
    ${serialLines.map(
      (l) => html`<section class="card" key=${l.name}><h2>Serial line ${l.name}</h2>
        <p>${l.enabled ? (l.open ? 'open' : 'not open') : 'switched off'} · queue ${l.queueDepth}
        ${l.backedOffSlaves.length ? ` · not answering: ${l.backedOffSlaves.join(', ')}` : ''}</p>
        <${Counters} c=${l.counters} /></section>`,
    )}
    ${tcpEndpoints.map(
      (e) => html`<section class="card" key=${e.endpoint}><h2>TCP endpoint ${e.endpoint}</h2>
        <p>${e.connected ? 'connected' : 'not connected'} · queue ${e.queueDepth}</p><${Counters} c=${e.counters} /></section>`,
    )}
    <${DevicesCard} links=${devices} />`;
}
