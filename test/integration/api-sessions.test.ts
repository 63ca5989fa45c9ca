/**
 * SEC-A5, A6, A7, B2, B3, J1 through the API with the injected clock:
 * identical failures, cookie flags, new id at login, logout, password change,
 * admin ends sessions, idle and absolute timeouts, CSRF, first start, 429.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ADMIN_PASSWORD, login, makeHarness, origin } from '../fixtures/security/harness.js';

const MIN = 60_000;

test('SEC-A5: unknown account and wrong password give the same status and body', async (t) => {
  const h = await makeHarness();
  t.after(() => h.close());
  const a = await login(h, 'nobody', 'Wrong-pass1');
  const b = await login(h, 'admin', 'Wrong-pass1');
  assert.equal(a.res.statusCode, 401);
  assert.equal(b.res.statusCode, a.res.statusCode);
  assert.equal(b.res.body, a.res.body);
  assert.equal(a.cookie, '');
});

test('SEC-B2: __Host- cookie Secure HttpOnly SameSite=Strict no Domain; new id at each login', async (t) => {
  const h = await makeHarness();
  t.after(() => h.close());
  const first = await login(h);
  assert.equal(first.res.statusCode, 200);
  const c = first.res.cookies[0] as Record<string, unknown>;
  assert.equal(c.name, '__Host-wg_session');
  assert.equal(c.secure, true);
  assert.equal(c.httpOnly, true);
  assert.equal(c.sameSite, 'Strict');
  assert.equal(c.path, '/');
  assert.equal(c.domain, undefined);
  const second = await login(h);
  assert.notEqual(second.cookie, first.cookie);
  const row = h.db.prepare('SELECT * FROM sessions LIMIT 1').get() as Record<string, unknown>;
  assert.ok(!JSON.stringify(row).includes(first.cookie.split('.')[1] ?? 'x'), 'secret not stored');
});

test('SEC-A7/B2: logout, malformed tokens, password change and admin end sessions', async (t) => {
  const h = await makeHarness();
  t.after(() => h.close());
  const me = (cookie: string) => h.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie } });
  const s1 = await login(h);
  assert.equal((await me(s1.cookie)).statusCode, 200);
  const out = await h.app.inject({
    method: 'POST',
    url: '/api/v1/auth/logout',
    headers: { ...origin, cookie: s1.cookie },
  });
  assert.equal(out.statusCode, 204);
  assert.equal((await me(s1.cookie)).statusCode, 401, 'after logout');
  for (const bad of ['', 'null', 'A'.repeat(10_240), '!!!.###', `${s1.cookie.split('=')[1]}x`]) {
    assert.equal((await me(`__Host-wg_session=${bad}`)).statusCode, 401, bad.slice(0, 20));
  }
  const s2 = await login(h);
  const s3 = await login(h);
  const change = await h.app.inject({
    method: 'POST',
    url: '/api/v1/auth/password',
    headers: { ...origin, cookie: s2.cookie },
    payload: { currentPassword: ADMIN_PASSWORD, newPassword: 'Another-Horse8' },
  });
  assert.equal(change.statusCode, 200);
  assert.equal((await me(s2.cookie)).statusCode, 401, 'old session of the changer ended');
  assert.equal((await me(s3.cookie)).statusCode, 401, 'other session ended');
  const fresh = `__Host-wg_session=${change.cookies[0]?.value}`;
  assert.equal((await me(fresh)).statusCode, 200, 'new session issued');
  const end = await h.app.inject({
    method: 'DELETE',
    url: '/api/v1/accounts/admin/sessions',
    headers: { ...origin, cookie: fresh },
  });
  assert.equal(end.statusCode, 200);
  assert.equal(end.json().ended, 1);
  assert.equal((await me(fresh)).statusCode, 401);
});

test('SEC-B2: idle timeout 15 min and absolute 12 h with the injected clock', async (t) => {
  const h = await makeHarness();
  t.after(() => h.close());
  const me = (cookie: string) => h.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie } });
  const idle = await login(h);
  h.clock.advance(15 * MIN - 1);
  assert.equal((await me(idle.cookie)).statusCode, 200, '14:59.999 idle');
  h.clock.advance(15 * MIN);
  assert.equal((await me(idle.cookie)).statusCode, 401, '15:00 idle');
  const abs = await login(h);
  for (let i = 0; i < 12 * 4 - 1; i++) {
    h.clock.advance(15 * MIN - 1000);
    assert.equal((await me(abs.cookie)).statusCode, 200);
  }
  h.clock.advance(12 * 60 * MIN - (12 * 4 - 1) * (15 * MIN - 1000));
  assert.equal((await me(abs.cookie)).statusCode, 401, 'absolute 12 h');
});

test('SEC-B3: CSRF — cross-origin refused; cookie without Origin needs the token', async (t) => {
  const h = await makeHarness();
  t.after(() => h.close());
  const s = await login(h);
  const logout = (headers: Record<string, string>) =>
    h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: { host: origin.host, cookie: s.cookie, ...headers },
    });
  assert.equal((await logout({ origin: 'https://evil.example' })).statusCode, 403);
  assert.equal((await logout({ 'sec-fetch-site': 'cross-site', origin: origin.origin })).statusCode, 403);
  assert.equal((await logout({})).statusCode, 403, 'no Origin, no token');
  assert.equal((await logout({ 'x-csrf-token': 'wrong' })).statusCode, 403);
  const evilLogin = await h.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    headers: { host: origin.host, origin: 'https://evil.example' },
    payload: { name: 'admin', password: ADMIN_PASSWORD },
  });
  assert.equal(evilLogin.statusCode, 403, 'login CSRF refused');
  assert.equal((await logout({ 'x-csrf-token': s.csrf })).statusCode, 204);
});

test('SEC-A6: first start needs the device code; only once', async (t) => {
  const h = await makeHarness({ setAdmin: false });
  t.after(() => h.close());
  const fs = (deviceCode: string, password: string) =>
    h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/first-start',
      headers: origin,
      payload: { deviceCode, password },
    });
  assert.equal((await login(h, 'admin', '')).res.statusCode, 401, 'no default credential');
  assert.equal((await h.app.inject({ method: 'GET', url: '/api/v1/auth/first-start' })).json().pending, true);
  assert.equal((await fs('ABCD-EFGH-JKMN-PQRS-TVWX', 'Correct-Horse7')).statusCode, 401);
  assert.equal((await fs(h.deviceCode, 'Password1!')).statusCode, 400, 'blocklisted');
  const ok = await fs(h.deviceCode.toLowerCase(), 'Correct-Horse7');
  assert.equal(ok.statusCode, 200);
  assert.equal((await fs(h.deviceCode, 'Correct-Horse8')).statusCode, 409);
  assert.equal((await login(h, 'admin', 'Correct-Horse7')).res.statusCode, 200);
});

test('SEC-J1: hashing over capacity → 429 with Retry-After, not a failed attempt', async (t) => {
  const h = await makeHarness({ web: { hashing: { maxConcurrent: 1, maxQueued: 0 } } });
  t.after(() => h.close());
  const results = await Promise.all(Array.from({ length: 4 }, () => login(h, 'admin', 'Wrong-pass1')));
  const codes = results.map((r) => r.res.statusCode).sort();
  assert.deepEqual(codes, [401, 429, 429, 429]);
  assert.ok(results.find((r) => r.res.statusCode === 429)?.res.headers['retry-after']);
  assert.equal(h.security.accounts.get('admin')?.failures, 1, 'only the hashed attempt counted');
});

test('S1/B5: change an account role and delete it; built-ins and self refused; audited', async (t) => {
  const h = await makeHarness();
  t.after(() => h.close());
  const admin = await login(h);
  const call = (method: 'PATCH' | 'DELETE' | 'POST' | 'GET', url: string, cookie: string, payload?: object) =>
    h.app.inject({ method, url, headers: { ...origin, cookie }, ...(payload ? { payload } : {}) });
  const made = await call('POST', '/api/v1/accounts', admin.cookie, {
    name: 'maria',
    role: 'viewer',
    password: 'Solar-Panel-92!',
  });
  assert.equal(made.statusCode, 201, made.body);
  const maria = await login(h, 'maria', 'Solar-Panel-92!');
  assert.equal((await call('GET', '/api/v1/accounts', maria.cookie)).statusCode, 403, 'viewer');
  const up = await call('PATCH', '/api/v1/accounts/maria', admin.cookie, { role: 'admin' });
  assert.equal(up.statusCode, 200, up.body);
  assert.deepEqual(up.json(), { name: 'maria', role: 'admin' });
  assert.equal(
    (await call('GET', '/api/v1/accounts', maria.cookie)).statusCode,
    200,
    'her session has the new role',
  );
  const bad = await call('PATCH', '/api/v1/accounts/maria', admin.cookie, { role: 'king' });
  assert.equal(bad.statusCode, 400, bad.body);
  for (const [method, url, payload] of [
    ['PATCH', '/api/v1/accounts/support', { role: 'viewer' }],
    ['DELETE', '/api/v1/accounts/admin', undefined],
    ['PATCH', '/api/v1/accounts/maria', { role: 'viewer' }],
    ['DELETE', '/api/v1/accounts/maria', undefined],
  ] as const) {
    // maria (now admin) tries: the built-ins, then herself.
    const r = await call(method, url, maria.cookie, payload);
    assert.equal(r.statusCode, 403, `${method} ${url}: ${r.body}`);
  }
  assert.match(
    (await call('DELETE', '/api/v1/accounts/maria', maria.cookie)).json().message,
    /you cannot delete the account you are logged in with/,
  );
  assert.equal((await call('DELETE', '/api/v1/accounts/nobody', admin.cookie)).statusCode, 404);
  const del = await call('DELETE', '/api/v1/accounts/maria', admin.cookie);
  assert.equal(del.statusCode, 204, del.body);
  assert.equal((await call('GET', '/api/v1/me', maria.cookie)).statusCode, 401, 'her sessions ended');
  assert.equal(h.security.accounts.get('maria'), undefined);
  const types = h.events.map((e) => e.type);
  assert.ok(types.includes('account.role-changed') && types.includes('account.deleted'), types.join());
  const records = [...h.audit.records({})].filter(
    (r) => r.event === 'account.role-changed' || r.event === 'account.deleted',
  );
  assert.deepEqual(
    records.map((r) => [r.event, r.actor, JSON.parse(r.details)]),
    [
      ['account.role-changed', 'admin', { account: 'maria', from: 'viewer', to: 'admin' }],
      ['account.deleted', 'admin', { account: 'maria', role: 'admin' }],
    ],
  );
});

test('S2: password check — the rules in words and what a candidate breaks, the same check a change runs', async (t) => {
  const h = await makeHarness();
  t.after(() => h.close());
  const admin = await login(h);
  const check = async (password: string, name?: string) => {
    const r = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/password-check',
      headers: { ...origin, cookie: admin.cookie },
      payload: { password, ...(name ? { name } : {}) },
    });
    assert.equal(r.statusCode, 200, r.body);
    return r.json() as { rules: string[]; problems: string[] };
  };
  const good = await check('Solar-Panel-92!');
  assert.deepEqual(good.problems, []);
  assert.match(good.rules.join('\n'), /8 to 50 characters/);
  assert.ok((await check('short')).problems.length >= 1);
  assert.match((await check('password123')).problems.join(), /common password/);
  // Each problem is worded as one of the rules, so a page can mark the rule as not met.
  for (const candidate of ['short', 'password123', 'abc défghij', 'ALLUPPERCASE'])
    for (const p of (await check(candidate)).problems)
      assert.ok(good.rules.includes(p), `${candidate}: ${p}`);
  assert.match((await check('Maria.Lopez9', 'Maria.Lopez9')).problems.join(), /common password/);
  // The change refuses exactly what the check reported.
  const weak = 'abcdefgh';
  const reported = (await check(weak)).problems;
  const change = await h.app.inject({
    method: 'POST',
    url: '/api/v1/auth/password',
    headers: { ...origin, cookie: admin.cookie },
    payload: { currentPassword: ADMIN_PASSWORD, newPassword: weak },
  });
  assert.equal(change.statusCode, 400, change.body);
  assert.deepEqual(
    (change.json() as { details: { message: string }[] }).details.map((d) => d.message),
    reported,
  );
  assert.equal(h.security.accounts.get('admin')?.failures, 0, 'a check is no login attempt');
});
