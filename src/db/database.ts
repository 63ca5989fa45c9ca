/**
 * The one place that opens SQLite databases (ARCHITECTURE conventions 9, 16;
 * SECURITY I1). Each store picks a durability profile:
 *
 * - `durable` (settings, accounts, audit): WAL + synchronous=FULL — a commit
 *   that returned is on disk, even after power loss.
 * - `history` (time series): WAL + synchronous=NORMAL — a commit survives a
 *   process crash (kill -9); after a power loss the last commits since the
 *   last WAL checkpoint/fsync may be lost (the documented loss window).
 *
 * Both: foreign_keys=ON, busy_timeout, trusted_schema=OFF. A new database file
 * is created with mode 0600 before SQLite opens it; SQLite gives its -wal and
 * -shm files the same mode. Failures to open become WattgateError(STORAGE)
 * with a message that names the path and the cause.
 */
import { accessSync, closeSync, constants, fchmodSync, openSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { ErrorCodes, WattgateError } from '../shared/errors.js';

export type DbProfile = 'durable' | 'history';

export interface OpenDatabaseOptions {
  /** File path, or `:memory:` for a private in-memory database (tests). */
  path: string;
  profile: DbProfile;
  /** How long a writer waits for a lock held by another connection (default 5000 ms). */
  busyTimeoutMs?: number;
}

const SYNCHRONOUS: Record<DbProfile, 'FULL' | 'NORMAL'> = { durable: 'FULL', history: 'NORMAL' };
export const DEFAULT_BUSY_TIMEOUT_MS = 5000;
/** Mode of database files Wattgate creates: owner read/write only. */
export const DB_FILE_MODE = 0o600;

function storageError(message: string, cause?: unknown): WattgateError {
  return new WattgateError(ErrorCodes.STORAGE, message, cause === undefined ? undefined : { cause });
}

function errno(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e
    ? String((e as { code: unknown }).code)
    : undefined;
}

/** Checks the directory exists and is writable (SQLite needs it for -wal/-shm files). */
function checkDirectory(dir: string): void {
  let isDir: boolean;
  try {
    isDir = statSync(dir).isDirectory();
  } catch (e) {
    throw storageError(`database directory ${dir} does not exist or is not reachable (${errno(e)})`, e);
  }
  if (!isDir) throw storageError(`database directory ${dir} is not a directory`);
  try {
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch (e) {
    throw storageError(`database directory ${dir} is not writable by this process (${errno(e)})`, e);
  }
}

/** Creates the file with mode 0600 if it does not exist; refuses non-regular files. */
function ensureFile(path: string): void {
  try {
    const st = statSync(path);
    if (!st.isFile()) throw storageError(`database path ${path} is not a regular file`);
    return;
  } catch (e) {
    if (errno(e) !== 'ENOENT') {
      if (e instanceof WattgateError) throw e;
      throw storageError(`cannot inspect database file ${path} (${errno(e)})`, e);
    }
  }
  try {
    const fd = openSync(path, 'wx', DB_FILE_MODE);
    fchmodSync(fd, DB_FILE_MODE);
    closeSync(fd);
  } catch (e) {
    if (errno(e) === 'EEXIST') return; // created concurrently: fine, SQLite opens it
    throw storageError(`cannot create database file ${path} (${errno(e)})`, e);
  }
}

function applyPragmas(
  db: Database.Database,
  profile: DbProfile,
  busyTimeoutMs: number,
  inMemory: boolean,
): void {
  const mode = String(db.pragma('journal_mode = WAL', { simple: true })).toLowerCase();
  if (!inMemory && mode !== 'wal') throw storageError(`could not switch ${db.name} to WAL (got ${mode})`);
  db.pragma(`synchronous = ${SYNCHRONOUS[profile]}`);
  db.pragma('foreign_keys = ON');
  db.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
  db.pragma('trusted_schema = OFF');
  // Reads the schema now, so a file that is not a database fails here and not at first use.
  db.prepare('SELECT count(*) FROM sqlite_schema').get();
}

/**
 * Opens (creating if needed) a database with the profile's durability settings.
 * Throws WattgateError(STORAGE) when the directory is missing or unwritable, the
 * path is not a regular file, or the file is not a SQLite database.
 */
export function openDatabase(opts: OpenDatabaseOptions): Database.Database {
  const inMemory = opts.path === ':memory:';
  const path = inMemory ? opts.path : resolve(opts.path);
  if (!inMemory) {
    checkDirectory(dirname(path));
    ensureFile(path);
  }
  let db: Database.Database;
  try {
    db = new Database(path, { fileMustExist: !inMemory });
  } catch (e) {
    throw storageError(`cannot open database ${path}: ${(e as Error).message}`, e);
  }
  try {
    applyPragmas(db, opts.profile, opts.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS, inMemory);
  } catch (e) {
    db.close();
    if (e instanceof WattgateError) throw e;
    const notDb = errno(e) === 'SQLITE_NOTADB' || errno(e) === 'SQLITE_CORRUPT';
    const why = notDb ? 'is not a SQLite database (or is corrupt)' : `could not be configured`;
    throw storageError(`database file ${path} ${why}: ${(e as Error).message}`, e);
  }
  return db;
}
