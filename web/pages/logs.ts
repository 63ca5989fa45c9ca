/**
 * Maintenance → Logs (PRODUCT S6, SECURITY D1/D5): the audit log newest first
 * with filters (time range in the installation's zone, category, result) and
 * paging, downloads of the same selection as CSV and JSON, and the hash
 * chain's verification status.
 */
import { useEffect, useState } from 'preact/hooks';
import { getJson, type Me } from '../api.js';
import { formatTime } from '../format.js';
import { html } from '../html.js';
import { useJson } from '../use-json.js';

interface Verify {
  ok: boolean;
  checked: number;
  problem?: { seq?: number; reason?: string; message?: string };
}
interface AuditRow {
  seq: number;
  time: string;
  category: string;
  event: string;
  actor: { kind: string; name: string | null };
  source: string | null;
  result: string;
  details: unknown;
}
interface Page {
  records: AuditRow[];
  next: number | null;
}

const CATEGORIES = [
  'auth',
  'account',
  'session',
  'token',
  'config',
  'service',
  'certificate',
  'time',
  'system',
  'audit',
];
const RESULTS = ['success', 'failure', 'denied', 'info'];
const PAGE = 50;

/** `YYYY-MM-DD` from a date input → the start of that day in UTC (the API's filter is UTC). */
const day = (d: string, plusDays = 0) =>
  d ? new Date(Date.parse(`${d}T00:00:00Z`) + plusDays * 86_400_000).toISOString() : '';

const SHORT = 60;

/** Details as JSON: short ones inline, long ones (a configuration diff) folded behind their start. */
function detailsCell(details: unknown) {
  const text = JSON.stringify(details);
  if (text.length <= SHORT) return html`<code class="wrap">${text}</code>`;
  return html`<details class="audit-details"><summary><code>${text.slice(0, SHORT)}…</code></summary>
    <code class="wrap">${text}</code></details>`;
}

export function Logs({ me }: { me: Me | undefined }) {
  const allowed = me?.role === 'admin' || me?.role === 'support';
  const verify = useJson<Verify>(allowed ? '/api/v1/audit/verify' : undefined);
  const [filter, setFilter] = useState({ category: '', result: '', from: '', to: '' });
  const [pages, setPages] = useState<(number | null)[]>([null]);
  const [page, setPage] = useState<Page | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const query = new URLSearchParams();
  if (filter.category) query.set('category', filter.category);
  if (filter.result) query.set('result', filter.result);
  if (filter.from) query.set('from', day(filter.from));
  if (filter.to) query.set('to', day(filter.to, 1));
  const selection = query.toString();
  const before = pages.at(-1) ?? null;
  useEffect(() => {
    if (!allowed) return;
    let live = true;
    const q = new URLSearchParams(selection);
    q.set('order', 'desc');
    q.set('limit', String(PAGE));
    if (before !== null) q.set('beforeSeq', String(before));
    getJson<Page>(`/api/v1/audit?${q}`)
      .then((p) => {
        if (!live) return;
        setPage(p);
        setError(undefined);
      })
      .catch((e) => live && setError((e as Error).message));
    return () => {
      live = false;
    };
  }, [selection, before, allowed]);
  if (!allowed) return html`<h1>Logs</h1><p>The audit log is for the admin and support roles.</p>`;
  const set = (k: keyof typeof filter) => (e: Event) => {
    setFilter({ ...filter, [k]: (e.currentTarget as HTMLInputElement).value });
    setPages([null]);
  };
  const amp = selection ? `&${selection}` : '';
  return html`<h1>Logs</h1>
    <p id="audit-verify">Chain verification:
      ${
        verify.data
          ? verify.data.ok
            ? ` intact (${verify.data.checked} records checked)`
            : ` BROKEN at record ${verify.data.problem?.seq ?? '?'}: ${verify.data.problem?.message ?? verify.data.problem?.reason ?? ''}`
          : verify.error
            ? ` ${verify.error}`
            : ' checking…'
      }</p>
    <form class="card filters" id="audit-filters" onSubmit=${(e: Event) => e.preventDefault()}>
      <div class="field"><label for="f-category">Category</label>
        <select id="f-category" onChange=${set('category')}><option value="">all</option>
          ${CATEGORIES.map((c) => html`<option key=${c} selected=${filter.category === c}>${c}</option>`)}</select></div>
      <div class="field"><label for="f-result">Result</label>
        <select id="f-result" onChange=${set('result')}><option value="">all</option>
          ${RESULTS.map((r) => html`<option key=${r} selected=${filter.result === r}>${r}</option>`)}</select></div>
      <div class="field"><label for="f-from">From (UTC day)</label><input type="date" id="f-from" value=${filter.from} onChange=${set('from')} /></div>
      <div class="field"><label for="f-to">To (UTC day, included)</label><input type="date" id="f-to" value=${filter.to} onChange=${set('to')} /></div>
    </form>
    <p>This selection:${' '}
      <a id="audit-csv" href=${`/api/v1/audit/export?format=csv${amp}`} download>download (CSV)</a> ·
      <a id="audit-json" href=${`/api/v1/audit/export?format=json${amp}`} download>download (JSON)</a></p>
    ${error ? html`<p class="error" role="alert">${error}</p>` : null}
    <div class="scroll" tabindex="0" role="region" aria-label="Audit records"><table class="values" id="audit-table">
      <thead><tr><th scope="col" class="num">#</th><th scope="col">Time</th><th scope="col">Event</th><th scope="col">Who</th>
        <th scope="col">From</th><th scope="col">Result</th><th scope="col">Details</th></tr></thead>
      <tbody>${(page?.records ?? []).map(
        (r) => html`<tr key=${r.seq} data-seq=${r.seq} data-result=${r.result}>
          <td class="num">${r.seq}</td><td>${formatTime(r.time)}</td><td>${r.category} · ${r.event}</td>
          <td>${r.actor.name ?? r.actor.kind}</td><td>${r.source ?? '—'}</td><td class=${`result ${r.result}`}>${r.result}</td>
          <td>${detailsCell(r.details)}</td></tr>`,
      )}</tbody>
    </table></div>
    ${page && page.records.length === 0 ? html`<p class="empty">No record matches.</p>` : null}
    <div class="actions">
      <button type="button" class="secondary" id="audit-newer" disabled=${pages.length <= 1} onClick=${() => setPages(pages.slice(0, -1))}>Newer</button>
      <button type="button" class="secondary" id="audit-older" disabled=${!page || page.next === null}
        onClick=${() => page?.next != null && setPages([...pages, page.next])}>Older</button>
    </div>`;
}
