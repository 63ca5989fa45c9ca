/**
 * The audit log from the host (PRODUCT S6; SECURITY D3, D5):
 * - `wattgate verify-audit`: walks the chain with the key file; prints the
 *   report and exits 0 when intact, 1 with the first bad record otherwise;
 * - `wattgate audit export --format csv|json [--from --to --category --out]`;
 * - `hostAudit(...)`: what CLI commands that change security state (unlock,
 *   reset-admin-password, config import) record, as actor `host`.
 * Works while the service runs (SQLite WAL; appends serialise on the head).
 */
import { closeSync, existsSync, openSync, writeSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { ConfigStore } from '../config/index.js';
import { dataPath, ensureDataDir } from '../core/data-dir.js';
import { openDatabase } from '../db/index.js';
import { csvExport, jsonExport } from '../security/audit/export.js';
import { readAuditKey } from '../security/audit/key.js';
import { type AuditFilter, queryRecords } from '../security/audit/query.js';
import { type AuditEntry, HOST_ACTOR } from '../security/audit/record.js';
import { AuditLog } from '../security/audit/store.js';
import { type VerifyReport, verifyAudit } from '../security/audit/verify.js';
import { systemClock } from '../shared/clock.js';
import { CliError } from './cli-error.js';
import { type CommonOptions, runtime } from './runtime.js';

function dataDirOf(opts: CommonOptions): string {
  const { bootstrap } = runtime(opts, true);
  ensureDataDir(bootstrap.dataDir);
  return bootstrap.dataDir;
}

function openExisting(dir: string): Database.Database {
  const path = dataPath(dir, 'auditDb');
  if (!existsSync(path)) throw new CliError(`no audit log in ${dir} (Wattgate has not run here yet)`);
  return openDatabase({ path, profile: 'durable' });
}

export function describeReport(r: VerifyReport): string {
  const span = r.firstSeq === null ? 'no records' : `records ${r.firstSeq}–${r.lastSeq}`;
  const evicted = r.evicted > 0 ? `, ${r.evicted} older evicted` : '';
  if (r.ok) return `audit log intact: ${r.checked} ${span === 'no records' ? 'records' : span}${evicted}`;
  const p = r.problem as NonNullable<VerifyReport['problem']>;
  return `audit log NOT intact: ${p.message} [${p.kind}${p.seq === null ? '' : ` at record ${p.seq}`}]; ${r.checked} records verified before it`;
}

/** Returns the text and the exit status (0 intact, 1 not). */
export function verifyAuditCommand(opts: CommonOptions): { text: string; status: number } {
  const dir = dataDirOf(opts);
  const key = readAuditKey(dataPath(dir, 'auditKey'));
  if (!key) throw new CliError(`no audit key file ${dataPath(dir, 'auditKey')}: the log cannot be verified`);
  const db = openExisting(dir);
  try {
    const r = verifyAudit(db, key);
    return { text: describeReport(r), status: r.ok ? 0 : 1 };
  } finally {
    db.close();
  }
}

export interface ExportOptions extends CommonOptions {
  format: 'csv' | 'json';
  from?: string;
  to?: string;
  category?: string;
  out?: string;
}

function filterOf(o: ExportOptions): AuditFilter {
  const ms = (s: string, what: string) => {
    const v = Date.parse(s);
    if (Number.isNaN(v))
      throw new CliError(`--${what}: not a date/time (use ISO 8601, e.g. 2026-11-01T00:00Z)`);
    return v;
  };
  return {
    ...(o.from === undefined ? {} : { from: ms(o.from, 'from') }),
    ...(o.to === undefined ? {} : { to: ms(o.to, 'to') }),
    ...(o.category === undefined ? {} : { categories: o.category.split(',') }),
  };
}

export function exportAuditCommand(o: ExportOptions): void {
  const dir = dataDirOf(o);
  const filter = filterOf(o);
  const db = openExisting(dir);
  try {
    const head = db.prepare('SELECT seq, hash FROM audit_head WHERE id = 1').get() as
      | { seq: number; hash: Buffer }
      | undefined;
    const records = queryRecords(db, filter);
    const meta = {
      exportedAt: new Date().toISOString(),
      filter: { from: o.from, to: o.to, category: o.category },
      head: head ? { seq: head.seq, hash: head.hash.toString('hex') } : null,
    };
    const fd = o.out ? openSync(o.out, 'w', 0o600) : 1;
    try {
      for (const chunk of o.format === 'csv' ? csvExport(records) : jsonExport(records, meta))
        writeSync(fd, chunk);
    } finally {
      if (fd !== 1) closeSync(fd);
    }
  } finally {
    db.close();
  }
  hostAudit(o, {
    category: 'audit',
    event: 'audit.exported',
    actor: HOST_ACTOR,
    result: 'success',
    details: { format: o.format, from: o.from, to: o.to, category: o.category, via: 'cli' },
  });
}

/** Records a host (CLI) action in the audit log, creating the log and key on first use. */
export function hostAudit(opts: CommonOptions, entry: AuditEntry): void {
  const { bootstrap, log } = runtime(opts, true);
  ensureDataDir(bootstrap.dataDir);
  const settingsDb = openDatabase({ path: dataPath(bootstrap.dataDir, 'settingsDb'), profile: 'durable' });
  let settings: { capacity: number; recordSource: boolean };
  try {
    settings = ConfigStore.open(settingsDb).section('audit');
  } finally {
    settingsDb.close();
  }
  const audit = AuditLog.open({
    dbPath: dataPath(bootstrap.dataDir, 'auditDb'),
    keyPath: dataPath(bootstrap.dataDir, 'auditKey'),
    clock: systemClock,
    log,
    settings: () => settings,
  });
  try {
    audit.append(entry);
  } finally {
    audit.close();
  }
}
