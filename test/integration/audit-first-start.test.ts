/**
 * SECURITY D1 for the first start (set the first admin password with the
 * device code), through the HTTPS API's JSON route and the plain form page
 * (fastify inject, injected clock, the real audit log in a temporary data
 * directory): a wrong device code and a password the rules refuse are each
 * recorded as `first-start.failure` (category auth, actor anonymous, the
 * client address, result failure, the reason and the broken rules), never
 * with the device code or the password anywhere in the record or in the CSV
 * export; the successful first start follows as `first-start.done`; a call
 * after it is done answers 409 and is not recorded; the chain verifies.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { AuditRecord } from '../../src/security/audit/record.js';
import { type Harness, login, makeHarness, origin } from '../fixtures/security/harness.js';

let h: Harness;
before(async () => {
  h = await makeHarness({ setAdmin: false });
});
after(() => h.close());

const WRONG_CODE = 'QQQQ-WWWW-XXXX-YYYY-ZZZZ';
const TOO_SHORT = 'Xy7!q';
const BLOCKLISTED = 'Password1!';
const GOOD = 'Correct-Horse7';

const json = (deviceCode: string, password: string) =>
  h.app.inject({
    method: 'POST',
    url: '/api/v1/auth/first-start',
    headers: origin,
    payload: { deviceCode, password },
  });

const page = (deviceCode: string, password: string) =>
  h.app.inject({
    method: 'POST',
    url: '/first-start',
    headers: { ...origin, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ deviceCode, password }).toString(),
  });

const failures = (): AuditRecord[] =>
  [...h.audit.records({})].filter((r) => r.event === 'first-start.failure');

/** Lets the per-source delay that a wrong device code started run out. */
function waitOutThrottle(failuresSoFar: number): void {
  h.clock.advance(h.security.throttle.delayAfter(failuresSoFar) + 1);
}

test('D1: failed first-start attempts (wrong device code, refused password) are audited without secrets', async () => {
  assert.ok(h.deviceCode, 'the harness has a device code');
  assert.equal(failures().length, 0);

  const wrongJson = await json(WRONG_CODE, GOOD);
  assert.equal(wrongJson.statusCode, 401);
  waitOutThrottle(1);
  const wrongPage = await page(WRONG_CODE, GOOD);
  assert.equal(wrongPage.statusCode, 401);
  assert.match(wrongPage.body, /wrong device code/);
  waitOutThrottle(2);
  const shortJson = await json(h.deviceCode, TOO_SHORT);
  assert.equal(shortJson.statusCode, 400);
  const commonPage = await page(h.deviceCode, BLOCKLISTED);
  assert.equal(commonPage.statusCode, 400);

  const recorded = failures();
  assert.deepEqual(
    recorded.map((r) => [r.category, r.actorKind, r.actor, r.source, r.result]),
    Array.from({ length: 4 }, () => ['auth', 'anonymous', null, '127.0.0.1', 'failure']),
  );
  const details = recorded.map((r) => JSON.parse(r.details) as { reason: string; rules?: string[] });
  assert.deepEqual(
    details.map((d) => d.reason),
    ['wrong-device-code', 'wrong-device-code', 'password-refused', 'password-refused'],
  );
  assert.equal(details[0]?.rules, undefined, 'a wrong code says nothing about the password');
  assert.ok(
    details[2]?.rules?.some((m) => /8 to 50 characters/.test(m)),
    JSON.stringify(details[2]),
  );
  assert.ok(
    details[3]?.rules?.some((m) => /common password/.test(m)),
    JSON.stringify(details[3]),
  );

  const ok = await json(h.deviceCode, GOOD);
  assert.equal(ok.statusCode, 200);
  const again = await page(h.deviceCode, 'Another-Horse8');
  assert.equal(again.statusCode, 409);
  assert.equal(failures().length, 4, 'a call after first start is done is not a recorded failure');
  const events = [...h.audit.records({})].map((r) => r.event);
  assert.equal(events.at(-2), 'first-start.done');
  assert.equal(events.at(-1), 'login.success');

  // Neither the device code (in any spelling) nor a password is in any record or in the export.
  const s = await login(h, 'admin', GOOD);
  const csv = await h.app.inject({
    method: 'GET',
    url: '/api/v1/audit/export?format=csv&category=auth',
    headers: { ...origin, cookie: s.cookie },
  });
  assert.equal(csv.statusCode, 200);
  assert.equal(csv.body.split('first-start.failure').length - 1, 4, csv.body);
  const everything = `${JSON.stringify([...h.audit.records({})])}\n${csv.body}`;
  const bare = (code: string) => code.replace(/-/g, '');
  for (const secret of [
    h.deviceCode,
    bare(h.deviceCode),
    WRONG_CODE,
    bare(WRONG_CODE),
    TOO_SHORT,
    BLOCKLISTED,
    GOOD,
  ]) {
    assert.ok(!everything.includes(secret), `${secret} must not be in the audit log`);
  }
  assert.equal(h.audit.verify().ok, true);
});
