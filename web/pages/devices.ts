/**
 * Settings → Modbus devices (PRODUCT L1–L3, E3): the TCP and serial devices
 * with their model, address, period and status; add and edit (device-form.ts,
 * with a connection test), remove (asked twice); discovery of a TCP address
 * list or a serial line's slave range, with progress and cancel, whose
 * results can be added in one click (the form opens pre-filled).
 */
import { useEffect, useState } from 'preact/hooks';
import { getJson, type Me, sendJson } from '../api.js';
import { html } from '../html.js';
import { DeviceForm, type Draft, draftOf, emptyDraft } from './device-form.js';
import {
  type DeviceRow,
  type Discovery,
  type DiscoveryResult,
  type ModelSummary,
  runDiscovery,
  whereOf,
} from './device-types.js';

const message = (e: unknown) => (e instanceof Error ? e.message : 'something went wrong');

/** TCP targets as typed: `host`, `host:port`, `host:port/unit`, one per line. */
export function parseTargets(text: string): { host: string; port?: number; unit?: number }[] {
  return text
    .split(/\n|,/)
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .map((l) => {
      const m = /^(\[[^\]]+\]|[^:/]+)(?::(\d+))?(?:\/(\d+))?$/.exec(l);
      if (!m) return { host: l };
      return {
        host: (m[1] ?? l).replace(/^\[|\]$/g, ''),
        ...(m[2] ? { port: Number(m[2]) } : {}),
        ...(m[3] ? { unit: Number(m[3]) } : {}),
      };
    });
}

function DiscoveryCard(props: { lines: readonly string[]; add: (r: DiscoveryResult) => void }) {
  const [kind, setKind] = useState<'tcp' | 'serial'>('tcp');
  const [targets, setTargets] = useState('');
  const [line, setLine] = useState(props.lines[0] ?? '');
  const [range, setRange] = useState({ first: '1', last: '247' });
  const [state, setState] = useState<Discovery | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const start = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    const request =
      kind === 'tcp'
        ? { kind, targets: parseTargets(targets) }
        : { kind, line, first: Number(range.first), last: Number(range.last) };
    try {
      await runDiscovery(request, setState);
    } catch (err) {
      setError(message(err));
    }
  };
  const cancel = () =>
    void sendJson('DELETE', '/api/v1/devices/discovery').catch((e) => setError(message(e)));
  const running = state?.state === 'running';
  return html`<form class="card" id="discovery" onSubmit=${start} aria-labelledby="discovery-h">
    <h2 id="discovery-h">Discovery</h2>
    <div class="field check"><input type="radio" name="dkind" id="d-tcp" checked=${kind === 'tcp'} onChange=${() => setKind('tcp')} />
      <label for="d-tcp">TCP addresses</label></div>
    <div class="field check"><input type="radio" name="dkind" id="d-serial" checked=${kind === 'serial'}
      disabled=${props.lines.length === 0} onChange=${() => setKind('serial')} /><label for="d-serial">Serial line scan</label></div>
    ${
      kind === 'tcp'
        ? html`<div class="field"><label for="d-targets">Addresses, one per line: host, host:port or host:port/unit</label>
            <textarea id="d-targets" rows="3" value=${targets} onInput=${(e: Event) => setTargets((e.currentTarget as HTMLTextAreaElement).value)}></textarea></div>`
        : html`<div class="field"><label for="d-line">Line</label><select id="d-line" onChange=${(e: Event) => setLine((e.currentTarget as HTMLSelectElement).value)}>
              ${props.lines.map((l) => html`<option key=${l} selected=${l === line}>${l}</option>`)}</select></div>
            <div class="field"><label for="d-first">First slave id</label><input id="d-first" type="number" min="1" max="247" value=${range.first}
              onInput=${(e: Event) => setRange({ ...range, first: (e.currentTarget as HTMLInputElement).value })} /></div>
            <div class="field"><label for="d-last">Last slave id</label><input id="d-last" type="number" min="1" max="247" value=${range.last}
              onInput=${(e: Event) => setRange({ ...range, last: (e.currentTarget as HTMLInputElement).value })} /></div>`
    }
    <div class="actions">
      <button type="submit" id="discovery-start" disabled=${running}>Start discovery</button>
      ${running ? html`<button type="button" class="secondary" id="discovery-cancel" onClick=${cancel}>Cancel</button>` : null}
    </div>
    ${error ? html`<p class="error" role="alert">${error}</p>` : null}
    ${
      state
        ? html`<p role="status" id="discovery-state" data-state=${state.state}>
              <progress max=${state.total} value=${state.done} aria-label="Discovery progress"></progress>
              ${state.done} of ${state.total} addresses asked — ${state.state}${state.error ? `: ${state.error}` : ''}; ${state.results.length} found.</p>
            <ul id="discovery-results">${state.results.map(
              (r, i) => html`<li key=${i}>${whereOf(r.location)}:
                ${r.identity ? Object.values(r.identity).join(' · ') : 'answered'} — ${r.models.length ? r.models.join(', ') : 'no model matches'}
                ${r.deviceId !== null ? html` (already device ${r.deviceId})` : html` <button type="button" class="secondary" onClick=${() => props.add(r)}>Add</button>`}</li>`,
            )}</ul>`
        : null
    }
  </form>`;
}

function draftFrom(r: DiscoveryResult): Draft {
  const loc = r.location as {
    kind: string;
    host?: string;
    port?: number;
    unit?: number;
    line?: string;
    slave?: number;
  };
  const name = r.identity?.productName ?? r.identity?.modelName ?? r.identity?.productCode ?? 'New device';
  return {
    ...emptyDraft(loc.line ?? ''),
    name: `${name} ${loc.kind === 'tcp' ? loc.host : `${loc.line}-${loc.slave}`}`.slice(0, 64),
    kind: loc.kind === 'serial' ? 'serial' : 'tcp',
    host: loc.host ?? '',
    port: String(loc.port ?? 502),
    unit: String(loc.unit ?? 255),
    slave: String(loc.slave ?? 1),
    model: r.models[0] ?? '',
  };
}

export function DevicesSettings({ me }: { me: Me | undefined }) {
  const [rows, setRows] = useState<DeviceRow[] | undefined>(undefined);
  const [models, setModels] = useState<ModelSummary[]>([]);
  const [lines, setLines] = useState<string[]>([]);
  const [form, setForm] = useState<{ draft: Draft; editing?: DeviceRow } | undefined>(undefined);
  const [confirm, setConfirm] = useState<number | undefined>(undefined);
  const [note, setNote] = useState<{ ok: boolean; text: string } | undefined>(undefined);
  const [tick, setTick] = useState(0);
  const admin = me?.role === 'admin';
  useEffect(() => {
    let live = true;
    getJson<DeviceRow[]>('/api/v1/devices')
      .then((r) => live && setRows(r.filter((d) => d.device.location.kind !== 'wireless')))
      .catch((e) => live && setNote({ ok: false, text: message(e) }));
    return () => {
      live = false;
    };
  }, [tick]);
  useEffect(() => {
    if (!admin) return;
    void getJson<ModelSummary[]>('/api/v1/models').then((m) =>
      setModels(m.filter((x) => x.periodSeconds === undefined)),
    );
    void getJson<{ value: { serialLines: { name: string }[] } }>('/api/v1/config/modbus').then((c) =>
      setLines(c.value.serialLines.map((l) => l.name)),
    );
  }, [admin]);
  if (!rows)
    return html`<h1>Modbus devices</h1>${note ? html`<p class="error" role="alert">${note.text}</p>` : html`<p>Loading…</p>`}`;

  const done = (text: string) => {
    setForm(undefined);
    setNote({ ok: true, text });
    setTick((n) => n + 1);
  };
  const remove = async (d: DeviceRow) => {
    try {
      await sendJson('DELETE', `/api/v1/devices/${d.device.id}`);
      done(`${d.device.name} removed (its history stays).`);
    } catch (e) {
      setNote({ ok: false, text: message(e) });
    }
    setConfirm(undefined);
  };
  return html`<h1>Modbus devices</h1>
    ${note ? html`<p class=${note.ok ? 'ok-note' : 'error'} role=${note.ok ? 'status' : 'alert'} id="devices-note">${note.text}</p>` : null}
    <section class="card" aria-labelledby="list-h">
      <h2 id="list-h">Devices (${rows.length})</h2>
      <div class="scroll" tabindex="0" role="region" aria-label="Devices table"><table class="values" id="device-list">
        <thead><tr><th scope="col">Name</th><th scope="col">Model</th><th scope="col">Address</th><th scope="col" class="num">Gateway unit</th>
          <th scope="col" class="num">Period</th><th scope="col">Status</th>${admin ? html`<th scope="col">Actions</th>` : null}</tr></thead>
        <tbody>${rows.map(
          (d) => html`<tr key=${d.device.id} data-device=${d.device.id}>
            <th scope="row">${d.device.name}</th><td>${d.model?.name ?? '—'}</td><td>${whereOf(d.device.location)}</td>
            <td class="num">${d.device.virtualId ?? '—'}</td><td class="num" data-period=${d.device.periodMinutes}>${d.device.periodMinutes} min</td>
            <td class=${`state ${d.status.state}`}>${d.device.enabled === false ? 'disabled' : d.status.state}${d.status.problem ? `: ${d.status.problem}` : ''}</td>
            ${
              admin
                ? html`<td class="actions">
                  <button type="button" class="secondary" id=${`edit-${d.device.id}`} onClick=${() => setForm({ draft: draftOf(d), editing: d })}>Edit</button>
                  ${
                    confirm === d.device.id
                      ? html`<button type="button" class="danger" onClick=${() => void remove(d)}>Remove ${d.device.name} now</button>`
                      : html`<button type="button" class="secondary" onClick=${() => setConfirm(d.device.id)}>Remove</button>`
                  }</td>`
                : null
            }
          </tr>`,
        )}</tbody>
      </table></div>
      ${admin && !form ? html`<button type="button" id="add-device" onClick=${() => setForm({ draft: emptyDraft(lines[0]) })}>Add a device</button>` : null}
    </section>
    ${
      form
        ? html`<${DeviceForm} key=${form.editing?.device.id ?? 'new'} initial=${form.draft} editing=${form.editing}
            models=${models} lines=${lines} done=${done} cancel=${() => setForm(undefined)} />`
        : null
    }
    ${admin ? html`<${DiscoveryCard} lines=${lines} add=${(r: DiscoveryResult) => setForm({ draft: draftFrom(r) })} />` : null}`;
}
