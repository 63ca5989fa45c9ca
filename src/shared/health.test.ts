// The health board: the worst condition wins, `since` stays from when a
// condition was first raised, clearing restores nominal; register 159 codes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from './clock.js';
import { HealthBoard } from './health.js';

test('conditions raise the status to the worst; since is kept; clearing restores nominal', () => {
  const clock = new ManualClock(1000);
  const h = new HealthBoard(clock);
  assert.deepEqual(h.report(), { status: 'nominal', reasons: [] });
  assert.equal(h.code(), 0);
  h.set('history.write-failed', true, 'history write failed (SQLITE_FULL)');
  clock.advance(500);
  h.set('history.write-failed', true, 'still failing');
  assert.deepEqual(h.report(), {
    status: 'degraded',
    reasons: [{ key: 'history.write-failed', severity: 'degraded', message: 'still failing', since: 1000 }],
  });
  assert.equal(h.code(), 1);
  h.set('radio', true, 'no coordinator', 'out-of-order');
  assert.equal(h.report().status, 'out-of-order');
  assert.equal(h.code(), 2);
  h.set('radio', false, 'back');
  h.set('history.write-failed', false, 'writes succeed again');
  assert.deepEqual(h.report(), { status: 'nominal', reasons: [] });
});
