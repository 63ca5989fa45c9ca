/**
 * SEC-A4 / PRODUCT S4 exactly, with the injected ManualClock: 10 failures →
 * 10 min (9:59 locked, 10:00 open), 5 more → 60 min (59:59 locked, 60:00
 * open), again every 5; the right password refused while locked; the lock
 * checked before hashing; atomic under 50 parallel attempts; per-source delay;
 * `unlockAccount` recovery; a locked account says until when (A5).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { unlockAccount } from '../../src/security/recovery.js';
import { ADMIN_PASSWORD, type Harness, login, makeHarness } from '../fixtures/security/harness.js';

const MIN = 60_000;
const SEC = 1000;

/** Spaces attempts beyond the per-source delay (30 s max) so only the account lockout is tested. */
async function attempt(h: Harness, password: string) {
  h.clock.advance(30 * SEC);
  return (await login(h, 'admin', password)).res;
}

test('S4: 10 failures → 10 min; 5 more → 60 min; again every 5; right password refused while locked', async (t) => {
  const h = await makeHarness();
  t.after(() => h.close());
  const at = (ms: number) => h.clock.advance(ms - h.clock.now());
  for (let i = 1; i <= 9; i++)
    assert.equal((await attempt(h, 'Wrong-pass1')).statusCode, 401, `failure ${i}`);
  const tenth = await attempt(h, 'Wrong-pass1');
  assert.equal(tenth.statusCode, 423);
  const locked1 = h.clock.now();
  assert.equal(tenth.json().lockedUntil, new Date(locked1 + 10 * MIN).toISOString(), 'says until when');
  let verifies = 0;
  const real = h.security.hasher.verify.bind(h.security.hasher);
  h.security.hasher.verify = (p: string, phc: string) => {
    verifies++;
    return real(p, phc);
  };
  at(locked1 + 10 * MIN - SEC);
  assert.equal(
    (await login(h, 'admin', ADMIN_PASSWORD)).res.statusCode,
    423,
    '9:59 locked, right password refused',
  );
  assert.equal((await login(h, 'admin', 'Wrong-pass1')).res.statusCode, 423, 'wrong password while locked');
  assert.equal(verifies, 0, 'lock checked before hashing');
  assert.equal(h.security.accounts.get('admin')?.failures, 10, 'attempts while locked do not count');
  at(locked1 + 10 * MIN);
  for (let i = 11; i <= 14; i++)
    assert.equal((await attempt(h, 'Wrong-pass1')).statusCode, 401, `failure ${i}`);
  const fifteenth = await attempt(h, 'Wrong-pass1');
  assert.equal(fifteenth.statusCode, 423, 'failure 15 locks again');
  const locked2 = h.clock.now();
  assert.equal(fifteenth.json().lockedUntil, new Date(locked2 + 60 * MIN).toISOString(), '60 minutes');
  at(locked2 + 60 * MIN - SEC);
  assert.equal((await login(h, 'admin', ADMIN_PASSWORD)).res.statusCode, 423, '59:59 locked');
  at(locked2 + 60 * MIN);
  for (let i = 16; i <= 19; i++)
    assert.equal((await attempt(h, 'Wrong-pass1')).statusCode, 401, `failure ${i}`);
  const twentieth = await attempt(h, 'Wrong-pass1');
  assert.equal(twentieth.statusCode, 423, 'failure 20 locks again');
  const locked3 = h.clock.now();
  assert.equal(twentieth.json().lockedUntil, new Date(locked3 + 60 * MIN).toISOString());
  at(locked3 + 60 * MIN);
  assert.equal((await login(h, 'admin', ADMIN_PASSWORD)).res.statusCode, 200, '60:00 open');
  assert.equal(h.security.accounts.get('admin')?.failures, 0, 'success resets the count');
});

test('S4: exact boundaries 9:59.999 locked, 10:00.000 open', async (t) => {
  const h = await makeHarness();
  t.after(() => h.close());
  for (let i = 1; i <= 10; i++) await attempt(h, 'Wrong-pass1');
  const until = h.security.accounts.get('admin')?.lockedUntil as number;
  h.clock.advance(until - h.clock.now() - 1);
  assert.equal((await login(h, 'admin', ADMIN_PASSWORD)).res.statusCode, 423);
  h.clock.advance(1);
  assert.equal((await login(h, 'admin', ADMIN_PASSWORD)).res.statusCode, 200);
});

test('SEC-A4: 50 parallel wrong attempts are counted atomically: exactly 10, then locked', async (t) => {
  const h = await makeHarness({
    web: {
      hashing: { maxConcurrent: 8, maxQueued: 64 },
      loginThrottle: { freeFailures: 100, baseDelayMs: 1000, maxDelayMs: 30_000 },
    },
  });
  t.after(() => h.close());
  const results = await Promise.all(Array.from({ length: 50 }, () => login(h, 'admin', 'Wrong-pass1')));
  const codes = results.map((r) => r.res.statusCode);
  const a = h.security.accounts.get('admin');
  assert.equal(a?.failures, 10, 'no lost and no extra increments');
  assert.ok(a?.lockedUntil, 'locked');
  assert.equal(codes.filter((c) => c === 401).length, 9);
  assert.equal(codes.filter((c) => c === 423).length, 41);
});

test('SEC-A4: per-source progressive delay → 429 + Retry-After, not counted against the account', async (t) => {
  const h = await makeHarness();
  t.after(() => h.close());
  for (let i = 0; i < 5; i++) assert.equal((await login(h, 'nobody', 'Wrong-pass1')).res.statusCode, 401);
  const sixth = await login(h, 'nobody', 'Wrong-pass1');
  assert.equal(sixth.res.statusCode, 401, 'the 6th failure is still checked');
  const early = await login(h, 'admin', ADMIN_PASSWORD);
  assert.equal(early.res.statusCode, 429);
  assert.equal(early.res.headers['retry-after'], '1');
  h.clock.advance(SEC);
  assert.equal((await login(h, 'admin', ADMIN_PASSWORD)).res.statusCode, 200, 'after the delay');
});

test('recovery: unlockAccount clears the lock (wattgate unlock)', async (t) => {
  const h = await makeHarness();
  t.after(() => h.close());
  for (let i = 1; i <= 10; i++) await attempt(h, 'Wrong-pass1');
  h.clock.advance(30 * SEC);
  assert.equal((await login(h, 'admin', ADMIN_PASSWORD)).res.statusCode, 423);
  unlockAccount(h.db, 'admin');
  assert.equal((await login(h, 'admin', ADMIN_PASSWORD)).res.statusCode, 200);
  assert.throws(() => unlockAccount(h.db, 'ghost'), /no account/);
});
