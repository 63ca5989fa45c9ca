/**
 * Route metadata and request decorations shared by the API plugins. Every
 * route declares `config.access` (`'public'` or the roles allowed) and
 * `config.kind` (`'page'` redirects to /login, `'api'` answers 401). A route
 * that declares no access is admin-only (default deny).
 */
import type { Account } from '../security/accounts.js';
import type { Role } from '../security/roles.js';

export type Access = 'public' | readonly Role[];
export type RouteKind = 'page' | 'api';

export interface RequestAuth {
  account: Account;
  via: 'session' | 'token';
  sessionId?: string;
  csrfToken?: string;
}

export interface RouteInfo {
  method: string;
  url: string;
  access: Access;
  kind: RouteKind;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
    kind?: RouteKind;
  }
  interface FastifyRequest {
    auth: RequestAuth | null;
  }
  interface FastifyInstance {
    /** Every route registered, with its access rule: SEC-B1's test walks this table. */
    routeTable: RouteInfo[];
  }
}

export const SESSION_COOKIE = '__Host-wg_session';

export function kindOf(url: string, declared?: RouteKind): RouteKind {
  return declared ?? (url.startsWith('/api/') ? 'api' : 'page');
}
