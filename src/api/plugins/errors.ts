/**
 * Error mapping, the ONE place (ARCHITECTURE 10, SECURITY B6): WG_ERR_* code →
 * HTTP status; fastify's own errors (bad JSON, too large, wrong content type,
 * schema validation) → their 4xx. The body is always `{ code, message }` (plus
 * `details`, `lockedUntil` where relevant), never a stack trace; a request that
 * fails its schema gets `details`, one `{ path, message }` per field in the
 * user's terms (validation-messages.ts); unexpected
 * errors are logged and answered with a bare 500.
 */

import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import fp from 'fastify-plugin';
import { Settings } from 'typebox/system';
import { LockedError, ThrottledError } from '../../security/errors.js';
import { type ErrorCode, ErrorCodes, isWattgateError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import { type RawValidationError, validationMessage, validationProblems } from '../validation-messages.js';

export const STATUS_BY_CODE: Partial<Record<ErrorCode, number>> = {
  [ErrorCodes.INVALID_ARGUMENT]: 400,
  [ErrorCodes.INVALID_CONFIG]: 400,
  [ErrorCodes.PASSWORD_POLICY]: 400,
  [ErrorCodes.AUTH_FAILED]: 401,
  [ErrorCodes.UNAUTHENTICATED]: 401,
  [ErrorCodes.FORBIDDEN]: 403,
  [ErrorCodes.NOT_FOUND]: 404,
  [ErrorCodes.CONFLICT]: 409,
  [ErrorCodes.LOCKED]: 423,
  [ErrorCodes.BUSY]: 429,
  [ErrorCodes.THROTTLED]: 429,
  [ErrorCodes.UNAVAILABLE]: 503,
  [ErrorCodes.TIMEOUT]: 504,
};

export function statusFor(e: unknown): number {
  if (isWattgateError(e)) return STATUS_BY_CODE[e.code] ?? 500;
  const s = (e as FastifyError | undefined)?.statusCode;
  return typeof s === 'number' && s >= 400 && s < 500 ? s : 500;
}

/** Headers an error answer carries (Retry-After for 429). */
export function errorHeaders(e: unknown, reply: FastifyReply): void {
  if (e instanceof ThrottledError) reply.header('retry-after', String(Math.ceil(e.retryAfterMs / 1000)));
  else if (isWattgateError(e) && e.code === ErrorCodes.BUSY) reply.header('retry-after', '1');
}

export function errorBody(e: unknown, status: number): Record<string, unknown> {
  if (isWattgateError(e)) {
    const body: Record<string, unknown> = { ...e.toJSON() };
    if (e instanceof LockedError) body.lockedUntil = new Date(e.lockedUntil).toISOString();
    if (status >= 500) return { code: e.code, message: 'internal error' };
    return body;
  }
  if (status === 500) return { code: 'WG_ERR_INTERNAL', message: 'internal error' };
  const fe = e as FastifyError;
  const code =
    status === 413 ? 'WG_ERR_TOO_LARGE' : status === 415 ? 'WG_ERR_MEDIA_TYPE' : ErrorCodes.INVALID_ARGUMENT;
  if (fe.validation) {
    const details = validationProblems(fe.validation as unknown as RawValidationError[]).slice(0, 50);
    return { code, message: validationMessage(fe.validationContext, details).slice(0, 500), details };
  }
  return { code, message: status === 404 ? 'not found' : 'malformed request' };
}

/** Errors TypeBox collects for one refused request (its default, 8, can cut a union's branches short). */
const REQUEST_MAX_ERRORS = 64;

async function errors(app: FastifyInstance, opts: { log: Logger }): Promise<void> {
  // Every branch of a refused union must be reported for validation-messages.ts to tell which one the
  // request chose. Process-wide, and only refused requests collect errors.
  if (Settings.Get().maxErrors < REQUEST_MAX_ERRORS) Settings.Set({ maxErrors: REQUEST_MAX_ERRORS });
  app.setErrorHandler((error, request, reply) => {
    const status = statusFor(error);
    if (status >= 500) opts.log.error({ err: error, url: request.url }, 'request failed');
    errorHeaders(error, reply);
    reply.code(status).type('application/json').send(errorBody(error, status));
  });
  app.setNotFoundHandler((_request, reply) => {
    reply.code(404).send({ code: ErrorCodes.NOT_FOUND, message: 'not found' });
  });
}

export const errorsPlugin = fp(errors, { name: 'wattgate-errors' });
