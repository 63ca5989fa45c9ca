/**
 * Builds the security services over the settings database: accounts (with
 * migrations and built-in accounts), sessions, API tokens, the bounded
 * password hasher, the per-source throttle and the login service, all on one
 * injected Clock and the live `web` configuration. `emit` is the one security
 * event hook (audit log), shared by the login service and the API.
 */
import type Database from 'better-sqlite3';
import type { WebConfig } from '../config/schema-web.js';
import type { Clock } from '../shared/clock.js';
import { AccountStore } from './accounts.js';
import { ApiTokenStore } from './api-tokens.js';
import { AuthService, type SecurityEvent } from './auth-service.js';
import type { PasswordProfile } from './password-policy.js';
import { PasswordHasher, type ScryptParams } from './passwords.js';
import { SessionStore, type SessionTimeouts } from './sessions.js';
import { SourceThrottle } from './source-throttle.js';

export interface SecurityServices {
  accounts: AccountStore;
  sessions: SessionStore;
  tokens: ApiTokenStore;
  hasher: PasswordHasher;
  throttle: SourceThrottle;
  auth: AuthService;
  timeouts: () => SessionTimeouts;
  /** Reports a security event (no secrets in payloads). */
  emit: (e: SecurityEvent) => void;
}

export interface SecurityOptions {
  db: Database.Database;
  clock: Clock;
  web: () => WebConfig;
  onEvent?: (e: SecurityEvent) => void;
  /** Tests only may lower the cost below the default; production never passes it. */
  scrypt?: ScryptParams;
}

export function createSecurity(opts: SecurityOptions): SecurityServices {
  const cfg = opts.web();
  const accounts = new AccountStore(opts.db, { now: opts.clock.now() });
  const sessions = new SessionStore(accounts);
  const tokens = new ApiTokenStore(opts.db);
  const emit = (e: SecurityEvent) => opts.onEvent?.(e);
  const hasher = new PasswordHasher({
    maxConcurrent: cfg.hashing.maxConcurrent,
    maxQueued: cfg.hashing.maxQueued,
    ...(opts.scrypt ? { params: opts.scrypt } : {}),
  });
  const throttle = new SourceThrottle(opts.clock, cfg.loginThrottle);
  const auth = new AuthService({
    accounts,
    sessions,
    hasher,
    throttle,
    clock: opts.clock,
    profile: () => opts.web().passwordProfile as PasswordProfile,
    onEvent: emit,
  });
  const timeouts = () => {
    const s = opts.web().session;
    return { idleMs: s.idleTimeoutMs, absoluteMs: s.absoluteTimeoutMs };
  };
  return { accounts, sessions, tokens, hasher, throttle, auth, timeouts, emit };
}
