/**
 * The form that adds or edits one Modbus device (TCP or serial): name, where
 * it is, its model, sampling period, the measurements logged, its virtual
 * unit id. "Test connection" asks the device who it is first (a discovery of
 * that one address: FC 43/14 identity and the models that match). The API
 * validates the whole configuration; its `{ path, message }` problems (paths
 * relative to the device: `/location/host`) are shown beside the fields.
 */
import { useEffect, useState } from 'preact/hooks';
import { ApiError, getJson, sendJson } from '../api.js';
import { html } from '../html.js';
import { type DeviceRow, type Discovery, type ModelSummary, PERIODS, runDiscovery } from './device-types.js';

export interface Draft {
  name: string;
  kind: 'tcp' | 'serial';
  host: string;
  port: string;
  unit: string;
  line: string;
  slave: string;
  model: string;
  periodMinutes: number;
  virtualId: string;
  enabled: boolean;
  /** null: the model's default selection. */
  measurements: string[] | null;
}

export const emptyDraft = (line = ''): Draft => ({
  name: '',
  kind: 'tcp',
  host: '',
  port: '502',
  unit: '255',
  line,
  slave: '1',
  model: '',
  periodMinutes: 15,
  virtualId: '',
  enabled: true,
  measurements: null,
});

export function draftOf(d: DeviceRow): Draft {
  const loc = d.device.location;
  const str = (v: unknown, dflt: string) => (v === undefined || v === null ? dflt : String(v));
  return {
    name: d.device.name,
    kind: loc.kind === 'serial' ? 'serial' : 'tcp',
    host: str(loc.host, ''),
    port: str(loc.port, '502'),
    unit: str(loc.unit, '255'),
    line: str(loc.line, ''),
    slave: str(loc.slave, '1'),
    model: d.device.model ?? '',
    periodMinutes: d.device.periodMinutes ?? 15,
    virtualId: str(d.device.virtualId, ''),
    enabled: d.device.enabled !== false,
    measurements: d.device.measurements ?? null,
  };
}

const num = (s: string) => (s.trim() === '' || Number.isNaN(Number(s)) ? s : Number(s));

function locationOf(d: Draft) {
  return d.kind === 'tcp'
    ? { kind: 'tcp', host: d.host.trim(), port: num(d.port), unit: num(d.unit) }
    : { kind: 'serial', line: d.line, slave: num(d.slave) };
}

/** The body of POST /api/v1/devices (new) or PATCH /api/v1/devices/{id} (edit). */
export function bodyOf(d: Draft, editing: boolean): Record<string, unknown> {
  const body: Record<string, unknown> = {
    name: d.name.trim(),
    location: locationOf(d),
    periodMinutes: d.periodMinutes,
    enabled: d.enabled,
  };
  if (d.model !== '') body.model = d.model;
  else if (editing) body.model = null;
  if (d.kind === 'tcp' && d.virtualId.trim() !== '') body.virtualId = num(d.virtualId);
  else if (editing) body.virtualId = null;
  if (d.measurements !== null) body.measurements = d.measurements;
  else if (editing) body.measurements = null;
  return body;
}

type Problems = { path: string; message: string }[];

function Field(props: {
  id: string;
  label: string;
  path: string;
  problems: Problems;
  children: unknown;
  hint?: string;
}) {
  const mine = props.problems.filter((p) => p.path === props.path || p.path.startsWith(`${props.path}/`));
  return html`<div class="field">
    <label for=${props.id}>${props.label}</label>${props.children}
    ${props.hint ? html`<span class="hint">${props.hint}</span>` : null}
    ${mine.length > 0 ? html`<p class="field-error" id=${`${props.id}-err`}>${mine.map((p) => p.message).join('; ')}</p>` : null}
  </div>`;
}

function TestResult({ result }: { result: Discovery | string | undefined }) {
  if (result === undefined) return null;
  if (typeof result === 'string') return html`<p class="error" role="alert" id="test-result">${result}</p>`;
  const r = result.results[0];
  if (result.state === 'running') return html`<p role="status" id="test-result">Asking the device…</p>`;
  if (!r)
    return html`<p class="error" role="alert" id="test-result" data-present="false">No answer from this address.</p>`;
  const who = r.identity
    ? Object.values(r.identity).filter(Boolean).join(' · ')
    : 'no identity objects (FC 43/14)';
  return html`<p class="ok-note" role="status" id="test-result" data-present="true">
    The device answered: ${who}. ${r.models.length > 0 ? `Matching models: ${r.models.join(', ')}.` : 'No built-in model matches: choose one.'}</p>`;
}

export function DeviceForm(props: {
  initial: Draft;
  editing: DeviceRow | undefined;
  models: readonly ModelSummary[];
  lines: readonly string[];
  done: (text: string) => void;
  cancel: () => void;
}) {
  const [d, setD] = useState<Draft>(props.initial);
  const [problems, setProblems] = useState<Problems>([]);
  const [error, setError] = useState<string | undefined>(undefined);
  const [test, setTest] = useState<Discovery | string | undefined>(undefined);
  const [keys, setKeys] = useState<{ key: string; name?: string; unit?: string }[]>([]);
  useEffect(() => setD(props.initial), [props.initial]);
  useEffect(() => {
    if (d.model === '') return setKeys([]);
    let live = true;
    getJson<{ measurements?: { key: string; name?: string; unit?: string; kind?: string }[] }>(
      `/api/v1/models/${d.model}`,
    )
      .then(
        (m) =>
          live && setKeys((m.measurements ?? []).filter((x) => x.kind === 'instant' || x.kind === 'counter')),
      )
      .catch(() => live && setKeys([]));
    return () => {
      live = false;
    };
  }, [d.model]);
  const set = (patch: Partial<Draft>) => setD((x) => ({ ...x, ...patch }));
  const value = (e: Event) => (e.currentTarget as HTMLInputElement).value;
  const logged =
    d.measurements ?? (props.editing ? Object.keys(props.editing.series) : keys.map((k) => k.key));

  const save = async (e: Event) => {
    e.preventDefault();
    try {
      const body = bodyOf(d, props.editing !== undefined);
      if (props.editing) await sendJson('PATCH', `/api/v1/devices/${props.editing.device.id}`, body);
      else await sendJson('POST', '/api/v1/devices', body);
      props.done(props.editing ? `${d.name} saved.` : `${d.name} added.`);
    } catch (err) {
      setProblems(err instanceof ApiError ? err.details : []);
      setError(`Not saved: ${err instanceof Error ? err.message : 'something went wrong'}`);
    }
  };
  const testConnection = async () => {
    const request =
      d.kind === 'tcp'
        ? { kind: 'tcp', targets: [{ host: d.host.trim(), port: num(d.port), unit: num(d.unit) }] }
        : { kind: 'serial', line: d.line, first: num(d.slave), last: num(d.slave) };
    try {
      await runDiscovery(request, setTest);
    } catch (err) {
      setTest(err instanceof Error ? err.message : 'the test failed');
    }
  };
  const id = (s: string) => `dev-${s}`;
  return html`<form class="card" id="device-form" onSubmit=${save} aria-labelledby="device-form-h" novalidate>
    <h2 id="device-form-h">${props.editing ? `Edit ${props.editing.device.name}` : 'Add a device'}</h2>
    ${error ? html`<p class="error" role="alert" id="device-error">${error}</p>` : null}
    <${Field} id=${id('name')} label="Name" path="/name" problems=${problems}>
      <input id=${id('name')} value=${d.name} maxlength="64" onInput=${(e: Event) => set({ name: value(e) })} /><//>
    <fieldset class="group"><legend>Connection</legend>
      <div class="field check"><input type="radio" name="kind" id=${id('tcp')} checked=${d.kind === 'tcp'}
        onChange=${() => set({ kind: 'tcp' })} /><label for=${id('tcp')}>Modbus TCP</label></div>
      <div class="field check"><input type="radio" name="kind" id=${id('serial')} checked=${d.kind === 'serial'}
        disabled=${props.lines.length === 0} onChange=${() => set({ kind: 'serial', line: d.line || props.lines[0] || '' })} />
        <label for=${id('serial')}>Serial line${props.lines.length === 0 ? ' (no serial line configured)' : ''}</label></div>
      ${
        d.kind === 'tcp'
          ? html`<${Field} id=${id('host')} label="Host (IP address or name)" path="/location/host" problems=${problems}>
                <input id=${id('host')} value=${d.host} onInput=${(e: Event) => set({ host: value(e) })} /><//>
              <${Field} id=${id('port')} label="Port" path="/location/port" problems=${problems}>
                <input id=${id('port')} type="number" min="1" max="65535" value=${d.port} onInput=${(e: Event) => set({ port: value(e) })} /><//>
              <${Field} id=${id('unit')} label="Unit id" path="/location/unit" problems=${problems} hint="255 or 1 for most TCP devices; a gateway's slave id behind it">
                <input id=${id('unit')} type="number" min="0" max="255" value=${d.unit} onInput=${(e: Event) => set({ unit: value(e) })} /><//>`
          : html`<${Field} id=${id('line')} label="Serial line" path="/location/line" problems=${problems}>
                <select id=${id('line')} onChange=${(e: Event) => set({ line: value(e) })}>
                  ${props.lines.map((l) => html`<option key=${l} selected=${l === d.line}>${l}</option>`)}</select><//>
              <${Field} id=${id('slave')} label="Slave id" path="/location/slave" problems=${problems}>
                <input id=${id('slave')} type="number" min="1" max="247" value=${d.slave} onInput=${(e: Event) => set({ slave: value(e) })} /><//>`
      }
      <button type="button" class="secondary" id="test-connection" onClick=${() => void testConnection()}>Test connection</button>
      <${TestResult} result=${test} />
    </fieldset>
    <${Field} id=${id('model')} label="Model" path="/model" problems=${problems}>
      <select id=${id('model')} onChange=${(e: Event) => set({ model: value(e), measurements: null })}>
        <option value="" selected=${d.model === ''}>None (forwarded by the gateway, not sampled)</option>
        ${props.models.map((m) => html`<option key=${m.id} value=${m.id} selected=${m.id === d.model}>${m.name} (${m.id})</option>`)}
      </select><//>
    <${Field} id=${id('period')} label="Sampling period" path="/periodMinutes" problems=${problems}>
      <select id=${id('period')} onChange=${(e: Event) => set({ periodMinutes: Number(value(e)) })}>
        ${PERIODS.map((p) => html`<option key=${p} value=${p} selected=${p === d.periodMinutes}>${p} min</option>`)}
      </select><//>
    ${
      keys.length > 0
        ? html`<details class="group" id="measurements"><summary>Measurements logged (${logged.length} of ${keys.length})</summary>
            ${keys.map(
              (k) => html`<div class="field check" key=${k.key}>
                <input type="checkbox" id=${`m-${k.key}`} checked=${logged.includes(k.key)}
                  onChange=${(e: Event) => {
                    const on = (e.currentTarget as HTMLInputElement).checked;
                    set({ measurements: on ? [...logged, k.key] : logged.filter((x) => x !== k.key) });
                  }} />
                <label for=${`m-${k.key}`}>${k.name ?? k.key}${k.unit ? ` (${k.unit})` : ''}</label></div>`,
            )}
            ${
              problems.some((p) => p.path.startsWith('/measurements'))
                ? html`<p class="field-error">${problems
                    .filter((p) => p.path.startsWith('/measurements'))
                    .map((p) => p.message)
                    .join('; ')}</p>`
                : null
            }
          </details>`
        : null
    }
    ${
      d.kind === 'tcp'
        ? html`<${Field} id=${id('virtual')} label="Virtual unit id (optional)" path="/virtualId" problems=${problems}
            hint="Modbus TCP clients reach this device through the gateway at this unit id (1–247).">
            <input id=${id('virtual')} type="number" min="1" max="247" value=${d.virtualId} onInput=${(e: Event) => set({ virtualId: value(e) })} /><//>`
        : null
    }
    <div class="field check"><input type="checkbox" id=${id('enabled')} checked=${d.enabled}
      onChange=${(e: Event) => set({ enabled: (e.currentTarget as HTMLInputElement).checked })} />
      <label for=${id('enabled')}>Enabled (polled and sampled)</label></div>
    <div class="actions">
      <button type="submit" id="device-save">${props.editing ? 'Save' : 'Add device'}</button>
      <button type="button" class="secondary" onClick=${props.cancel}>Cancel</button>
    </div>
  </form>`;
}
