/**
 * API tokens for integrations (PRODUCT S13, SECURITY B5): created by an admin
 * with a name, a role and an expiry; the secret is returned ONCE at creation
 * and only SHA-256 of it is stored (secret-token.ts: `wgt_<id>.<secret>`, 256
 * random bits, constant-time compare). Revoking keeps the row (revoked_at) so
 * past uses stay attributable to a name, which is therefore never reused.
 * Listing never returns the id or the secret digest.
 *
 * `validate` answers the token behind a presented `Authorization: Bearer`
 * value, or why not (malformed / unknown / expired / revoked): expired means
 * `now >= expiresAt`. last_used_at is written at most every TOUCH_INTERVAL_MS,
 * sparing the durable database a write per request, and best-effort: a full
 * disk never fails a request authenticated by a token (issue 14); every use
 * is reported through the security event hook by the API (src/api/plugins/auth.ts).
 */
import type Database from 'better-sqlite3';
import { ErrorCodes, WattgateError } from '../shared/errors.js';
import type { Role } from './roles.js';
import { newToken, parseToken, secretMatches } from './secret-token.js';
import { TOUCH_INTERVAL_MS, touch } from './sessions.js';

export const TOKEN_PREFIX = 'wgt_';
export const TOKEN_NAME_PATTERN = '^[A-Za-z][A-Za-z0-9._-]{0,63}$';
/** Longest validity an admin may give a token. */
export const MAX_TOKEN_LIFETIME_MS = 2 * 366 * 86_400_000;

export interface ApiTokenInfo {
  name: string;
  role: Role;
  createdBy: string;
  createdAt: number;
  expiresAt: number;
  revokedAt: number | null;
  lastUsedAt: number | null;
}

export interface ValidToken extends ApiTokenInfo {
  id: string;
}

export type TokenCheck =
  | { ok: true; token: ValidToken }
  | { ok: false; reason: 'malformed' | 'unknown' }
  | { ok: false; reason: 'expired' | 'revoked'; name: string };

interface Row extends ValidToken {
  secret: Buffer;
}

const SELECT = `SELECT id, name, role, secret_sha256 AS secret, created_by AS createdBy,
  created_at AS createdAt, expires_at AS expiresAt, revoked_at AS revokedAt,
  last_used_at AS lastUsedAt FROM api_tokens`;

function info(r: Row): ApiTokenInfo {
  const { name, role, createdBy, createdAt, expiresAt, revokedAt, lastUsedAt } = r;
  return { name, role, createdBy, createdAt, expiresAt, revokedAt, lastUsedAt };
}

export class ApiTokenStore {
  readonly #db: Database.Database;

  /** The api_tokens table comes with the accounts migrations (AccountStore runs them). */
  constructor(db: Database.Database) {
    this.#db = db;
  }

  /** Creates a token; the returned `secret` is the only time the full token exists outside the caller. */
  create(
    name: string,
    role: Role,
    expiresAt: number,
    createdBy: string,
    now: number,
  ): { secret: string; token: ApiTokenInfo } {
    if (!new RegExp(TOKEN_NAME_PATTERN).test(name))
      throw new WattgateError(ErrorCodes.INVALID_ARGUMENT, `invalid token name ${JSON.stringify(name)}`);
    if (!(expiresAt > now) || expiresAt - now > MAX_TOKEN_LIFETIME_MS)
      throw new WattgateError(
        ErrorCodes.INVALID_ARGUMENT,
        'the expiry must be in the future, within 2 years',
      );
    if (this.#row('name', name))
      throw new WattgateError(ErrorCodes.CONFLICT, `a token named ${name} exists (names are never reused)`);
    const t = newToken(TOKEN_PREFIX);
    this.#db
      .prepare(
        `INSERT INTO api_tokens (id, name, role, secret_sha256, created_by, created_at, expires_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(t.id, name, role, t.secretSha256, createdBy, now, expiresAt);
    return { secret: t.token, token: info(this.#row('id', t.id) as Row) };
  }

  list(): ApiTokenInfo[] {
    return (this.#db.prepare(`${SELECT} ORDER BY created_at, name`).all() as Row[]).map(info);
  }

  get(name: string): ApiTokenInfo | undefined {
    const r = this.#row('name', name);
    return r ? info(r) : undefined;
  }

  /** Revokes a token by name; false when no such token. Revoking twice keeps the first time. */
  revoke(name: string, now: number): boolean {
    if (!this.#row('name', name)) return false;
    this.#db
      .prepare('UPDATE api_tokens SET revoked_at = coalesce(revoked_at, ?) WHERE name = ?')
      .run(now, name);
    return true;
  }

  validate(raw: unknown, now: number): TokenCheck {
    const parsed = parseToken(raw, TOKEN_PREFIX);
    if (!parsed) return { ok: false, reason: 'malformed' };
    const row = this.#row('id', parsed.id);
    if (!row || !secretMatches(parsed.secret, row.secret)) return { ok: false, reason: 'unknown' };
    if (row.revokedAt !== null) return { ok: false, reason: 'revoked', name: row.name };
    if (now >= row.expiresAt) return { ok: false, reason: 'expired', name: row.name };
    if (row.lastUsedAt === null || now - row.lastUsedAt >= TOUCH_INTERVAL_MS) {
      if (touch(this.#db, 'UPDATE api_tokens SET last_used_at = ? WHERE id = ?', now, row.id))
        row.lastUsedAt = now;
    }
    return { ok: true, token: { id: row.id, ...info(row) } };
  }

  #row(by: 'id' | 'name', value: string): Row | undefined {
    return this.#db.prepare(`${SELECT} WHERE ${by} = ?`).get(value) as Row | undefined;
  }
}
