/**
 * Account store (PRODUCT S1, S13; SECURITY A3, A4) in the durable settings
 * database, migrations in src/storage/migrations/accounts/.
 *
 * Built-in accounts `admin` (role admin) and `support` (role support) exist from
 * first start without a password: nobody can log in until the first-start
 * route (device code) sets the admin password, and the admin sets support's.
 *
 * Lockout state is one counter per account, shared by every way to log in.
 * `recordFailure` and `recordSuccess` are single IMMEDIATE transactions that
 * re-read the row, so 50 parallel attempts never lose an increment nor slip
 * past a lock set by another; each commits (fsync, synchronous=FULL) before
 * the caller answers, so kill -9 after an answer cannot forget a failure.
 */
import type Database from 'better-sqlite3';
import { migrationsDir, runMigrations } from '../db/migrations.js';
import { ErrorCodes, WattgateError } from '../shared/errors.js';
import { isLocked, type LockoutPolicy, lockDurationAfter, REFERENCE_LOCKOUT } from './lockout.js';
import type { Role } from './roles.js';

export const ACCOUNTS_STORE = 'accounts';
export const BUILTIN_ACCOUNTS: ReadonlyArray<{ name: string; role: Role }> = [
  { name: 'admin', role: 'admin' },
  { name: 'support', role: 'support' },
];
export const ACCOUNT_NAME_PATTERN = '^[A-Za-z][A-Za-z0-9._-]{0,31}$';

export interface Account {
  id: number;
  name: string;
  role: Role;
  builtin: boolean;
  passwordHash: string | null;
  failures: number;
  lockedUntil: number | null;
}

export type AttemptResult =
  | { kind: 'counted'; failures: number; lockedUntil: number | null }
  | { kind: 'locked'; lockedUntil: number }
  | { kind: 'ok' };

const SELECT = `SELECT id, name, role, builtin, password_hash AS passwordHash, failures,
  locked_until AS lockedUntil FROM accounts`;

function toAccount(row: unknown): Account | undefined {
  if (!row) return undefined;
  const r = row as Omit<Account, 'builtin'> & { builtin: number };
  return { ...r, builtin: r.builtin === 1 };
}

export class AccountStore {
  readonly db: Database.Database;
  readonly policy: LockoutPolicy;

  /** Applies the accounts migrations and creates the built-in accounts when missing. */
  constructor(db: Database.Database, opts: { now: number; policy?: LockoutPolicy }) {
    this.db = db;
    this.policy = opts.policy ?? REFERENCE_LOCKOUT;
    runMigrations(db, { store: ACCOUNTS_STORE, dir: migrationsDir(import.meta.url) });
    const insert = db.prepare(
      'INSERT OR IGNORE INTO accounts (name, role, builtin, created_at) VALUES (?, ?, 1, ?)',
    );
    db.transaction(() => {
      for (const b of BUILTIN_ACCOUNTS) insert.run(b.name, b.role, opts.now);
    }).immediate();
  }

  get(name: string): Account | undefined {
    return toAccount(this.db.prepare(`${SELECT} WHERE name = ?`).get(name));
  }

  byId(id: number): Account | undefined {
    return toAccount(this.db.prepare(`${SELECT} WHERE id = ?`).get(id));
  }

  list(): Account[] {
    return this.db
      .prepare(`${SELECT} ORDER BY id`)
      .all()
      .map((r) => toAccount(r) as Account);
  }

  create(name: string, role: Role, passwordHash: string, now: number): Account {
    if (!new RegExp(ACCOUNT_NAME_PATTERN).test(name)) {
      throw new WattgateError(ErrorCodes.INVALID_ARGUMENT, `invalid account name ${JSON.stringify(name)}`);
    }
    if (this.get(name)) throw new WattgateError(ErrorCodes.CONFLICT, `account ${name} already exists`);
    this.db
      .prepare(
        'INSERT INTO accounts (name, role, password_hash, password_changed_at, created_at) VALUES (?, ?, ?, ?, ?)',
      )
      .run(name, role, passwordHash, now, now);
    return this.get(name) as Account;
  }

  /** Sets a new password hash, clears the lockout state and ends every session of the account. */
  setPassword(id: number, passwordHash: string, now: number): void {
    this.db
      .transaction(() => {
        this.db
          .prepare(
            'UPDATE accounts SET password_hash = ?, password_changed_at = ?, failures = 0, locked_until = NULL WHERE id = ?',
          )
          .run(passwordHash, now, id);
        this.db.prepare('DELETE FROM sessions WHERE account_id = ?').run(id);
      })
      .immediate();
  }

  /** Counts one failed login, unless the account is locked at `now`; locks on the thresholds. */
  recordFailure(id: number, now: number): AttemptResult {
    return this.db
      .transaction((): AttemptResult => {
        const a = this.byId(id);
        if (!a) throw new WattgateError(ErrorCodes.NOT_FOUND, 'account vanished');
        if (isLocked(a.lockedUntil, now)) return { kind: 'locked', lockedUntil: a.lockedUntil as number };
        const failures = a.failures + 1;
        const lockMs = lockDurationAfter(failures, this.policy);
        const lockedUntil = lockMs > 0 ? now + lockMs : null;
        this.db
          .prepare('UPDATE accounts SET failures = ?, locked_until = ? WHERE id = ?')
          .run(failures, lockedUntil, id);
        return { kind: 'counted', failures, lockedUntil };
      })
      .immediate();
  }

  /** A correct password: refused when locked meanwhile, else resets the count. */
  recordSuccess(id: number, now: number): AttemptResult {
    return this.db
      .transaction((): AttemptResult => {
        const a = this.byId(id);
        if (!a) throw new WattgateError(ErrorCodes.NOT_FOUND, 'account vanished');
        if (isLocked(a.lockedUntil, now)) return { kind: 'locked', lockedUntil: a.lockedUntil as number };
        if (a.failures !== 0 || a.lockedUntil !== null) {
          this.db.prepare('UPDATE accounts SET failures = 0, locked_until = NULL WHERE id = ?').run(id);
        }
        return { kind: 'ok' };
      })
      .immediate();
  }

  /** A failed login for a name that is no account: one durable write, like a real failure. */
  recordUnknownFailure(): void {
    this.db
      .prepare('UPDATE login_stats SET unknown_failures = unknown_failures + 1 WHERE singleton = 1')
      .run();
  }

  /** Clears failures and lock (the `wattgate unlock` recovery path). False when no such account. */
  unlock(name: string): boolean {
    const r = this.db
      .prepare('UPDATE accounts SET failures = 0, locked_until = NULL WHERE name = ?')
      .run(name);
    return r.changes === 1;
  }

  /** Gives an account another role (sessions pick it up at their next request). Built-ins keep theirs. */
  setRole(name: string, role: Role): Account {
    const a = this.get(name);
    if (!a) throw new WattgateError(ErrorCodes.NOT_FOUND, `no account named ${name}`);
    if (a.builtin && a.role !== role)
      throw new WattgateError(ErrorCodes.FORBIDDEN, `built-in account ${a.name} keeps its role (${a.role})`);
    this.db.prepare('UPDATE accounts SET role = ? WHERE id = ?').run(role, a.id);
    return this.get(name) as Account;
  }

  /** Removes an account and (foreign key cascade) its sessions. Built-ins cannot be deleted. */
  delete(name: string): boolean {
    const a = this.get(name);
    if (!a) return false;
    if (a.builtin)
      throw new WattgateError(ErrorCodes.FORBIDDEN, `built-in account ${a.name} cannot be deleted`);
    return this.db.prepare('DELETE FROM accounts WHERE id = ?').run(a.id).changes === 1;
  }
}
