/**
 * The device code (PRODUCT S3, SECURITY A6): no default credential exists.
 * At first start a random code of 20 Crockford base32 characters (100 bits,
 * shown as XXXX-XXXX-XXXX-XXXX-XXXX) is generated; it is
 * - written to `<dataDir>/device-code` with mode 0600 (service account only),
 * - shown ONCE on the console through the `show` callback (stdout, never the
 *   logger: it must not reach a log line),
 * - stored in the database only as SHA-256 (100 random bits: no KDF needed),
 *   compared in constant time.
 * It is needed to set the first admin password and to reset the admin
 * password locally (recovery.ts). Factory reset deletes the database and the
 * file, so the next start makes a new one. Input is normalised: case, spaces,
 * dashes and the look-alikes I/L→1, O→0 are forgiven.
 */
import { randomInt, timingSafeEqual } from 'node:crypto';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { renderUnicodeCompact } from 'uqr';
import { writeFileAtomic } from '../db/atomic-file.js';
import { sha256 } from './secret-token.js';

export const DEVICE_CODE_FILE = 'device-code';
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const LENGTH = 20;

export function generateDeviceCode(): string {
  let s = '';
  for (let i = 0; i < LENGTH; i++) s += ALPHABET[randomInt(ALPHABET.length)];
  return s.replace(/(.{4})(?=.)/g, '$1-');
}

/** Canonical form used for hashing: upper case, separators removed, look-alikes mapped. */
export function normaliseDeviceCode(input: string): string {
  return input.toUpperCase().replace(/[\s-]/g, '').replace(/[IL]/g, '1').replace(/O/g, '0');
}

export function hasDeviceCode(db: Database.Database): boolean {
  return db.prepare('SELECT 1 FROM device_code WHERE singleton = 1').get() !== undefined;
}

/**
 * Creates the device code when none exists (first start, or after a factory
 * reset): file first, then the database row, then `show`. Returns true when a
 * new code was made. Requires the accounts migrations to have run.
 */
export function ensureDeviceCode(
  db: Database.Database,
  dataDir: string,
  now: number,
  show: (code: string, file: string) => void,
): boolean {
  if (hasDeviceCode(db)) return false;
  const code = generateDeviceCode();
  const file = join(dataDir, DEVICE_CODE_FILE);
  writeFileAtomic(file, `${code}\n`, { mode: 0o600 });
  db.prepare('INSERT INTO device_code (singleton, code_sha256, created_at) VALUES (1, ?, ?)').run(
    sha256(normaliseDeviceCode(code)),
    now,
  );
  show(code, file);
  return true;
}

export function verifyDeviceCode(db: Database.Database, input: unknown): boolean {
  if (typeof input !== 'string' || input.length > 64) return false;
  const row = db.prepare('SELECT code_sha256 AS h FROM device_code WHERE singleton = 1').get() as
    | { h: Buffer }
    | undefined;
  if (!row) return false;
  const d = sha256(normaliseDeviceCode(input));
  return timingSafeEqual(d, row.h);
}

/**
 * The console banner: the only place the code is printed. The code is also
 * drawn as a terminal QR code (uqr, Unicode half blocks, alphanumeric mode)
 * with the text beside it, so it can be read with a phone; the QR block holds
 * the code only as modules, so the text form appears exactly once. Width
 * stays near 80 columns (QR 27 + text 45, plus the data file path).
 */
export function deviceCodeBanner(code: string, file: string): string {
  const qr = renderUnicodeCompact(code, { border: 1, ecc: 'M' }).split('\n');
  const text = [
    '',
    `Device code: ${code}`,
    '',
    'Needed to set the admin password (open',
    'https://<this host>/first-start) and for',
    'local password recovery. Also stored in',
    `${file} (mode 0600).`,
    'It is shown only this once.',
  ];
  const width = Math.max(...qr.map((l) => l.length));
  const rows = Math.max(qr.length, text.length);
  const body: string[] = [];
  for (let i = 0; i < rows; i++) {
    body.push(`  ${(qr[i] ?? '').padEnd(width)}  ${text[i] ?? ''}`.trimEnd());
  }
  return [
    '',
    '==================== Wattgate first start ====================',
    ...body,
    '==============================================================',
    '',
  ].join('\n');
}
