/**
 * Route metadata and request decorations shared by the API plugins. Every
 * route declares `config.access` (`'public'` or the roles allowed) and
 * `config.kind` (`'page'` redirects to /login, `'api'` answers 401). A route
 * that declares no access is admin-only (default deny). `config.sessionOnly`
 * marks routes that create or change a credential (password, accounts, API
 * tokens): an API token is refused there (403) even with an allowed role, so
 * a leaked token can never mint or extend credentials.
 */
import type { FastifySchema } from 'fastify';
import type { Account } from '../security/accounts.js';
import type { Role } from '../security/roles.js';

export type Access = 'public' | readonly Role[];
export type RouteKind = 'page' | 'api';

/** Who made the request: a logged-in account (session) or an API token. */
export interface RequestAuth {
  via: 'session' | 'token';
  /** The account's name, or the token's name: every use is attributable. */
  name: string;
  role: Role;
  /** The account (sessions only). */
  account?: Account;
  sessionId?: string;
  csrfToken?: string;
}

export interface RouteInfo {
  method: string;
  url: string;
  access: Access;
  kind: RouteKind;
  sessionOnly: boolean;
  schema?: FastifySchema;
}

declare module 'fastify' {
  /** Documentation keys of a route schema, copied into the OpenAPI document (src/api/openapi.ts). */
  interface FastifySchema {
    summary?: string;
    description?: string;
    tags?: string[];
  }
  interface FastifyContextConfig {
    access?: Access;
    kind?: RouteKind;
    sessionOnly?: boolean;
  }
  interface FastifyRequest {
    auth: RequestAuth | null;
  }
  interface FastifyInstance {
    /** Every route registered, with its access rule: SEC-B1/B5 tests and OpenAPI walk this table. */
    routeTable: RouteInfo[];
  }
}

export const SESSION_COOKIE = '__Host-wg_session';

export function kindOf(url: string, declared?: RouteKind): RouteKind {
  return declared ?? (url.startsWith('/api/') ? 'api' : 'page');
}
