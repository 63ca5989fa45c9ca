/**
 * Authentication and authorisation, default deny (PRODUCT S5, SECURITY B1,
 * B5, A7). An onRequest hook on every route:
 * - reads the `__Host-wg_session` cookie and validates the session (malformed,
 *   unknown, expired or logged-out tokens are simply "no session");
 * - routes with `config.access: 'public'` pass; every other route needs a
 *   session whose role is in `config.access` (no access declared = admin only);
 * - without a session, pages redirect (302) to `/login?next=<local path>`, API
 *   routes answer 401; a role that is not allowed gets 403.
 * It also records every route with its access rule in `app.routeTable`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { unauthenticated } from '../../security/errors.js';
import { ADMIN_ONLY, allows } from '../../security/roles.js';
import type { SessionStore, SessionTimeouts } from '../../security/sessions.js';
import type { Clock } from '../../shared/clock.js';
import { ErrorCodes, WattgateError } from '../../shared/errors.js';
import { loginRedirect } from '../next-path.js';
import { kindOf, type RequestAuth, SESSION_COOKIE } from '../types.js';

export interface AuthPluginOptions {
  sessions: SessionStore;
  clock: Clock;
  timeouts: () => SessionTimeouts;
}

export function sessionAuth(request: FastifyRequest, opts: AuthPluginOptions): RequestAuth | null {
  const raw = request.cookies[SESSION_COOKIE];
  if (raw === undefined) return null;
  const v = opts.sessions.validate(raw, opts.clock.now(), opts.timeouts());
  if (!v) return null;
  return { account: v.account, via: 'session', sessionId: v.session.id, csrfToken: v.csrfToken };
}

function deny(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const url = request.routeOptions.url ?? request.url;
  if (kindOf(url, request.routeOptions.config.kind) === 'page') {
    return reply.redirect(loginRedirect(request.url), 302);
  }
  throw unauthenticated();
}

async function auth(app: FastifyInstance, opts: AuthPluginOptions): Promise<void> {
  app.decorate('routeTable', []);
  app.decorateRequest('auth', null);
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const cfg = (route.config ?? {}) as {
      access?: RequestAuth['account']['role'][] | 'public';
      kind?: 'page' | 'api';
    };
    for (const method of methods) {
      if (method === 'HEAD') continue;
      app.routeTable.push({
        method,
        url: route.url,
        access: cfg.access ?? ADMIN_ONLY,
        kind: kindOf(route.url, cfg.kind),
      });
    }
  });
  app.addHook('onRequest', async (request, reply) => {
    request.auth = sessionAuth(request, opts);
    const access = request.routeOptions.config.access ?? ADMIN_ONLY;
    if (access === 'public') return;
    if (!request.auth) return deny(request, reply);
    if (!allows(access, request.auth.account.role)) {
      throw new WattgateError(ErrorCodes.FORBIDDEN, 'your role does not allow this');
    }
  });
}

export const authPlugin = fp(auth, { name: 'wattgate-auth', dependencies: ['@fastify/cookie'] });
