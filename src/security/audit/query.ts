/**
 * Reading the audit log back: filter by time range (UTC, [from, to)), by
 * categories and results, and by sequence (`afterSeq` / `beforeSeq`, for
 * paging), oldest first (exports) or newest first (the Logs page), with an
 * optional limit. Times are compared as stored ISO strings (fixed format, UTC,
 * so text order is time order). A generator over pages: exports stream
 * without holding the whole log in memory.
 */
import type Database from 'better-sqlite3';
import type { AuditRecord } from './record.js';
import { RECORD_COLUMNS } from './verify.js';

export interface AuditFilter {
  /** Epoch ms, inclusive. */
  from?: number;
  /** Epoch ms, exclusive. */
  to?: number;
  categories?: readonly string[];
  /** Results to keep (`success`, `failure`, `info`); all when absent. */
  results?: readonly string[];
  afterSeq?: number;
  /** Records before this sequence number (paging newest first). */
  beforeSeq?: number;
  /** Newest first (the Logs page); default oldest first (exports). */
  newestFirst?: boolean;
  limit?: number;
}

export const PAGE_SIZE = 1000;

/**
 * Matching records, read in pages of `PAGE_SIZE` with `.all()`: the database
 * connection is never held by an open cursor between two pages, so appends
 * keep working while a slow client downloads a large export.
 */
export function* queryRecords(db: Database.Database, f: AuditFilter): Generator<AuditRecord> {
  let left = f.limit ?? Number.POSITIVE_INFINITY;
  let after = f.afterSeq;
  let before = f.beforeSeq;
  while (left > 0) {
    const n = Math.min(PAGE_SIZE, left);
    const page = queryPage(db, {
      ...f,
      limit: n,
      ...(after === undefined ? {} : { afterSeq: after }),
      ...(before === undefined ? {} : { beforeSeq: before }),
    });
    yield* page;
    if (page.length < n) return;
    left -= page.length;
    const last = (page.at(-1) as AuditRecord).seq;
    if (f.newestFirst) before = last;
    else after = last;
  }
}

function queryPage(db: Database.Database, f: AuditFilter): AuditRecord[] {
  const where: string[] = [];
  const args: Record<string, unknown> = {};
  if (f.from !== undefined) {
    where.push('time >= @from');
    args.from = new Date(f.from).toISOString();
  }
  if (f.to !== undefined) {
    where.push('time < @to');
    args.to = new Date(f.to).toISOString();
  }
  if (f.afterSeq !== undefined) {
    where.push('seq > @afterSeq');
    args.afterSeq = f.afterSeq;
  }
  if (f.beforeSeq !== undefined) {
    where.push('seq < @beforeSeq');
    args.beforeSeq = f.beforeSeq;
  }
  const oneOf = (column: string, prefix: string, values: readonly string[] | undefined) => {
    if (!values || values.length === 0) return;
    const names = values.map((v, i) => {
      args[`${prefix}${i}`] = v;
      return `@${prefix}${i}`;
    });
    where.push(`${column} IN (${names.join(', ')})`);
  };
  oneOf('category', 'c', f.categories);
  oneOf('result', 'r', f.results);
  const sql = [
    `SELECT ${RECORD_COLUMNS} FROM audit_records`,
    where.length > 0 ? `WHERE ${where.join(' AND ')}` : '',
    f.newestFirst ? 'ORDER BY seq DESC' : 'ORDER BY seq',
    f.limit === undefined ? '' : `LIMIT ${Math.max(0, Math.floor(f.limit))}`,
  ].join(' ');
  return db.prepare(sql).all(args) as AuditRecord[];
}
