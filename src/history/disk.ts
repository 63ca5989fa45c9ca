/**
 * Free space of the file system holding the history database (statfs), for
 * the low-disk rule: below the reserve, history stops growing its file and
 * overwrites its oldest data instead, so settings, accounts and the audit log
 * on the same disk can still be written.
 */
import { statfsSync, statSync } from 'node:fs';

/**
 * The reserve is at most this fraction of the volume: the configured 256 MiB
 * would be more than a whole small volume (a 40 MB partition), and history
 * would then overwrite its oldest data forever, even once space is back.
 */
export const MAX_RESERVE_FRACTION = 0.05;

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

/** Size of the directory's file system in bytes, or undefined. */
export function volumeBytesOf(dir: string): number | undefined {
  try {
    const s = statfsSync(dir);
    return s.blocks * s.bsize;
  } catch {
    return undefined;
  }
}

/** The free space below which history stops growing: the configured reserve, at most a fraction of the volume. */
export function effectiveReserve(configured: number, volumeBytes: number | undefined): number {
  return volumeBytes === undefined
    ? configured
    : Math.min(configured, Math.floor(volumeBytes * MAX_RESERVE_FRACTION));
}
