/**
 * Server-side sessions (PRODUCT S5, SECURITY B2, A7). The cookie carries
 * `<id>.<secret>` (secret-token.ts); the database holds the id, SHA-256 of the
 * secret, the account, creation and last-seen times (epoch ms from the
 * injected Clock).
 *
 * - A new session (new id) at every login; the old cookie is never reused.
 * - Idle timeout (default 15 min) and absolute timeout (default 12 h): a
 *   session is dead when `now - lastSeen >= idle` or `now - created >= absolute`;
 *   a dead session is deleted when presented.
 * - last_seen is written at most every TOUCH_INTERVAL_MS (10 s) to spare the
 *   durable database a write per request; the idle timeout is therefore exact
 *   to within 10 s of activity. The write is best-effort (issue 14): when the
 *   disk is full it fails, the request is still answered — a read must not
 *   fail because a bookkeeping write did — and the session may end at its
 *   idle timeout counted from the last write that succeeded.
 * - Logout ends one session; a password change ends all of the account's;
 *   an admin can end all sessions of any account.
 * - The CSRF token is derived from the session secret (SHA-256 with a label),
 *   so it is stored nowhere and is useless without the cookie.
 */
import type Database from 'better-sqlite3';
import type { Account, AccountStore } from './accounts.js';
import { newToken, parseToken, secretMatches, sha256 } from './secret-token.js';

export interface SessionTimeouts {
  idleMs: number;
  absoluteMs: number;
}

export const DEFAULT_SESSION_TIMEOUTS: SessionTimeouts = { idleMs: 15 * 60_000, absoluteMs: 12 * 3_600_000 };
export const TOUCH_INTERVAL_MS = 10_000;

export interface Session {
  id: string;
  accountId: number;
  createdAt: number;
  lastSeenAt: number;
  source: string | null;
}

export interface ValidSession {
  session: Session;
  account: Account;
  csrfToken: string;
}

interface Row extends Session {
  secret: Buffer;
}

export function csrfTokenFor(secret: string): string {
  return sha256(`wattgate-csrf\0${secret}`).toString('base64url');
}

export class SessionStore {
  readonly #db: Database.Database;
  readonly #accounts: AccountStore;

  constructor(accounts: AccountStore) {
    this.#db = accounts.db;
    this.#accounts = accounts;
  }

  create(accountId: number, now: number, source?: string): { token: string; id: string; csrfToken: string } {
    const t = newToken();
    this.#db
      .prepare(
        'INSERT INTO sessions (id, secret_sha256, account_id, created_at, last_seen_at, source) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(t.id, t.secretSha256, accountId, now, now, source ?? null);
    const secret = t.token.slice(t.id.length + 1);
    return { token: t.token, id: t.id, csrfToken: csrfTokenFor(secret) };
  }

  /** The session behind a presented token, or undefined (malformed, unknown, wrong secret, expired). */
  validate(raw: unknown, now: number, timeouts: SessionTimeouts): ValidSession | undefined {
    const parsed = parseToken(raw);
    if (!parsed) return undefined;
    const row = this.#db
      .prepare(
        `SELECT id, secret_sha256 AS secret, account_id AS accountId, created_at AS createdAt,
         last_seen_at AS lastSeenAt, source FROM sessions WHERE id = ?`,
      )
      .get(parsed.id) as Row | undefined;
    if (!row || !secretMatches(parsed.secret, row.secret)) return undefined;
    if (now - row.lastSeenAt >= timeouts.idleMs || now - row.createdAt >= timeouts.absoluteMs) {
      try {
        this.end(row.id);
      } catch {
        // disk full: the session is refused all the same; the sweep deletes it later
      }
      return undefined;
    }
    const account = this.#accounts.byId(row.accountId);
    if (!account) return undefined;
    if (now - row.lastSeenAt >= TOUCH_INTERVAL_MS) {
      if (touch(this.#db, 'UPDATE sessions SET last_seen_at = ? WHERE id = ?', now, row.id))
        row.lastSeenAt = now;
    }
    const { secret: _s, ...session } = row;
    return { session, account, csrfToken: csrfTokenFor(parsed.secret) };
  }

  /** Ends one session; false when there was none with this id. */
  end(id: string): boolean {
    return this.#db.prepare('DELETE FROM sessions WHERE id = ?').run(id).changes > 0;
  }

  /** The sessions that are still valid at `now`, newest first (no secrets: ids only). */
  list(now: number, timeouts: SessionTimeouts): Array<Session & { account: string }> {
    return this.#db
      .prepare(
        `SELECT s.id, s.account_id AS accountId, s.created_at AS createdAt, s.last_seen_at AS lastSeenAt,
         s.source, a.name AS account FROM sessions s JOIN accounts a ON a.id = s.account_id
         WHERE s.last_seen_at > ? AND s.created_at > ? ORDER BY s.created_at DESC, s.id`,
      )
      .all(now - timeouts.idleMs, now - timeouts.absoluteMs) as Array<Session & { account: string }>;
  }

  /** Ends every session of an account; returns how many. */
  endAll(accountId: number): number {
    return this.#db.prepare('DELETE FROM sessions WHERE account_id = ?').run(accountId).changes;
  }

  countFor(accountId: number): number {
    const r = this.#db.prepare('SELECT count(*) AS n FROM sessions WHERE account_id = ?').get(accountId) as {
      n: number;
    };
    return r.n;
  }

  /** Deletes sessions that can no longer be valid (run periodically). */
  sweep(now: number, timeouts: SessionTimeouts): number {
    return this.#db
      .prepare('DELETE FROM sessions WHERE last_seen_at <= ? OR created_at <= ?')
      .run(now - timeouts.idleMs, now - timeouts.absoluteMs).changes;
  }
}

/** A best-effort bookkeeping write (last seen, last used): false when the disk refuses it. */
export function touch(db: Database.Database, sql: string, now: number, id: string): boolean {
  try {
    db.prepare(sql).run(now, id);
    return true;
  } catch {
    return false; // e.g. SQLITE_FULL: the request is answered all the same
  }
}
