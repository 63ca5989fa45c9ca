/**
 * Login, first start and password change (PRODUCT S3, S4; SECURITY A4, A5, A6,
 * J1): the one path every way to log in goes through, so there is one lockout
 * counter per account.
 *
 * Login order, each step before the next:
 * 1. per-source progressive delay (ThrottledError, nothing counted);
 * 2. the account's lock, read BEFORE any hashing (LockedError with the end);
 * 3. the bounded hasher (BusyError → 429, nothing counted); unknown accounts
 *    and accounts without a password are verified against a dummy hash;
 * 4. the result is committed to the database (failure count, lock) BEFORE
 *    returning, so the HTTP answer always follows a durable write;
 * 5. unknown account and wrong password give the same error (AUTH_FAILED);
 *    the failure that sets a lock answers LOCKED with its end.
 */
import type { Clock } from '../shared/clock.js';
import { ErrorCodes, hasCode, WattgateError } from '../shared/errors.js';
import type { Account, AccountStore } from './accounts.js';
import { verifyDeviceCode } from './device-code.js';
import { authFailed, LockedError } from './errors.js';
import { isLocked } from './lockout.js';
import { assertPasswordAcceptable, type PasswordProfile } from './password-policy.js';
import type { PasswordHasher } from './passwords.js';
import type { SessionStore } from './sessions.js';
import type { SourceThrottle } from './source-throttle.js';

export interface AuthDeps {
  accounts: AccountStore;
  sessions: SessionStore;
  hasher: PasswordHasher;
  throttle: SourceThrottle;
  clock: Clock;
  /** Current password profile (live configuration). */
  profile: () => PasswordProfile;
  /** Security events for the audit log (no secrets in payloads). */
  onEvent?: (event: SecurityEvent) => void;
}

/** How the actor of an administrative event authenticated: a login session or an API token. */
export type Via = 'session' | 'token';

export type SecurityEvent =
  | { type: 'login.success'; account: string; source: string }
  | { type: 'login.failure'; account: string; source: string; known: boolean; storage?: 'failed' }
  | { type: 'login.locked'; account: string; source: string; lockedUntil: number }
  | { type: 'login.refused-locked'; account: string; source: string; lockedUntil: number }
  | { type: 'password.changed'; account: string; actor: string }
  | { type: 'logout'; account: string; source: string }
  | { type: 'sessions.ended'; account: string; actor: string; via: Via; count: number; source: string }
  | { type: 'account.created'; account: string; role: string; actor: string; source: string }
  | { type: 'account.unlocked'; account: string; actor: string; via: Via; source: string }
  | { type: 'account.role-changed'; account: string; from: string; to: string; actor: string; source: string }
  | { type: 'account.deleted'; account: string; role: string; actor: string; source: string }
  | { type: 'first-start.done'; source: string }
  /** A refused first-start attempt: the reason and the broken password rules, never the code or password. */
  | {
      type: 'first-start.failure';
      source: string;
      reason: 'wrong-device-code' | 'password-refused';
      rules?: readonly string[];
    }
  | { type: 'token.created'; token: string; role: string; expiresAt: number; actor: string }
  | { type: 'token.revoked'; token: string; actor: string }
  | { type: 'certificate.replaced'; fingerprintSha256: string; actor: string }
  | {
      type: 'token.used';
      token: string;
      role: string;
      method: string;
      route: string;
      source: string;
      allowed: boolean;
    }
  | { type: 'token.refused'; reason: string; token?: string; source: string };

export interface LoginResult {
  account: Account;
  token: string;
  sessionId: string;
  csrfToken: string;
}

export class AuthService {
  readonly #d: AuthDeps;

  constructor(deps: AuthDeps) {
    this.#d = deps;
  }

  async login(name: string, password: string, source: string): Promise<LoginResult> {
    const { accounts, clock, throttle } = this.#d;
    throttle.check(source);
    const account = accounts.get(name);
    if (account && isLocked(account.lockedUntil, clock.now())) {
      this.#emit({
        type: 'login.refused-locked',
        account: account.name,
        source,
        lockedUntil: account.lockedUntil as number,
      });
      throw new LockedError(account.lockedUntil as number);
    }
    const ok = account?.passwordHash
      ? await this.#d.hasher.verify(password, account.passwordHash)
      : await this.#d.hasher.verifyDummy(password);
    if (!account?.passwordHash) {
      this.#recorded(name, source, false, () => accounts.recordUnknownFailure());
      return this.#failed(name, source, false);
    }
    if (!ok) {
      const r = this.#recorded(account.name, source, true, () =>
        accounts.recordFailure(account.id, clock.now()),
      );
      if (r.kind === 'locked') throw new LockedError(r.lockedUntil);
      if (r.kind === 'counted' && r.lockedUntil !== null) {
        throttle.failure(source);
        this.#emit({ type: 'login.locked', account: account.name, source, lockedUntil: r.lockedUntil });
        throw new LockedError(r.lockedUntil);
      }
      return this.#failed(account.name, source, true);
    }
    return this.#succeed(account, source);
  }

  #succeed(account: Account, source: string): LoginResult {
    const now = this.#d.clock.now();
    const r = this.#recorded(account.name, source, true, () =>
      this.#d.accounts.recordSuccess(account.id, now),
    );
    if (r.kind === 'locked') throw new LockedError(r.lockedUntil);
    this.#d.throttle.success(source);
    const s = this.#d.sessions.create(account.id, now, source);
    this.#emit({ type: 'login.success', account: account.name, source });
    return { account, token: s.token, sessionId: s.id, csrfToken: s.csrfToken };
  }

  /**
   * An attempt's bookkeeping write (the lockout counter must be stored before
   * the answer, S4). When the disk refuses it (full), the attempt is refused
   * — never answered as if it had been counted — with 503, and still reported:
   * the audit log keeps the event in memory until it can write it (issue 14).
   */
  #recorded<T>(name: string, source: string, known: boolean, write: () => T): T {
    try {
      return write();
    } catch (cause) {
      this.#emit({ type: 'login.failure', account: name.slice(0, 64), source, known, storage: 'failed' });
      throw new WattgateError(
        ErrorCodes.UNAVAILABLE,
        'the login attempt cannot be recorded now (storage failing): try again later',
        { cause },
      );
    }
  }

  #failed(name: string, source: string, known: boolean): never {
    this.#d.throttle.failure(source);
    this.#emit({ type: 'login.failure', account: name.slice(0, 64), source, known });
    throw authFailed();
  }

  /** True while the admin account has no password (first start not done). */
  firstStartPending(): boolean {
    const admin = this.#d.accounts.get('admin');
    return admin !== undefined && admin.passwordHash === null;
  }

  /**
   * Sets the first admin password; needs the device code; only once. Logs the
   * admin in. A wrong device code (counted by the per-source delay) and a
   * password the rules refuse are reported as `first-start.failure` (SECURITY
   * D1); a call after first start is done only answers CONFLICT (not recorded:
   * it proves nothing and is not throttled, so it could flood the ring).
   */
  async firstStart(deviceCode: string, password: string, source: string): Promise<LoginResult> {
    this.#d.throttle.check(source);
    if (!this.firstStartPending()) {
      throw new WattgateError(ErrorCodes.CONFLICT, 'the admin password is already set');
    }
    if (!verifyDeviceCode(this.#d.accounts.db, deviceCode)) {
      this.#d.throttle.failure(source);
      this.#emit({ type: 'first-start.failure', source, reason: 'wrong-device-code' });
      throw new WattgateError(ErrorCodes.AUTH_FAILED, 'wrong device code');
    }
    try {
      assertPasswordAcceptable(password, this.#d.profile(), 'admin');
    } catch (e) {
      if (hasCode(e, ErrorCodes.PASSWORD_POLICY)) {
        const rules = e.details.map((d) => d.message);
        this.#emit({ type: 'first-start.failure', source, reason: 'password-refused', rules });
      }
      throw e;
    }
    const hash = await this.#d.hasher.hash(password);
    const admin = this.#d.accounts.get('admin') as Account;
    this.#d.accounts.setPassword(admin.id, hash, this.#d.clock.now());
    this.#emit({ type: 'first-start.done', source });
    return this.#succeed(this.#d.accounts.byId(admin.id) as Account, source);
  }

  /**
   * Changes the caller's own password after checking the current one (which
   * counts as a login attempt: lockout applies). Ends every session of the
   * account and returns a new one for the caller.
   */
  async changePassword(
    account: Account,
    current: string,
    next: string,
    source: string,
  ): Promise<LoginResult> {
    assertPasswordAcceptable(next, this.#d.profile(), account.name);
    await this.login(account.name, current, source).then((r) => this.#d.sessions.end(r.sessionId));
    const hash = await this.#d.hasher.hash(next);
    this.#d.accounts.setPassword(account.id, hash, this.#d.clock.now());
    this.#emit({ type: 'password.changed', account: account.name, actor: account.name });
    return this.#succeed(this.#d.accounts.byId(account.id) as Account, source);
  }

  #emit(e: SecurityEvent): void {
    this.#d.onEvent?.(e);
  }
}
