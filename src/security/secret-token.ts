/**
 * Two-part bearer secrets, as lucia's sessions (ARCHITECTURE 11): a token is
 * `<id>.<secret>`, id = 16 random bytes and secret = 32 random bytes, both
 * base64url. The id is the database key; only SHA-256(secret) is stored, and
 * the check is a constant-time compare of the digests, so a database reader
 * cannot use a session and a timing probe learns nothing. The secret has 256
 * bits of entropy, so a fast hash is enough (no password-grade KDF needed).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const TOKEN_RE = /^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;

export interface NewToken {
  id: string;
  token: string;
  secretSha256: Buffer;
}

export const sha256 = (s: string | Buffer): Buffer => createHash('sha256').update(s).digest();

export function newToken(prefix = ''): NewToken {
  const id = randomBytes(16).toString('base64url');
  const secret = randomBytes(32).toString('base64url');
  return { id, token: `${prefix}${id}.${secret}`, secretSha256: sha256(secret) };
}

/** Splits a presented token; undefined for anything malformed (empty, `null`, 10 KB, bad base64 …). */
export function parseToken(raw: unknown, prefix = ''): { id: string; secret: string } | undefined {
  if (typeof raw !== 'string' || raw.length > 200 || !raw.startsWith(prefix)) return undefined;
  const m = TOKEN_RE.exec(raw.slice(prefix.length));
  return m?.[1] && m[2] ? { id: m[1], secret: m[2] } : undefined;
}

export function secretMatches(secret: string, storedSha256: Buffer): boolean {
  const d = sha256(secret);
  return d.length === storedSha256.length && timingSafeEqual(d, storedSha256);
}
