/**
 * SEC-B1 generated from the route table (a new route cannot escape), SEC-B5
 * role checks, SEC-B4 headers, SEC-B6 error hygiene, health (X2), `next`.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { safeNext } from '../../src/api/next-path.js';
import { type Harness, login, makeHarness, origin } from '../fixtures/security/harness.js';

let h: Harness;
before(async () => {
  h = await makeHarness();
});
after(() => h.close());

/** The only routes reachable without a session. Adding one here is a deliberate, reviewed act. */
const PUBLIC = [
  'GET /api/v1/health',
  'POST /api/v1/auth/login',
  'GET /api/v1/auth/first-start',
  'POST /api/v1/auth/first-start',
  'GET /assets/app.css',
  'GET /assets/ui/:name', // the web UI's content-hashed script and stylesheet
  'GET /api/*', // unknown API paths: a JSON 404, with or without a session
  'GET /login',
  'POST /login',
  'GET /first-start',
  'POST /first-start',
].sort();

const concrete = (url: string) => url.replace(/:[A-Za-z]+/g, 'support');

test('SEC-B1: every non-public route, from the route table, needs a session (302 page / 401 API)', async () => {
  const table = h.app.routeTable;
  assert.ok(table.length >= 15, `route table has ${table.length} routes`);
  assert.deepEqual(
    table
      .filter((r) => r.access === 'public')
      .map((r) => `${r.method} ${r.url}`)
      .sort(),
    PUBLIC,
  );
  let checked = 0;
  for (const r of table.filter((x) => x.access !== 'public')) {
    const url = concrete(r.url);
    for (const cookie of [
      undefined,
      '__Host-wg_session=',
      '__Host-wg_session=null',
      `__Host-wg_session=${'A'.repeat(10_000)}`,
    ]) {
      const res = await h.app.inject({
        method: r.method as 'GET',
        url,
        headers: { ...origin, ...(cookie ? { cookie } : {}) },
      });
      if (r.kind === 'page') {
        assert.equal(res.statusCode, 302, `${r.method} ${url}`);
        assert.equal(res.headers.location, `/login?next=${encodeURIComponent(url)}`);
      } else {
        assert.equal(res.statusCode, 401, `${r.method} ${url}`);
        assert.equal(res.json().code, 'WG_ERR_UNAUTHENTICATED');
      }
      checked++;
    }
  }
  console.log(`SEC-B1: ${checked} unauthenticated requests over ${table.length} routes`);
});

test('SEC-B5: admin-only routes refuse the other roles with 403; any-role routes accept them', async () => {
  const now = h.clock.now();
  for (const role of ['operator', 'viewer', 'support'] as const) {
    const name = `u-${role}`;
    if (!h.security.accounts.get(name))
      h.security.accounts.create(name, role, await h.security.hasher.hash('Qzxv-7mkp!'), now);
    const { cookie, csrf } = await login(h, name, 'Qzxv-7mkp!');
    for (const r of h.app.routeTable.filter((x) => x.access !== 'public' && x.method !== 'POST')) {
      const res = await h.app.inject({
        method: r.method as 'GET',
        url: concrete(r.url),
        headers: { cookie, 'x-csrf-token': csrf },
      });
      const allowed = (r.access as readonly string[]).includes(role);
      if (allowed) assert.notEqual(res.statusCode, 403, `${role} ${r.method} ${r.url}`);
      else assert.equal(res.statusCode, 403, `${role} ${r.method} ${r.url}`);
    }
  }
});

test('SEC-B4: security headers; no HSTS with the self-signed certificate; no banner', async () => {
  const res = await h.app.inject({ method: 'GET', url: '/login' });
  assert.equal(res.statusCode, 200);
  const csp = String(res.headers['content-security-policy']);
  for (const d of ["frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'", "script-src 'self'"])
    assert.ok(csp.includes(d), d);
  assert.ok(!csp.includes('unsafe-inline'));
  assert.equal(res.headers['x-content-type-options'], 'nosniff');
  assert.equal(res.headers['referrer-policy'], 'same-origin'); // no-referrer → Origin: null on form POSTs
  assert.equal(res.headers['cache-control'], 'no-store');
  assert.equal(res.headers['strict-transport-security'], undefined);
  assert.equal(res.headers.server, undefined);
  assert.equal(res.headers['x-powered-by'], undefined);
  assert.ok(!res.body.includes('<script'), 'no inline script');
});

test('X2: health answers without secrets or version', async () => {
  const res = await h.app.inject({ method: 'GET', url: '/api/v1/health' });
  assert.deepEqual(res.json(), { status: 'ok', reasons: [] });
});

test('SEC-B6: malformed JSON, huge body, deep nesting, wrong content type → fast 4xx without stack', async () => {
  const post = (payload: string, type = 'application/json') =>
    h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { ...origin, 'content-type': type },
      payload,
    });
  const cases: Array<[string, number, string?]> = [
    ['{"name":', 400],
    ['', 400],
    [JSON.stringify({ name: 'a', password: 'x'.repeat(70_000) }), 413],
    [`${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`, 400],
    ['{"name":"a","password":"b","__proto__":{"x":1}}', 400],
    ['{"name":"a","password":"b","extra":1}', 400],
    ['name=a', 415, 'text/plain'],
  ];
  for (const [payload, status, type] of cases) {
    const t0 = performance.now();
    const res = await post(payload, type);
    assert.equal(res.statusCode, status, payload.slice(0, 40));
    assert.ok(performance.now() - t0 < 500, 'fast');
    assert.ok(!res.body.includes('    at '), 'no stack trace');
    assert.match(res.json().code, /^WG_ERR_/);
  }
});

test('SEC-B1: next accepts only local paths', () => {
  for (const bad of [
    '//evil',
    'https://evil',
    '/\\evil',
    'javascript:alert(1)',
    '\\\\evil',
    '/login?next=//x',
  ]) {
    assert.equal(safeNext(bad), '/', bad);
  }
  assert.equal(safeNext('/settings/users?tab=2'), '/settings/users?tab=2');
});
