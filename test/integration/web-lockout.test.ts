/**
 * Reference verification test 1 (PRODUCT S4, SECURITY A4, A5) in real
 * Chromium against the real HTTPS Part, in-process, with the injected
 * ManualClock (no test-only route; time moves with `clock.advance`):
 * - empty and wrong passwords → no access (no session cookie, `/` → login);
 * - 10 failures → locked 10 minutes: 9:59 still locked (even the right
 *   password), 10:00 open;
 * - 5 more failures → locked 60 minutes: 59:59 locked, 60:00 open (login
 *   succeeds and reaches the home page);
 * - the page says that the account is locked and until when;
 * - the per-source progressive delay runs on the same injected clock: an
 *   immediate retry after the 6th failure is refused (429) without counting,
 *   and advancing the clock by exactly the delay lets the next one through.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { privateContext } from '../fixtures/security/browser.js';
import { browserSuite } from '../fixtures/security/browser-suite.js';
import { ADMIN_PASSWORD } from '../fixtures/security/harness.js';
import type { HttpsServer } from '../fixtures/security/https-server.js';
import { open, showsHome, submitLogin } from '../fixtures/security/login-page.js';

const SEC = 1000;
const MIN = 60 * SEC;
const WRONG = 'Wrong-pass1';
const suite = await browserSuite();

/** One page, one server, and the source's failure count (mirrors the throttle's). */
function driver(page: Page, s: HttpsServer) {
  let sourceFailures = 0;
  const failures = () => s.part.security.accounts.get('admin')?.failures;
  const at = (ms: number) => s.clock.advance(ms - s.clock.now());
  /** An attempt counted on the source, after (unless `wait` is false) exactly its delay on the injected clock. */
  const fail = async (password: string, wait = true) => {
    if (wait) s.clock.advance(s.part.security.throttle.delayAfter(sourceFailures));
    const before = failures();
    const r = await submitLogin(page, 'admin', password);
    if (failures() !== before) sourceFailures++; // refused-while-locked attempts count nowhere
    return r;
  };
  return { page, s, failures, at, fail };
}
type Driver = ReturnType<typeof driver>;

const WRONG_MESSAGE = 'wrong account name or password';
const lockMessage = (until: number) => `Account locked until ${new Date(until).toISOString()}.`;

async function assertNoAccess(d: Driver): Promise<void> {
  const cookies = await d.page.context().cookies();
  assert.ok(!cookies.some((c) => c.name === '__Host-wg_session'), 'no session cookie');
  assert.equal(await open(d.page, d.s.origin, '/'), '/login?next=%2F', 'home redirects to the login page');
  assert.equal(await showsHome(d.page), false);
}

/** Failures 1 (empty) to 10, with the throttle checked on the way; returns when the lock was set. */
async function firstTen(d: Driver): Promise<number> {
  const empty = await d.fail('');
  assert.deepEqual([empty.status, empty.message], [401, WRONG_MESSAGE], 'empty password');
  await assertNoAccess(d);
  for (let i = 2; i <= 6; i++) {
    const r = await d.fail(WRONG);
    assert.deepEqual([r.status, r.message], [401, WRONG_MESSAGE], `failure ${i}`);
  }
  await assertNoAccess(d);
  // The progressive delay reads the injected clock: no clock move → refused, not counted.
  const early = await submitLogin(d.page, 'admin', WRONG);
  assert.equal(early.status, 429);
  assert.match(early.message, /too many failed logins from this address; retry in 1 s/);
  assert.equal(d.failures(), 6, 'a throttled attempt is not counted against the account');
  for (let i = 7; i <= 9; i++) assert.equal((await d.fail(WRONG)).status, 401, `failure ${i}`);
  const tenth = await d.fail(WRONG);
  const lock = d.s.clock.now();
  assert.equal(tenth.status, 423, 'failure 10 locks');
  assert.equal(tenth.message, lockMessage(lock + 10 * MIN), 'the page says locked, and until when');
  await assertNoAccess(d);
  return lock;
}

/** One second before `until`: the right password is still refused, and the page says until when. */
async function stillLocked(d: Driver, until: number, label: string): Promise<void> {
  const count = d.failures();
  d.at(until - SEC);
  await open(d.page, d.s.origin, '/login');
  const r = await d.fail(ADMIN_PASSWORD, false);
  assert.deepEqual([r.status, r.message], [423, lockMessage(until)], `${label}: still locked`);
  await assertNoAccess(d);
  assert.equal(d.failures(), count, 'attempts while locked do not count');
}

/** At the end of the first lock: open again (failure 11), then 12 to 15; returns when the new lock was set. */
async function fiveMore(d: Driver, until: number): Promise<number> {
  d.at(until);
  await open(d.page, d.s.origin, '/login');
  const r = await d.fail(WRONG, false);
  assert.deepEqual([r.status, r.message], [401, WRONG_MESSAGE], '10:00: open');
  assert.equal(d.failures(), 11);
  for (let i = 12; i <= 14; i++) assert.equal((await d.fail(WRONG)).status, 401, `failure ${i}`);
  const fifteenth = await d.fail(WRONG);
  const lock = d.s.clock.now();
  assert.equal(fifteenth.status, 423, '5 more failures lock again');
  assert.equal(fifteenth.message, lockMessage(lock + 60 * MIN), 'locked 60 minutes, says until when');
  await assertNoAccess(d);
  return lock;
}

test('reference test 1: empty/wrong → no access; 10 → 10 min (9:59/10:00); 5 more → 60 min (59:59/60:00)', async (t) => {
  const ready = suite.ready(t);
  if (!ready) return;
  const { browser, srv } = ready;
  const ctx = await privateContext(browser);
  t.after(() => ctx.close());
  const d = driver(await ctx.newPage(), srv);
  assert.equal(await open(d.page, srv.origin, '/login'), '/login');
  const lock1 = await firstTen(d);
  await stillLocked(d, lock1 + 10 * MIN, '9:59');
  const lock2 = await fiveMore(d, lock1 + 10 * MIN);
  await stillLocked(d, lock2 + 60 * MIN, '59:59');
  d.at(lock2 + 60 * MIN);
  await open(d.page, srv.origin, '/login');
  const r = await submitLogin(d.page, 'admin', ADMIN_PASSWORD);
  assert.deepEqual([r.status, r.path], [303, '/'], '60:00: open, the right password logs in');
  assert.ok(await showsHome(d.page), 'the home page is shown');
  assert.equal(d.failures(), 0, 'a success resets the count');
});
