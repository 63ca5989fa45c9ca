/**
 * API tokens (PRODUCT S13; SECURITY B5, A7) through the fastify app with the
 * injected clock: created by an admin with a role and an expiry, shown once,
 * stored hashed, listed without secret, revocable; accepted as
 * `Authorization: Bearer` on API routes under the same role checks, without
 * CSRF token; every use reported to the security event hook with the token's
 * name; expired, revoked and malformed tokens → 401; a token can never manage
 * credentials (403) and is ignored by pages.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sha256 } from '../../src/security/secret-token.js';
import { type Harness, login, makeHarness, origin } from '../fixtures/security/harness.js';

const HOUR = 3_600_000;
let h: Harness;
let admin: { cookie: string; csrf: string };
before(async () => {
  h = await makeHarness();
  admin = await login(h);
});
after(() => h.close());

async function createToken(name: string, role: string, expiresAt: number | string) {
  const res = await h.app.inject({
    method: 'POST',
    url: '/api/v1/tokens',
    headers: { ...origin, cookie: admin.cookie },
    payload: {
      name,
      role,
      expiresAt: typeof expiresAt === 'number' ? new Date(expiresAt).toISOString() : expiresAt,
    },
  });
  return { res, token: (res.json() as { token?: string }).token ?? '' };
}

const bearer = (token: string, url = '/api/v1/me', method: 'GET' | 'POST' | 'DELETE' = 'GET') =>
  h.app.inject({ method, url, headers: { authorization: `Bearer ${token}` } });

test('S13: created by an admin, shown once, stored hashed, listed without secret', async () => {
  const expiresAt = h.clock.now() + 30 * 24 * HOUR;
  const { res, token } = await createToken('home-assistant', 'viewer', expiresAt);
  assert.equal(res.statusCode, 201);
  assert.match(token, /^wgt_[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/);
  assert.equal(res.json().expiresAt, new Date(expiresAt).toISOString());
  const row = h.db.prepare("SELECT * FROM api_tokens WHERE name = 'home-assistant'").get() as Record<
    string,
    unknown
  >;
  const [id, secret] = token.slice(4).split('.') as [string, string];
  assert.equal(row.id, id);
  assert.deepEqual(row.secret_sha256, sha256(secret), 'only SHA-256 of the secret is stored');
  assert.ok(!JSON.stringify(row).includes(secret), 'the secret is stored nowhere');
  const list = await h.app.inject({
    method: 'GET',
    url: '/api/v1/tokens',
    headers: { cookie: admin.cookie },
  });
  assert.equal(list.statusCode, 200);
  assert.ok(!list.body.includes(secret) && !list.body.includes(id), 'the list shows neither secret nor id');
  assert.deepEqual(Object.keys(list.json()[0]).sort(), [
    'createdAt',
    'createdBy',
    'expiresAt',
    'lastUsedAt',
    'name',
    'revokedAt',
    'role',
  ]);
  assert.equal(list.json()[0].createdBy, 'admin');
  assert.ok(
    h.events.some((e) => e.type === 'token.created' && e.token === 'home-assistant' && e.actor === 'admin'),
  );
});

test('S13/B5: Bearer accepted on API routes under the role checks; every use attributable; no CSRF', async () => {
  const viewer = (await createToken('bms', 'viewer', h.clock.now() + HOUR)).token;
  const boss = (await createToken('provisioning', 'admin', h.clock.now() + HOUR)).token;
  h.events.length = 0;
  const me = await bearer(viewer);
  assert.equal(me.statusCode, 200);
  assert.deepEqual(me.json(), { name: 'bms', role: 'viewer', csrfToken: '' });
  assert.equal(
    (await bearer(viewer, '/api/v1/accounts')).statusCode,
    403,
    'viewer token: admin route refused',
  );
  assert.equal((await bearer(boss, '/api/v1/accounts')).statusCode, 200, 'admin token: admin route');
  const unlock = await bearer(boss, '/api/v1/accounts/support/unlock', 'POST');
  assert.equal(unlock.statusCode, 204, 'POST with a token needs no CSRF token nor Origin');
  const uses = h.events.filter((e) => e.type === 'token.used');
  assert.deepEqual(
    uses.map((e) => [e.token, e.method, e.route, e.allowed]),
    [
      ['bms', 'GET', '/api/v1/me', true],
      ['bms', 'GET', '/api/v1/accounts', false],
      ['provisioning', 'GET', '/api/v1/accounts', true],
      ['provisioning', 'POST', '/api/v1/accounts/:name/unlock', true],
    ],
  );
  const listed = (
    await h.app.inject({ method: 'GET', url: '/api/v1/tokens', headers: { cookie: admin.cookie } })
  )
    .json()
    .find((t: { name: string }) => t.name === 'bms');
  assert.equal(listed.lastUsedAt, new Date(h.clock.now()).toISOString());
});

test('S13: a token can never manage credentials (403) and pages ignore it', async () => {
  const boss = (await createToken('ci-admin', 'admin', h.clock.now() + HOUR)).token;
  const post = (url: string, payload: object) =>
    h.app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${boss}` }, payload });
  for (const res of [
    await post('/api/v1/tokens', { name: 'minted', role: 'admin', expiresAt: '2027-01-01T00:00:00Z' }),
    await post('/api/v1/accounts', { name: 'sneaky', role: 'admin', password: 'Qzxv-7mkp!' }),
    await post('/api/v1/auth/password', { currentPassword: 'x', newPassword: 'y' }),
    await bearer(boss, '/api/v1/tokens/ci-admin', 'DELETE'),
  ]) {
    assert.equal(res.statusCode, 403, res.body);
    assert.match(res.json().message, /API tokens cannot create or change credentials/);
  }
  assert.equal(h.security.tokens.get('minted'), undefined);
  const page = await bearer(boss, '/');
  assert.equal(page.statusCode, 302, 'pages are for browsers: a token does not open them');
});

test('S13: expiry exact with the injected clock; revoked → 401; names never reused', async () => {
  const t0 = h.clock.now();
  const token = (await createToken('short', 'operator', t0 + HOUR)).token;
  h.clock.advance(HOUR - 1);
  assert.equal((await bearer(token)).statusCode, 200, 'valid until the last millisecond');
  h.clock.advance(1);
  const expired = await bearer(token);
  assert.equal(expired.statusCode, 401, 'expired at expiresAt');
  assert.ok(
    h.events.some((e) => e.type === 'token.refused' && e.reason === 'expired' && e.token === 'short'),
  );
  admin = await login(h); // the admin session idled out while the clock moved an hour

  const live = (await createToken('to-revoke', 'viewer', h.clock.now() + HOUR)).token;
  assert.equal((await bearer(live)).statusCode, 200);
  const del = await h.app.inject({
    method: 'DELETE',
    url: '/api/v1/tokens/to-revoke',
    headers: { ...origin, cookie: admin.cookie },
  });
  assert.equal(del.statusCode, 204);
  assert.equal((await bearer(live)).statusCode, 401, 'revoked');
  assert.ok(
    h.events.some((e) => e.type === 'token.refused' && e.reason === 'revoked' && e.token === 'to-revoke'),
  );
  assert.ok(
    h.events.some((e) => e.type === 'token.revoked' && e.token === 'to-revoke' && e.actor === 'admin'),
  );
  assert.equal((await createToken('to-revoke', 'viewer', h.clock.now() + HOUR)).res.statusCode, 409);
});

test('SEC-A7: malformed bearer values (empty, null, 10 KB, bad base64, wrong secret) → 401, no cookie fallback', async () => {
  const good = (await createToken('probe', 'admin', h.clock.now() + HOUR)).token;
  const [id] = good.slice(4).split('.') as [string];
  const values = [
    '',
    'Bearer',
    'Bearer ',
    'Bearer null',
    'null',
    `Bearer ${'A'.repeat(10_240)}`,
    'Bearer wgt_!!!!!!!!!!!!!!!!!!!!!!.??????????????????????????????????????????',
    `Bearer wgt_${id}.${'A'.repeat(43)}`,
    `Bearer ${good.slice(4)}`,
    `Bearer ${good} extra`,
    `Basic ${Buffer.from('admin:x').toString('base64')}`,
    `bearer${good}`,
  ];
  for (const value of values) {
    const res = await h.app.inject({
      method: 'GET',
      url: '/api/v1/accounts',
      headers: { authorization: value, cookie: admin.cookie },
    });
    assert.equal(res.statusCode, 401, JSON.stringify(value.slice(0, 40)));
    assert.equal(res.json().code, 'WG_ERR_UNAUTHENTICATED');
    assert.equal(res.headers['www-authenticate'], 'Bearer');
  }
  assert.equal((await bearer(good, '/api/v1/accounts')).statusCode, 200);
});

test('S13: creation rules — admin session only, expiry in the future and within 2 years, valid name and role', async () => {
  const now = h.clock.now();
  const cases: Array<[string, string, number | string, number]> = [
    ['past', 'viewer', now - 1, 400],
    ['now', 'viewer', now, 400],
    ['too-long', 'viewer', now + 3 * 366 * 24 * HOUR, 400],
    ['bad-date', 'viewer', '2027-13-45T99:99Z', 400],
    ['not-iso', 'viewer', 'tomorrow', 400],
    ['bad-role', 'root', now + HOUR, 400],
    ['bad name!', 'viewer', now + HOUR, 400],
  ];
  for (const [name, role, exp, status] of cases) {
    assert.equal((await createToken(name, role, exp)).res.statusCode, status, name);
  }
  h.security.accounts.create('op1', 'operator', await h.security.hasher.hash('Qzxv-7mkp!'), now);
  const op = await login(h, 'op1', 'Qzxv-7mkp!');
  const res = await h.app.inject({
    method: 'POST',
    url: '/api/v1/tokens',
    headers: { ...origin, cookie: op.cookie },
    payload: { name: 'x', role: 'viewer', expiresAt: new Date(now + HOUR).toISOString() },
  });
  assert.equal(res.statusCode, 403, 'only an admin creates tokens');
});
