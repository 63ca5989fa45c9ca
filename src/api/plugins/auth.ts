/**
 * Authentication and authorisation, default deny (PRODUCT S5, S13; SECURITY
 * B1, B5, A7). An onRequest hook on every route:
 * - API routes with an `Authorization` header authenticate by API token only
 *   (`Bearer wgt_…`; no cookie involved, so no CSRF token is needed); any other
 *   value — empty, `null`, another scheme, 10 KB, bad base64, unknown, expired,
 *   revoked — is "not authenticated" (401 + WWW-Authenticate), never a
 *   fallback to the cookie. Pages ignore the header: they are for browsers;
 * - otherwise the `__Host-wg_session` cookie is validated (malformed,
 *   unknown, expired or logged-out tokens are simply "no session");
 * - routes with `config.access: 'public'` pass; every other route needs a
 *   caller whose role is in `config.access` (no access declared = admin only),
 *   and `config.sessionOnly` routes refuse tokens (403);
 * - without a caller, pages redirect (302) to `/login?next=<local path>`, API
 *   routes answer 401; a role that is not allowed gets 403.
 * Every token use (allowed or not) and every refused token is reported to the
 * security event hook with the token's name when known.
 * It also records every route with its access rule and schema in `app.routeTable`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import type { ApiTokenStore } from '../../security/api-tokens.js';
import type { SecurityEvent } from '../../security/auth-service.js';
import { unauthenticated } from '../../security/errors.js';
import { ADMIN_ONLY, allows } from '../../security/roles.js';
import type { SessionStore, SessionTimeouts } from '../../security/sessions.js';
import type { Clock } from '../../shared/clock.js';
import { ErrorCodes, WattgateError } from '../../shared/errors.js';
import { loginRedirect } from '../next-path.js';
import { type Access, kindOf, type RequestAuth, SESSION_COOKIE } from '../types.js';

export interface AuthPluginOptions {
  sessions: SessionStore;
  tokens: ApiTokenStore;
  clock: Clock;
  timeouts: () => SessionTimeouts;
  emit: (e: SecurityEvent) => void;
}

export const ROLE_REFUSED = 'your role does not allow this';
export const TOKEN_REFUSED = 'API tokens cannot create or change credentials: log in';

export function sessionAuth(request: FastifyRequest, opts: AuthPluginOptions): RequestAuth | null {
  const raw = request.cookies[SESSION_COOKIE];
  if (raw === undefined) return null;
  const v = opts.sessions.validate(raw, opts.clock.now(), opts.timeouts());
  if (!v) return null;
  const a = v.account;
  return {
    via: 'session',
    name: a.name,
    role: a.role,
    account: a,
    sessionId: v.session.id,
    csrfToken: v.csrfToken,
  };
}

/** The caller behind an `Authorization` header, or null (reported as token.refused). */
export function tokenAuth(request: FastifyRequest, opts: AuthPluginOptions): RequestAuth | null {
  const m = /^Bearer ([^\s]+)$/.exec(request.headers.authorization ?? '');
  const check = opts.tokens.validate(m?.[1], opts.clock.now());
  if (check.ok) return { via: 'token', name: check.token.name, role: check.token.role };
  opts.emit({
    type: 'token.refused',
    reason: check.reason,
    ...('name' in check ? { token: check.name } : {}),
    source: request.ip,
  });
  return null;
}

function deny(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const url = request.routeOptions.url ?? request.url;
  if (kindOf(url, request.routeOptions.config.kind) === 'page') {
    return reply.redirect(loginRedirect(request.url), 302);
  }
  if (request.headers.authorization !== undefined) reply.header('www-authenticate', 'Bearer');
  throw unauthenticated();
}

function authenticate(request: FastifyRequest, opts: AuthPluginOptions): RequestAuth | null {
  const url = request.routeOptions.url ?? request.url;
  const isApi = kindOf(url, request.routeOptions.config.kind) === 'api';
  if (isApi && request.headers.authorization !== undefined) return tokenAuth(request, opts);
  return sessionAuth(request, opts);
}

/** Checks the caller against the route's rule; throws 403 when refused. */
function authorise(request: FastifyRequest, caller: RequestAuth, opts: AuthPluginOptions): void {
  const cfg = request.routeOptions.config;
  const access = cfg.access ?? ADMIN_ONLY;
  const roleOk = access !== 'public' && allows(access, caller.role);
  const viaOk = caller.via === 'session' || cfg.sessionOnly !== true;
  if (caller.via === 'token') {
    opts.emit({
      type: 'token.used',
      token: caller.name,
      role: caller.role,
      method: request.method,
      route: request.routeOptions.url ?? request.url,
      source: request.ip,
      allowed: roleOk && viaOk,
    });
  }
  if (!roleOk) throw new WattgateError(ErrorCodes.FORBIDDEN, ROLE_REFUSED);
  if (!viaOk) throw new WattgateError(ErrorCodes.FORBIDDEN, TOKEN_REFUSED);
}

function recordRoute(app: FastifyInstance, route: RouteOptions): void {
  const methods = Array.isArray(route.method) ? route.method : [route.method];
  const cfg = (route.config ?? {}) as { access?: Access; kind?: 'page' | 'api'; sessionOnly?: boolean };
  for (const method of methods) {
    if (method === 'HEAD') continue;
    app.routeTable.push({
      method,
      url: route.url,
      access: cfg.access ?? ADMIN_ONLY,
      kind: kindOf(route.url, cfg.kind),
      sessionOnly: cfg.sessionOnly === true,
      ...(route.schema ? { schema: route.schema } : {}),
    });
  }
}

async function auth(app: FastifyInstance, opts: AuthPluginOptions): Promise<void> {
  app.decorate('routeTable', []);
  app.decorateRequest('auth', null);
  app.addHook('onRoute', (route) => recordRoute(app, route));
  app.addHook('onRequest', async (request, reply) => {
    const access = request.routeOptions.config.access ?? ADMIN_ONLY;
    if (access === 'public') {
      request.auth = sessionAuth(request, opts);
      return;
    }
    request.auth = authenticate(request, opts);
    if (!request.auth) return deny(request, reply);
    authorise(request, request.auth, opts);
  });
}

export const authPlugin = fp(auth, { name: 'wattgate-auth', dependencies: ['@fastify/cookie'] });
