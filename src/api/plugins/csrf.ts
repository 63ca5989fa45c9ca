/**
 * CSRF protection (SECURITY B3) for state-changing methods (anything but
 * GET/HEAD/OPTIONS; GET routes never change state):
 * - a browser's `Origin` header must be this server's own origin, and a
 *   `Sec-Fetch-Site` header must be `same-origin` or `none`;
 * - a request authenticated by the session cookie must in addition carry
 *   either a same-origin `Origin` or the session's `X-CSRF-Token` header (so a
 *   non-browser client holding a cookie sends the token);
 * - failures answer 403 FORBIDDEN. The session cookie is SameSite=Strict too.
 * Runs after the auth hook (registered later), so `request.auth` is known.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { ErrorCodes, WattgateError } from '../../shared/errors.js';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

function sameOrigin(request: FastifyRequest, origin: string): boolean {
  const host = request.headers.host;
  return host !== undefined && origin === `https://${host}`;
}

function tokenMatches(header: unknown, expected: string | undefined): boolean {
  if (typeof header !== 'string' || expected === undefined) return false;
  const a = Buffer.from(header);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function csrfProblem(request: FastifyRequest): string | undefined {
  if (SAFE.has(request.method)) return undefined;
  const origin = request.headers.origin;
  if (origin !== undefined && !sameOrigin(request, origin)) return 'cross-origin request refused';
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return 'cross-site request refused';
  if (request.auth?.via === 'session' && origin === undefined) {
    if (!tokenMatches(request.headers['x-csrf-token'], request.auth.csrfToken))
      return 'missing or wrong CSRF token';
  }
  return undefined;
}

async function csrf(app: FastifyInstance): Promise<void> {
  app.addHook('onRequest', async (request) => {
    const problem = csrfProblem(request);
    if (problem) throw new WattgateError(ErrorCodes.FORBIDDEN, problem);
  });
}

export const csrfPlugin = fp(csrf, { name: 'wattgate-csrf', dependencies: ['wattgate-auth'] });
