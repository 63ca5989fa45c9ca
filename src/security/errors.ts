/**
 * Security errors that carry data the API must answer with: the lock end
 * (SEC-A5: a locked account says until when) and a retry-after delay. Both
 * are WattgateErrors with stable codes; the API maps codes to statuses in
 * src/api/plugins/errors.ts.
 */
import { ErrorCodes, WattgateError } from '../shared/errors.js';

export class LockedError extends WattgateError {
  readonly lockedUntil: number;
  constructor(lockedUntil: number) {
    super(ErrorCodes.LOCKED, `account locked until ${new Date(lockedUntil).toISOString()}`);
    this.lockedUntil = lockedUntil;
  }
}

export class ThrottledError extends WattgateError {
  readonly retryAfterMs: number;
  constructor(retryAfterMs: number) {
    super(
      ErrorCodes.THROTTLED,
      `too many failed logins from this address; retry in ${Math.ceil(retryAfterMs / 1000)} s`,
    );
    this.retryAfterMs = retryAfterMs;
  }
}

/** The one answer for an unknown account and a wrong password (SEC-A5). */
export function authFailed(): WattgateError {
  return new WattgateError(ErrorCodes.AUTH_FAILED, 'wrong account name or password');
}

export function unauthenticated(): WattgateError {
  return new WattgateError(ErrorCodes.UNAUTHENTICATED, 'authentication required');
}
