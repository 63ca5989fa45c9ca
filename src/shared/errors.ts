/**
 * The one error base class. Every error Wattgate raises on purpose carries a
 * stable code (`WG_ERR_*`) that callers, the API error mapper and tests match on;
 * never match on message text. Guards (`isWattgateError`, `hasCode`) are the only
 * way to test for a kind of error.
 */

export const ErrorCodes = {
  /** Input that failed validation: configuration, import, request body. */
  INVALID_CONFIG: 'WG_ERR_INVALID_CONFIG',
  /** A value or argument outside its documented range (programming or user input). */
  INVALID_ARGUMENT: 'WG_ERR_INVALID_ARGUMENT',
  /** Bytes that do not form a valid frame or PDU. */
  MALFORMED_FRAME: 'WG_ERR_MALFORMED_FRAME',
  /** A request to a device or peer did not complete in time. */
  TIMEOUT: 'WG_ERR_TIMEOUT',
  /** A bounded queue or pool is full. */
  BUSY: 'WG_ERR_BUSY',
  /** No path to the target: no route, a disabled line or device, a connection that is down. */
  UNAVAILABLE: 'WG_ERR_UNAVAILABLE',
  /** The work was abandoned because its requester went away or its deadline passed. */
  ABORTED: 'WG_ERR_ABORTED',
  /** Storage failed: open, migrate, write, or a database from a newer release. */
  STORAGE: 'WG_ERR_STORAGE',
  /** A migration file set that is inconsistent (gap, duplicate, changed after apply). */
  MIGRATION: 'WG_ERR_MIGRATION',
  /** A part was used outside its lifecycle (before start, after stop). */
  LIFECYCLE: 'WG_ERR_LIFECYCLE',
  /** Something that should exist does not. */
  NOT_FOUND: 'WG_ERR_NOT_FOUND',
  /** An operation that is not supported in this state or build. */
  UNSUPPORTED: 'WG_ERR_UNSUPPORTED',
  /** Wrong user name or password (one code for both: SEC-A5). */
  AUTH_FAILED: 'WG_ERR_AUTH_FAILED',
  /** No valid session or API token on a route that needs one. */
  UNAUTHENTICATED: 'WG_ERR_UNAUTHENTICATED',
  /** Authenticated, but the role does not allow this (or a CSRF check failed). */
  FORBIDDEN: 'WG_ERR_FORBIDDEN',
  /** The account is locked after too many failed logins (S4); carries the unlock time. */
  LOCKED: 'WG_ERR_LOCKED',
  /** A source sends attempts faster than its progressive delay allows; carries a retry-after. */
  THROTTLED: 'WG_ERR_THROTTLED',
  /** A new password breaks the password rules (S2) or is on the blocklist. */
  PASSWORD_POLICY: 'WG_ERR_PASSWORD_POLICY',
  /** The request conflicts with the current state (e.g. first start already done). */
  CONFLICT: 'WG_ERR_CONFLICT',
  /** An unexpected failure on the other side of a thread boundary (rpc.ts): a bug, logged there. */
  INTERNAL: 'WG_ERR_INTERNAL',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

export interface ErrorDetail {
  /** JSON-pointer-like path of the offending value, e.g. `/modbus/port`. */
  path: string;
  /** Human-readable rule that failed, naming the expectation. */
  message: string;
}

export class WattgateError extends Error {
  readonly code: ErrorCode;
  readonly details: readonly ErrorDetail[];

  constructor(
    code: ErrorCode,
    message: string,
    options?: { cause?: unknown; details?: readonly ErrorDetail[] },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'WattgateError';
    this.code = code;
    this.details = options?.details ?? [];
  }

  /** JSON shape used in logs and API answers: never includes a stack. */
  toJSON(): { code: ErrorCode; message: string; details?: readonly ErrorDetail[] } {
    return this.details.length > 0
      ? { code: this.code, message: this.message, details: this.details }
      : { code: this.code, message: this.message };
  }
}

export function isWattgateError(e: unknown): e is WattgateError {
  return e instanceof WattgateError;
}

export function hasCode(e: unknown, code: ErrorCode): e is WattgateError {
  return isWattgateError(e) && e.code === code;
}

export const isTimeout = (e: unknown): e is WattgateError => hasCode(e, ErrorCodes.TIMEOUT);
export const isBusy = (e: unknown): e is WattgateError => hasCode(e, ErrorCodes.BUSY);
export const isUnavailable = (e: unknown): e is WattgateError => hasCode(e, ErrorCodes.UNAVAILABLE);
export const isInvalidConfig = (e: unknown): e is WattgateError => hasCode(e, ErrorCodes.INVALID_CONFIG);
