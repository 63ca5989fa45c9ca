/**
 * SEC-B5 role matrix, generated from the route table (so a new route cannot
 * escape it): EVERY route and method — POST, DELETE included — for the four
 * roles (PRODUCT S13), once as a logged-in account (session cookie + CSRF
 * token) and once as an API token (Bearer, no cookie, no CSRF token).
 * Expected from each route's declared rule:
 * - public → open to everyone;
 * - role allowed → granted (whatever the handler then answers: 200, 204, 400
 *   for the empty body, 404 for the placeholder name …), never 401/403;
 * - role not allowed → 403 "your role does not allow this";
 * - a token on a `sessionOnly` route (credentials) → 403 even for admin;
 * - a token on a page → ignored: redirect to the login page.
 * Each request uses a fresh session, so routes that end sessions (logout)
 * cannot disturb the next. Also: a route that declares no access is admin-only.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import cookie from '@fastify/cookie';
import Fastify from 'fastify';
import { authPlugin, ROLE_REFUSED, TOKEN_REFUSED } from '../../src/api/plugins/auth.js';
import { errorsPlugin } from '../../src/api/plugins/errors.js';
import type { RouteInfo } from '../../src/api/types.js';
import { ROLES, type Role } from '../../src/security/roles.js';
import { silentLogger } from '../../src/shared/logger.js';
import { type Harness, makeHarness, origin } from '../fixtures/security/harness.js';

let h: Harness;
const tokens = new Map<Role, string>();
const accountIds = new Map<Role, number>();
before(async () => {
  h = await makeHarness();
  const now = h.clock.now();
  for (const role of ROLES) {
    const name = `m-${role}`;
    accountIds.set(
      role,
      h.security.accounts.create(name, role, await h.security.hasher.hash('Qzxv-7mkp!'), now).id,
    );
    tokens.set(role, h.security.tokens.create(`t-${role}`, role, now + 86_400_000, 'admin', now).secret);
  }
});
after(() => h.close());

type Via = 'session' | 'token';
type Outcome = 'granted' | 'role-refused' | 'token-refused' | 'login';

const concrete = (url: string) => url.replace(/:[A-Za-z]+/g, 'support');

function expected(r: RouteInfo, role: Role, via: Via): Outcome {
  if (r.access === 'public') return 'granted';
  if (via === 'token' && r.kind === 'page') return 'login';
  if (!r.access.includes(role)) return 'role-refused';
  if (via === 'token' && r.sessionOnly) return 'token-refused';
  return 'granted';
}

function credentials(role: Role, via: Via): Record<string, string> {
  if (via === 'token') return { authorization: `Bearer ${tokens.get(role)}` };
  const s = h.security.sessions.create(accountIds.get(role) as number, h.clock.now());
  return { ...origin, cookie: `__Host-wg_session=${s.token}`, 'x-csrf-token': s.csrfToken };
}

function outcomeOf(res: { statusCode: number; headers: Record<string, unknown>; body: string }): Outcome {
  const location = String(res.headers.location ?? '');
  if (res.statusCode === 302 && location.startsWith('/login?next=')) return 'login';
  if (res.statusCode === 403 && res.body.includes(ROLE_REFUSED)) return 'role-refused';
  if (res.statusCode === 403 && res.body.includes(TOKEN_REFUSED)) return 'token-refused';
  assert.notEqual(res.statusCode, 401, `unexpected 401: ${res.body}`);
  return 'granted';
}

test('SEC-B5: role matrix for every route and method, accounts and API tokens', async () => {
  const table = h.app.routeTable;
  let checked = 0;
  const granted = { session: 0, token: 0 };
  for (const r of table) {
    for (const role of ROLES) {
      for (const via of ['session', 'token'] as const) {
        const res = await h.app.inject({
          method: r.method as 'GET',
          url: concrete(r.url),
          headers: credentials(role, via),
        });
        const want = expected(r, role, via);
        assert.equal(
          outcomeOf(res),
          want,
          `${via} ${role} ${r.method} ${r.url} → ${res.statusCode} ${res.body}`,
        );
        if (want === 'granted') granted[via]++;
        checked++;
      }
    }
  }
  assert.ok(
    table.some((r) => r.method === 'POST' && r.access !== 'public'),
    'POST routes are in the matrix',
  );
  assert.ok(
    table.some((r) => r.method === 'DELETE'),
    'DELETE routes are in the matrix',
  );
  console.log(
    `SEC-B5: ${checked} requests over ${table.length} routes × ${ROLES.length} roles × session/token ` +
      `(granted: ${granted.session} session, ${granted.token} token)`,
  );
});

test('SEC-B5: the matrix is not vacuous; the non-admin and credential routes are pinned', () => {
  for (const role of ROLES) {
    const outcomes = new Set(h.app.routeTable.map((r) => expected(r, role, 'session')));
    assert.ok(outcomes.has('granted'), role);
    if (role !== 'admin') assert.ok(outcomes.has('role-refused'), role);
  }
  // Every route a non-admin may use: changing this list is a deliberate, reviewed act.
  const beyondAdmin = h.app.routeTable
    .filter((r) => r.access !== 'public' && r.access.some((role) => role !== 'admin'))
    .map((r) => `${r.method} ${r.url} ${(r.access as readonly string[]).join(',')}`);
  assert.deepEqual(beyondAdmin.sort(), [
    'DELETE /api/v1/devices/watch/:lease admin,operator,viewer,support',
    'GET / admin,operator,viewer,support',
    'GET /* admin,operator,viewer,support',
    'GET /api/v1/audit admin,support',
    'GET /api/v1/audit/export admin,support',
    'GET /api/v1/audit/status admin,support',
    'GET /api/v1/audit/verify admin,support',
    'GET /api/v1/devices admin,operator,viewer,support',
    'GET /api/v1/devices/:id admin,operator,viewer,support',
    'GET /api/v1/devices/:id/status admin,operator,viewer,support',
    'GET /api/v1/devices/:id/values admin,operator,viewer,support',
    'GET /api/v1/devices/values admin,operator,viewer,support',
    'GET /api/v1/diagnostics/modbus admin,operator,viewer,support',
    'GET /api/v1/diagnostics/process admin,operator,viewer,support',
    'GET /api/v1/history/breakdown admin,operator,viewer,support',
    'GET /api/v1/history/changes admin,operator,viewer,support',
    'GET /api/v1/history/compare admin,operator,viewer,support',
    'GET /api/v1/history/downsample admin,operator,viewer,support',
    'GET /api/v1/history/energy admin,operator,viewer,support',
    'GET /api/v1/history/export.csv admin,operator,viewer,support',
    'GET /api/v1/history/raw admin,operator,viewer,support',
    'GET /api/v1/history/series admin,operator,viewer,support',
    'GET /api/v1/history/status admin,operator,viewer,support',
    'GET /api/v1/me admin,operator,viewer,support',
    'GET /api/v1/models admin,operator,viewer,support',
    'GET /api/v1/models/:id admin,operator,viewer,support',
    'GET /api/v1/system admin,operator,viewer,support',
    'GET /api/v1/wireless admin,operator,viewer,support',
    'GET /metrics admin,operator,viewer,support',
    'POST /api/v1/auth/logout admin,operator,viewer,support',
    'POST /api/v1/auth/password admin,operator,viewer,support',
    'POST /api/v1/auth/password-check admin,operator,viewer,support',
    'POST /api/v1/devices/watch admin,operator,viewer,support',
    'POST /logout admin,operator,viewer,support',
    'PUT /api/v1/devices/watch/:lease admin,operator,viewer,support',
  ]);
  const credentialRoutes = h.app.routeTable.filter((r) => r.sessionOnly).map((r) => `${r.method} ${r.url}`);
  assert.deepEqual(credentialRoutes.sort(), [
    'DELETE /api/v1/accounts/:name',
    'DELETE /api/v1/tokens/:name',
    'PATCH /api/v1/accounts/:name',
    'POST /api/v1/accounts',
    'POST /api/v1/auth/password',
    'POST /api/v1/tokens',
    'PUT /api/v1/certificate',
  ]);
});

test('SEC-B5: a route that declares no access is admin-only, for sessions and tokens', async (t) => {
  const app = Fastify({ logger: false });
  t.after(() => app.close());
  await app.register(errorsPlugin, { log: silentLogger });
  await app.register(cookie);
  const { sessions, tokens: tokenStore, timeouts, emit } = h.security;
  await app.register(authPlugin, { sessions, tokens: tokenStore, clock: h.clock, timeouts, emit });
  app.get('/api/v1/undeclared', async () => ({ ok: true }));
  app.post('/api/v1/undeclared', async () => ({ ok: true }));
  app.get('/undeclared-page', async () => 'page');
  await app.ready();
  for (const r of app.routeTable) assert.deepEqual(r.access, ['admin'], `${r.method} ${r.url}`);
  for (const r of app.routeTable) {
    for (const role of ROLES) {
      for (const via of ['session', 'token'] as const) {
        const res = await app.inject({
          method: r.method as 'GET',
          url: r.url,
          headers: credentials(role, via),
        });
        const want = expected(r, role, via);
        assert.equal(outcomeOf(res), want, `${via} ${role} ${r.method} ${r.url}`);
        if (want === 'granted') assert.equal(res.statusCode, 200);
      }
    }
    const anonymous = await app.inject({ method: r.method as 'GET', url: r.url });
    assert.equal(anonymous.statusCode, r.kind === 'page' ? 302 : 401);
  }
});
