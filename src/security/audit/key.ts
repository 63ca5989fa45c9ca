/**
 * The audit MAC key (SECURITY D3): 32 random bytes as hex in its own file
 * (`audit.key` in the data directory, mode 0600, owned by the service
 * account), never in the database it protects. Created once, atomically:
 * written to a temporary file, fsynced, then hard-linked to its name, which
 * fails if another process (the CLI, a second start) created it first — then
 * that key is used. A file that is not exactly 64 hex digits is refused with
 * a clear error instead of being silently replaced, because replacing it
 * would make every existing record fail verification.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ErrorCodes, WattgateError } from '../../shared/errors.js';

const KEY_HEX = /^[0-9a-f]{64}\n?$/;

export function readAuditKey(path: string): Buffer | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new WattgateError(
      ErrorCodes.STORAGE,
      `cannot read the audit key ${path}: ${(e as Error).message}`,
      {
        cause: e,
      },
    );
  }
  if (!KEY_HEX.test(text))
    throw new WattgateError(ErrorCodes.STORAGE, `the audit key ${path} is not 64 hexadecimal digits`);
  return Buffer.from(text.trim(), 'hex');
}

/** The key, created on first use; `created` tells whether this call made it. */
export function ensureAuditKey(path: string): { key: Buffer; created: boolean } {
  const existing = readAuditKey(path);
  if (existing) return { key: existing, created: false };
  const key = randomBytes(32);
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}`);
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, `${key.toString('hex')}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(tmp, path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    return { key: readAuditKey(path) as Buffer, created: false };
  } finally {
    unlinkSync(tmp);
  }
  return { key, created: true };
}
