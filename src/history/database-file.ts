/**
 * The history database file: a new, empty file gets 16 KiB pages (about 14
 * chunk rows a page, so little is lost at page ends) and incremental
 * auto-vacuum (so a lowered capacity can give space back); every connection
 * checkpoints — and so fsyncs, under synchronous=NORMAL — once the WAL holds
 * 4 MiB, which bounds what a power loss can take (docs/history.md).
 */
import type Database from 'better-sqlite3';
import { ErrorCodes, WattgateError } from '../shared/errors.js';

export const HISTORY_PAGE_SIZE = 16_384;
/** WAL size that triggers a checkpoint: bounds the power-loss window (docs/history.md). */
export const WAL_CHECKPOINT_BYTES = 4 * 1024 * 1024;

/**
 * A new, empty file gets its page size and incremental auto-vacuum (so a
 * lowered capacity can give space back). The page size can only change
 * outside WAL mode, so the empty file leaves WAL for the VACUUM that applies
 * them and goes back.
 */
export function prepareFile(db: Database.Database): void {
  const tables = db.prepare('SELECT count(*) AS n FROM sqlite_schema').get() as { n: number };
  if (tables.n > 0) return;
  db.pragma('journal_mode = DELETE');
  db.pragma(`page_size = ${HISTORY_PAGE_SIZE}`);
  db.pragma('auto_vacuum = INCREMENTAL');
  db.exec('VACUUM');
  const mode = String(db.pragma('journal_mode = WAL', { simple: true }));
  if (mode !== 'wal')
    throw new WattgateError(ErrorCodes.STORAGE, `could not switch ${db.name} back to WAL (got ${mode})`);
}

/** Per-connection WAL limits. */
export function limitWal(db: Database.Database): void {
  db.pragma(`wal_autocheckpoint = ${Math.floor(WAL_CHECKPOINT_BYTES / HISTORY_PAGE_SIZE)}`);
  db.pragma(`journal_size_limit = ${WAL_CHECKPOINT_BYTES}`);
}

/** Bytes of the pages in use (the file's pages less the free list). */
export function usedBytes(db: Database.Database): number {
  const size = db.pragma('page_size', { simple: true }) as number;
  const pages = db.pragma('page_count', { simple: true }) as number;
  return (pages - (db.pragma('freelist_count', { simple: true }) as number)) * size;
}
