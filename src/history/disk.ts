/**
 * Free space of the file system holding the history database (statfs), for
 * the low-disk rule: below the reserve, history stops growing its file and
 * overwrites its oldest data instead, so settings, accounts and the audit log
 * on the same disk can still be written.
 */
import { statfsSync, statSync } from 'node:fs';

/** Bytes available to this process in the directory's file system, or undefined. */
export function freeBytesOf(dir: string): number | undefined {
  try {
    const s = statfsSync(dir);
    return s.bavail * s.bsize;
  } catch {
    return undefined;
  }
}

/** Size of the database file plus its WAL, in bytes (0 for files that do not exist). */
export function fileBytes(path: string): number {
  let total = 0;
  for (const p of [path, `${path}-wal`]) {
    try {
      total += statSync(p).size;
    } catch {
      // not there
    }
  }
  return total;
}
