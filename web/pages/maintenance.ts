/**
 * Maintenance: Logs (the audit log: download as CSV or JSON, chain
 * verification) and Diagnostics (Modbus server, serial lines, downstream
 * TCP endpoints — the counters of GET /api/v1/diagnostics/modbus).
 */
import { useEffect, useState } from 'preact/hooks';
import { getJson, type Me } from '../api.js';
import { html } from '../html.js';
import { link } from '../shell.js';

interface Verify {
  ok: boolean;
  checked: number;
  problem?: { seq?: number; reason?: string };
}

function useJson<T>(path: string | undefined, everyMs = 0): { data?: T; error?: string } {
  const [state, setState] = useState<{ data?: T; error?: string }>({});
  useEffect(() => {
    if (path === undefined) return;
    let live = true;
    const tick = () =>
      getJson<T>(path)
        .then((data) => live && setState({ data }))
        .catch((e: Error) => live && setState({ error: e.message }));
    void tick();
    const t = everyMs > 0 ? setInterval(tick, everyMs) : undefined;
    return () => {
      live = false;
      if (t) clearInterval(t);
    };
  }, [path, everyMs]);
  return state;
}

export function Logs({ me }: { me: Me | undefined }) {
  const allowed = me?.role === 'admin' || me?.role === 'support';
  const verify = useJson<Verify>(allowed ? '/api/v1/audit/verify' : undefined);
  if (!allowed) return html`<h1>Logs</h1><p>The audit log is for the admin and support roles.</p>`;
  return html`<h1>Logs</h1>
    <p>Audit log:
      <a id="audit-csv" href="/api/v1/audit/export?format=csv" download>download (CSV)</a> ·
      <a id="audit-json" href="/api/v1/audit/export?format=json" download>download (JSON)</a></p>
    <p id="audit-verify">Chain verification:
      ${
        verify.data
          ? verify.data.ok
            ? ` intact (${verify.data.checked} records checked)`
            : ` BROKEN at record ${verify.data.problem?.seq ?? '?'}: ${verify.data.problem?.reason ?? ''}`
          : verify.error
            ? ` ${verify.error}`
            : ' checking…'
      }</p>`;
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

export function Diagnostics() {
  const d = useJson<Diag>('/api/v1/diagnostics/modbus', 2000);
  if (d.error) return html`<h1>Diagnostics</h1><p class="error" role="alert">${d.error}</p>`;
  if (!d.data) return html`<h1>Diagnostics</h1><p>Loading…</p>`;
  const { server, serialLines, tcpEndpoints } = d.data;
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
      (e) => html`<section class="card" key=${e.endpoint}><h2>Device ${e.endpoint}</h2>
        <p>${e.connected ? 'connected' : 'not connected'} · queue ${e.queueDepth}</p><${Counters} c=${e.counters} /></section>`,
    )}`;
}

export function MaintenanceIndex() {
  return html`<h1>Maintenance</h1>
    <ul class="tiles">
      <li><a href="/maintenance/logs" onClick=${link}>Logs</a>: the audit log, downloads, chain verification</li>
      <li><a href="/maintenance/diagnostics" onClick=${link}>Diagnostics</a>: Modbus server, serial lines, downstream devices</li>
    </ul>`;
}
