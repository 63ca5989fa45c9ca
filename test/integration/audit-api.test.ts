/**
 * SECURITY D1, D2, D5 through the HTTPS API (fastify inject, injected clock):
 * every security action that exists is recorded by the part that causes it —
 * failed logins (known and unknown name), lockout, login, logout, account
 * creation, unlock, one session ended, all sessions ended, token created and
 * revoked, refused token — and the export (CSV and JSON, filtered by time and
 * category) contains them, one line per record even for a name with line
 * breaks; the verify route reports the chain intact.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type Harness, login, makeHarness, origin } from '../fixtures/security/harness.js';

let h: Harness;
before(async () => {
  h = await makeHarness();
});
after(() => h.close());

const wrong = (name: string) =>
  h.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    headers: origin,
    payload: { name, password: 'Wrong-pass1' },
  });

async function adminCall(method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) {
  const s = await login(h);
  return h.app.inject({
    method,
    url,
    headers: { ...origin, cookie: s.cookie, 'x-csrf-token': s.csrf },
    ...(payload ? { payload } : {}),
  });
}

test('D1: security actions are in the audit log with actor, source and result', async () => {
  const t0 = h.clock.now();
  assert.equal((await wrong('admin')).statusCode, 401);
  h.clock.advance(60_000);
  assert.equal((await wrong('nobody\r\nseq,forged')).statusCode, 401);
  h.clock.advance(60_000);
  const created = await adminCall('POST', '/api/v1/accounts', {
    name: 'op1',
    role: 'operator',
    password: 'Qzxv-7mkp!2',
  });
  assert.equal(created.statusCode, 201);
  assert.equal((await adminCall('POST', '/api/v1/accounts/op1/unlock')).statusCode, 204);
  const other = await login(h, 'op1', 'Qzxv-7mkp!2');
  const list = await adminCall('GET', '/api/v1/sessions');
  const sessions = list.json() as Array<{ id: string; account: string }>;
  const op1 = sessions.find((s) => s.account === 'op1');
  assert.ok(op1, 'the operator session is listed');
  assert.equal((await adminCall('DELETE', `/api/v1/sessions/${op1.id}`)).statusCode, 204);
  const gone = await h.app.inject({
    method: 'GET',
    url: '/api/v1/me',
    headers: { ...origin, cookie: other.cookie },
  });
  assert.equal(gone.statusCode, 401, 'the ended session no longer works');
  assert.equal((await adminCall('DELETE', '/api/v1/accounts/op1/sessions')).statusCode, 200);
  const expires = new Date(h.clock.now() + 86_400_000).toISOString();
  const tok = await adminCall('POST', '/api/v1/tokens', {
    name: 'scada',
    role: 'viewer',
    expiresAt: expires,
  });
  assert.equal(tok.statusCode, 201);
  assert.equal((await adminCall('DELETE', '/api/v1/tokens/scada')).statusCode, 204);
  const s = await login(h);
  await h.app.inject({
    method: 'POST',
    url: '/api/v1/auth/logout',
    headers: { ...origin, cookie: s.cookie, 'x-csrf-token': s.csrf },
  });

  const records = [...h.audit.records({ from: t0 })];
  const events = records.map((r) => `${r.event}:${r.actorKind}:${r.actor ?? '-'}:${r.result}`);
  for (const e of [
    'login.failure:account:admin:failure',
    'login.failure:anonymous:-:failure',
    'login.success:account:admin:success',
    'account.created:account:admin:success',
    'account.unlocked:account:admin:success',
    'sessions.ended:account:admin:success',
    'token.created:account:admin:success',
    'token.revoked:account:admin:success',
    'logout:account:admin:success',
  ]) {
    assert.ok(events.includes(e), `${e} in ${events.join(' ')}`);
  }
  const failure = records.find((r) => r.event === 'login.failure' && r.actor === 'admin');
  assert.equal(failure?.source, '127.0.0.1');
  const unknown = records.find((r) => r.event === 'login.failure' && r.actorKind === 'anonymous');
  assert.equal(JSON.parse(unknown?.details ?? '{}').attemptedName, 'nobody\r\nseq,forged');
  assert.equal(records.filter((r) => r.event === 'sessions.ended').length, 2);
  assert.equal(h.audit.verify().ok, true);

  // The Logs page's query: failures only, newest first, two per page, following `next` (oracle: the store, filtered here).
  const failures = [...h.audit.records({})].filter((r) => r.result === 'failure').reverse();
  assert.ok(failures.length >= 2, `failures: ${failures.length}`);
  const seen: number[] = [];
  let next: number | null = null;
  do {
    const page: { json(): { records: { seq: number; result: string }[]; next: number | null } } =
      await adminCall(
        'GET',
        `/api/v1/audit?result=failure&order=desc&limit=2${next === null ? '' : `&beforeSeq=${next}`}`,
      );
    const body = page.json();
    assert.ok(body.records.every((r) => r.result === 'failure'));
    seen.push(...body.records.map((r) => r.seq));
    next = body.next;
  } while (next !== null);
  assert.deepEqual(
    seen,
    failures.map((r) => r.seq),
  );
  assert.equal((await adminCall('GET', '/api/v1/audit?result=bogus')).statusCode, 400);
});

test('D5: CSV export for support, one line per record, filtered by category and time; JSON export; verify', async () => {
  const hashSupport = await h.security.hasher.hash('Supp-0rt-pass');
  const support = h.security.accounts.get('support');
  assert.ok(support);
  h.security.accounts.setPassword(support.id, hashSupport, h.clock.now());
  const s = await login(h, 'support', 'Supp-0rt-pass');
  const headers = { ...origin, cookie: s.cookie };
  const csv = await h.app.inject({
    method: 'GET',
    url: '/api/v1/audit/export?format=csv&category=auth',
    headers,
  });
  assert.equal(csv.statusCode, 200);
  assert.match(csv.headers['content-type'] as string, /^text\/csv/);
  assert.match(
    csv.headers['content-disposition'] as string,
    /^attachment; filename="wattgate-audit-WG2601100AB-\d{8}T\d{6}Z\.csv"$/,
  );
  const lines = csv.body.trimEnd().split('\r\n');
  assert.equal(lines[0], 'seq,time,category,event,actor_kind,actor,source,result,details');
  const rows = lines.slice(1);
  assert.ok(rows.length >= 4);
  assert.ok(
    rows.every((l) => /^\d+,\d{4}-\d\d-\d\dT[\d:.]+Z,auth,/.test(l)),
    rows.join('\n'),
  );
  assert.ok(rows.some((l) => l.includes('login.failure') && l.includes('nobody\\r\\nseq,forged')));

  const json = await h.app.inject({
    method: 'GET',
    url: '/api/v1/audit/export?format=json&category=token',
    headers,
  });
  const doc = json.json() as {
    format: string;
    head: { seq: number };
    records: Array<{ event: string; details: unknown }>;
  };
  assert.equal(doc.format, 'wattgate-audit/1');
  assert.deepEqual(
    doc.records.map((r) => r.event),
    ['token.created', 'token.revoked'],
  );
  assert.ok(doc.head.seq > 0);

  const from = new Date(h.clock.now() + 3_600_000).toISOString();
  const empty = await h.app.inject({ method: 'GET', url: `/api/v1/audit?from=${from}`, headers });
  assert.deepEqual(empty.json(), { records: [], next: null });
  const page = await h.app.inject({ method: 'GET', url: '/api/v1/audit?limit=2', headers });
  const p = page.json() as { records: Array<{ seq: number }>; next: number };
  assert.deepEqual(
    p.records.map((r) => r.seq),
    [1, 2],
  );
  assert.equal(p.next, 2);
  const bad = await h.app.inject({ method: 'GET', url: '/api/v1/audit?category=nonsense', headers });
  assert.equal(bad.statusCode, 400);

  const verify = await h.app.inject({ method: 'GET', url: '/api/v1/audit/verify', headers });
  assert.equal((verify.json() as { ok: boolean }).ok, true);
  const exports = [...h.audit.records({ categories: ['audit'] })].filter((r) => r.event === 'audit.exported');
  assert.equal(exports.length, 2, 'each export is itself audited');
  assert.equal(exports[0]?.actor, 'support');
});
