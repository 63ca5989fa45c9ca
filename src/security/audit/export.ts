/**
 * Audit export (PRODUCT S6; SECURITY D5) as CSV or JSON, streamed line by
 * line from the query iterator.
 *
 * CSV (RFC 4180, UTF-8, CRLF): header `seq,time,category,event,actor_kind,
 * actor,source,result,details`; fields with a comma, quote or leading/trailing
 * space are quoted, quotes doubled. Stored text has no raw control characters
 * (escaped at write), so every record is exactly one line. A field that a
 * spreadsheet would run as a formula (starting with = + - @ or a tab) gets a
 * leading apostrophe (OWASP CSV injection).
 *
 * JSON: one document `{ format, exportedAt, filter, head, records: [...] }`,
 * details parsed back to objects; `head` (latest sequence and chain hash) lets
 * a kept export serve as an external reference against a later rollback.
 */
import type { AuditRecord } from './record.js';

export const CSV_COLUMNS = [
  'seq',
  'time',
  'category',
  'event',
  'actor_kind',
  'actor',
  'source',
  'result',
  'details',
] as const;

function csvField(v: string | number | null): string {
  if (v === null) return '';
  let s = String(v);
  if (typeof v === 'string' && /^[=+\-@\t]/.test(s)) s = `'${s}`;
  return /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(r: AuditRecord): string {
  return `${[r.seq, r.time, r.category, r.event, r.actorKind, r.actor, r.source, r.result, r.details]
    .map(csvField)
    .join(',')}\r\n`;
}

export function* csvExport(records: Iterable<AuditRecord>): Generator<string> {
  yield `${CSV_COLUMNS.join(',')}\r\n`;
  for (const r of records) yield csvLine(r);
}

export interface JsonExportMeta {
  exportedAt: string;
  filter: Record<string, unknown>;
  head: { seq: number; hash: string } | null;
}

export function recordJson(r: AuditRecord): Record<string, unknown> {
  return {
    seq: r.seq,
    time: r.time,
    category: r.category,
    event: r.event,
    actor: { kind: r.actorKind, name: r.actor },
    source: r.source,
    result: r.result,
    details: JSON.parse(r.details) as unknown,
  };
}

export function* jsonExport(records: Iterable<AuditRecord>, meta: JsonExportMeta): Generator<string> {
  const head = JSON.stringify({ format: 'wattgate-audit/1', ...meta });
  yield `${head.slice(0, -1)},"records":[\n`;
  let first = true;
  for (const r of records) {
    yield `${first ? '' : ',\n'}${JSON.stringify(recordJson(r))}`;
    first = false;
  }
  yield '\n]}\n';
}
