import assert from 'node:assert/strict';
import { test } from 'node:test';
import { attemptsFor, finalFailure, SlaveHealth } from './rtu-policy.js';

test('reads get 1 + retries attempts; writes and raw requests one, unless retryWrites', () => {
  const p = { retries: 2, retryWrites: false };
  for (const fc of [1, 2, 3, 4, 8, 17, 43]) assert.equal(attemptsFor(fc, false, p), 3, `fc ${fc}`);
  for (const fc of [5, 6, 15, 16, 21, 22, 23]) assert.equal(attemptsFor(fc, false, p), 1, `fc ${fc}`);
  assert.equal(attemptsFor(0x41, true, p), 1, 'raw: effect unknown');
  assert.equal(attemptsFor(16, false, { retries: 2, retryWrites: true }), 3);
  assert.equal(attemptsFor(3, false, { retries: 0, retryWrites: true }), 1);
});

test('0x04 only when every attempt was corrupt', () => {
  assert.equal(finalFailure(['corrupt', 'corrupt']), 'corrupt');
  assert.equal(finalFailure(['corrupt', 'silent']), 'timeout');
  assert.equal(finalFailure(['silent']), 'timeout');
  assert.equal(finalFailure([]), 'timeout');
});

test('a slave silent 3 times in a row is backed off 1 s, then 2 s …, capped; a probe decides', () => {
  const h = new SlaveHealth({ deadAfter: 3, baseMs: 1000, maxMs: 4000 });
  h.record(7, 'silent', 0);
  h.record(7, 'silent', 10);
  assert.equal(h.gate(7, 20), 'ok');
  h.record(7, 'silent', 20);
  assert.equal(h.gate(7, 21), 'backed-off');
  assert.equal(h.gate(8, 21), 'ok', 'other slaves unaffected');
  assert.deepEqual(h.backedOff(21), [7]);
  assert.equal(h.gate(7, 1020), 'probe');
  h.record(7, 'silent', 1100);
  assert.equal(h.gate(7, 3099), 'backed-off', 'second period: 2 s');
  assert.equal(h.gate(7, 3100), 'probe');
  h.record(7, 'silent', 3100);
  h.record(7, 'silent', 7100);
  assert.equal(h.gate(7, 11_099), 'backed-off', 'capped at 4 s');
  assert.equal(h.gate(7, 11_100), 'probe');
  h.record(7, 'corrupt', 11_100);
  assert.equal(h.gate(7, 11_101), 'ok', 'any reply proves the slave alive');
});

test('a reply resets the silent streak; corrupt replies do not count', () => {
  const h = new SlaveHealth();
  h.record(1, 'silent', 0);
  h.record(1, 'silent', 0);
  h.record(1, 'ok', 0);
  h.record(1, 'silent', 0);
  h.record(1, 'corrupt', 0);
  h.record(1, 'silent', 0);
  assert.equal(h.gate(1, 1), 'ok');
  h.record(1, 'silent', 1);
  assert.equal(h.gate(1, 2), 'backed-off');
  h.clear();
  assert.equal(h.gate(1, 2), 'ok');
});
