/**
 * One Wattgate per data directory (issue 13). Two processes on the same
 * settings, history and audit databases would each keep their own
 * configuration in memory, bind the same ports and interleave their writes;
 * `wattgate start` and `wattgate demo` (and, later, `factory-reset`) take this
 * lock before they open any database, and a second one stops at once with a
 * message naming the holder.
 *
 * Mechanism: an exclusive SQLite lock on `<data dir>/instance.lock`, held by a
 * connection of the holding process for as long as it runs
 * (`PRAGMA locking_mode = EXCLUSIVE` + `BEGIN EXCLUSIVE`, never committed).
 * SQLite's unix VFS takes POSIX advisory locks (fcntl) on the file, and:
 * - the kernel drops them when the process ends, however it ends: after
 *   `kill -9`, an OOM kill or a power cut the next start works at once, with
 *   no stale-lock clean-up and no timeout;
 * - liveness is the lock itself, never a PID: a PID reused by another process
 *   after a crash can never pass for a live holder;
 * - SQLite tracks its locks per inode inside one process, so a second
 *   acquisition in the same process is refused too (fcntl alone would not);
 * - it needs nothing but the data directory: no network namespace (an
 *   abstract Unix socket would), no extra package (Node has no flock), and it
 *   works for every process that sees the same file system.
 * Not chosen: a PID file alone (needs staleness rules, races between two
 * starts, is fooled by PID reuse); `flock` through a child process.
 *
 * The lock file is not a store: nothing is ever written to it (no journal,
 * no migrations; opened here rather than by db/openDatabase, whose WAL
 * profile would change the locking). Next to it, `instance.pid` records the
 * holder's PID, its start time in the kernel's clock ticks (/proc/<pid>/stat)
 * and the boot id, written after the lock is taken and removed before it is
 * released; it is read only to NAME the holder in a message, and trusted only
 * when that PID still runs with that start time in this boot.
 */
import { closeSync, openSync, readFileSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import Database from 'better-sqlite3';
import { writeFileAtomic } from '../db/index.js';
import { ErrorCodes, WattgateError } from '../shared/errors.js';
import { dataPath } from './data-dir.js';

/** Who holds a data directory. `pid` is absent when no trustworthy record names it (yet). */
export interface InstanceHolder {
  readonly pid?: number;
  /** What the holder runs: `start`, `demo`, `factory-reset` … */
  readonly purpose?: string;
  /** When it took the lock (ISO 8601 UTC). */
  readonly since?: string;
}

export interface InstanceLock {
  readonly dataDir: string;
  /** False once released. */
  readonly held: boolean;
  /** Releases the lock (idempotent). The process ending releases it too. */
  release(): void;
}

export interface AcquireOptions {
  /** What the holder runs, shown to a second process: `start`, `demo`, `factory-reset` … */
  purpose: string;
  /** Wall clock for the `since` field (default Date.now). */
  now?: () => number;
  /**
   * How long to wait for the lock (default 250 ms): only long enough to ride
   * out a probe's momentary shared lock (`instanceHolder`), never a live holder.
   */
  waitMs?: number;
}

interface HolderRecord {
  pid: number;
  purpose: string;
  since: string;
  /** Field 22 of /proc/<pid>/stat (start time in clock ticks since boot); absent without /proc. */
  startTicks?: string;
  bootId?: string;
}

const DEFAULT_WAIT_MS = 250;

function errorCode(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e
    ? String((e as { code: unknown }).code)
    : undefined;
}

function isBusy(e: unknown): boolean {
  const code = errorCode(e);
  return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED';
}

/** Start time of a process in clock ticks since boot, or undefined (no such process, no /proc). */
function processStartTicks(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid …": comm may hold spaces and parentheses; fields restart after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19]; // field 22 overall; fields[0] is field 3 (state)
  } catch {
    return undefined;
  }
}

function bootId(): string | undefined {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return undefined;
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function readRecord(dataDir: string): HolderRecord | undefined {
  try {
    const r = JSON.parse(readFileSync(dataPath(dataDir, 'instanceHolder'), 'utf8')) as Partial<HolderRecord>;
    if (!Number.isInteger(r.pid) || (r.pid as number) <= 0) return undefined;
    return r as HolderRecord;
  } catch {
    return undefined;
  }
}

/** True when the record names a process that runs now and is the one that wrote it. */
function trustworthy(r: HolderRecord): boolean {
  if (r.startTicks === undefined) return true; // written without /proc: nothing better to check
  return processStartTicks(r.pid) === r.startTicks && bootId() === r.bootId;
}

/**
 * The holder of a data directory that is known to be locked. The record is
 * written just after the lock is taken, so a missing or stale one is re-read
 * for a short while before the holder is reported as unknown.
 */
function lockedHolder(dataDir: string): InstanceHolder {
  for (let attempt = 0; ; attempt++) {
    const r = readRecord(dataDir);
    if (r && trustworthy(r)) return { pid: r.pid, purpose: r.purpose, since: r.since };
    if (attempt >= 5) return {};
    sleepSync(50);
  }
}

/** A one-line description of a holder for messages: `PID 1234, start since 2026-…`. */
export function describeHolder(h: InstanceHolder): string {
  if (h.pid === undefined) return 'PID not recorded yet';
  const what = h.purpose === undefined ? '' : `, \`wattgate ${h.purpose}\``;
  return `PID ${h.pid}${what}${h.since === undefined ? '' : ` since ${h.since}`}`;
}

function inUse(dataDir: string, holder: InstanceHolder): WattgateError {
  return new WattgateError(
    ErrorCodes.CONFLICT,
    `data directory ${resolve(dataDir)} is in use by another Wattgate process (${describeHolder(holder)}); ` +
      'one Wattgate per data directory: stop that one first, or use another --data-dir',
  );
}

/**
 * Takes the data directory's instance lock, before any database is opened.
 * The directory must exist (core/data-dir.ts `ensureDataDir`). Throws
 * WattgateError(CONFLICT) naming the holder when another process (or another
 * lock in this process) holds it; STORAGE when the lock file cannot be used.
 */
export function acquireInstanceLock(dataDir: string, opts: AcquireOptions): InstanceLock {
  const path = dataPath(dataDir, 'instanceLock');
  let db: Database.Database;
  try {
    closeSync(openSync(path, 'a', 0o600)); // create 0600 if missing; an existing file keeps its mode
    db = new Database(path, { timeout: opts.waitMs ?? DEFAULT_WAIT_MS });
  } catch (e) {
    throw new WattgateError(
      ErrorCodes.STORAGE,
      `cannot open the instance lock ${path}: ${(e as Error).message}`,
      {
        cause: e,
      },
    );
  }
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.pragma('journal_mode = MEMORY'); // nothing is written; no -journal file beside the lock
    db.exec('BEGIN EXCLUSIVE');
  } catch (e) {
    db.close();
    if (isBusy(e)) throw inUse(dataDir, lockedHolder(dataDir));
    throw new WattgateError(
      ErrorCodes.STORAGE,
      `the instance lock ${path} cannot be taken (${(e as Error).message}); if it is not a SQLite file, ` +
        'remove it while no Wattgate runs on this data directory',
      { cause: e },
    );
  }
  const record: HolderRecord = {
    pid: process.pid,
    purpose: opts.purpose,
    since: new Date((opts.now ?? Date.now)()).toISOString(),
  };
  const ticks = processStartTicks(process.pid);
  const boot = bootId();
  if (ticks !== undefined) record.startTicks = ticks;
  if (boot !== undefined) record.bootId = boot;
  const holderPath = dataPath(dataDir, 'instanceHolder');
  try {
    writeFileAtomic(holderPath, `${JSON.stringify(record)}\n`);
  } catch {
    // Only messages use the record: a second process then reports the PID as not recorded.
  }
  let held = true;
  return {
    dataDir,
    get held() {
      return held;
    },
    release() {
      if (!held) return;
      held = false;
      // Removed while still holding: never deletes the record of a next holder.
      rmSync(holderPath, { force: true });
      db.close();
    },
  };
}

/**
 * The process holding the data directory, or undefined when none does. Does
 * not take the lock: it tries a read, which a held lock refuses, so it never
 * competes with a starting Wattgate for longer than a read.
 */
export function instanceHolder(dataDir: string): InstanceHolder | undefined {
  let db: Database.Database;
  try {
    db = new Database(dataPath(dataDir, 'instanceLock'), { readonly: true, fileMustExist: true, timeout: 0 });
  } catch {
    return undefined; // no lock file: no Wattgate has run here
  }
  try {
    db.prepare('SELECT count(*) FROM sqlite_schema').get();
    return undefined;
  } catch (e) {
    return isBusy(e) ? lockedHolder(dataDir) : undefined;
  } finally {
    db.close();
  }
}
