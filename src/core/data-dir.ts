/**
 * The data directory (ARCHITECTURE convention 18): one directory owned by the
 * service account, mode 0700, holding every store and key file. Its layout is
 * fixed here so that docs/operations.md, factory reset and backups agree.
 */
import { chmodSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCodes, WattgateError } from '../shared/errors.js';

export const DATA_LAYOUT = {
  /** Configuration (settings), durable profile. */
  settingsDb: 'settings.db',
  /** Audit log (durable profile), hash-chained records. */
  auditDb: 'audit.db',
  /** The audit log's MAC key (0600): outside the database it protects. */
  auditKey: 'audit.key',
  /** Time-series history (history profile: WAL + synchronous=NORMAL). */
  historyDb: 'history.db',
  /** Digital input counters (saved every minute and at stop). */
  inputCounters: 'input-counters.json',
  /** One Wattgate per data directory: the OS lock on this small SQLite file (instance-lock.ts). */
  instanceLock: 'instance.lock',
  /** Who holds the instance lock (PID, start time), for messages only: never used to decide. */
  instanceHolder: 'instance.pid',
  /** Written by `wattgate demo` in a directory it uses: the demo may replace its configuration. */
  demoMarker: 'demo',
} as const;

export interface DataDirReport {
  path: string;
  created: boolean;
  /** True when an existing directory was wider than 0700 and has been tightened. */
  tightened: boolean;
}

/** Creates the data directory (0700) or checks and tightens an existing one. */
export function ensureDataDir(path: string): DataDirReport {
  let created = false;
  try {
    const st = statSync(path);
    if (!st.isDirectory()) {
      throw new WattgateError(ErrorCodes.STORAGE, `data directory ${path} exists and is not a directory`);
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
      if (e instanceof WattgateError) throw e;
      throw new WattgateError(ErrorCodes.STORAGE, `data directory ${path} cannot be read`, { cause: e });
    }
    try {
      mkdirSync(path, { recursive: true, mode: 0o700 });
    } catch (err) {
      throw new WattgateError(ErrorCodes.STORAGE, `cannot create data directory ${path}`, { cause: err });
    }
    created = true;
  }
  const mode = statSync(path).mode & 0o777;
  let tightened = false;
  if ((mode & 0o077) !== 0) {
    chmodSync(path, 0o700);
    tightened = true;
  }
  return { path, created, tightened };
}

export function dataPath(dataDir: string, file: keyof typeof DATA_LAYOUT): string {
  return join(dataDir, DATA_LAYOUT[file]);
}
