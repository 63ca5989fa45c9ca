import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../shared/clock.js';
import { ErrorCodes, hasCode } from '../shared/errors.js';
import { type BackoffSettings, DeviceHealth } from './status.js';
import { WatchLeases } from './watch.js';

test('watch leases: renewed ones stay, forgotten ones end by themselves; bounded', () => {
  const clock = new ManualClock();
  const leases = new WatchLeases(clock, () => ({ leaseMs: 30_000, maxWatchedDevices: 3, maxLeases: 2 }));
  const a = leases.watch([1, 2, 2]);
  assert.deepEqual(a.deviceIds, [1, 2]);
  const b = leases.watch([3]);
  assert.throws(
    () => leases.watch([1]),
    (e) => hasCode(e, ErrorCodes.BUSY),
    'max leases',
  );
  leases.end(b.id);
  assert.throws(
    () => leases.watch([4, 5]),
    (e) => hasCode(e, ErrorCodes.BUSY),
    'max devices',
  );
  clock.advance(20_000);
  leases.renew(a.id);
  clock.advance(20_000);
  assert.deepEqual([...leases.watched()], [1, 2]);
  clock.advance(10_001);
  assert.deepEqual([...leases.watched()], []);
  assert.throws(
    () => leases.renew(a.id),
    (e) => hasCode(e, ErrorCodes.NOT_FOUND),
  );
});

test('device health: back-off after N failures, doubling to the cap; one success clears it', () => {
  const b: BackoffSettings = { afterFailures: 3, baseMs: 10_000, maxMs: 25_000 };
  const h = new DeviceHealth(1);
  const err = { at: 0, code: ErrorCodes.TIMEOUT, message: 'x' };
  assert.equal(h.failure(0, 5, err, b), true);
  assert.equal(h.state, 'error');
  h.failure(1000, 5, err, b);
  h.failure(2000, 5, err, b);
  assert.equal(h.state, 'backed-off');
  assert.equal(h.snapshot().backoffUntil, 12_000);
  assert.equal(h.mayPoll(11_999), false);
  assert.equal(h.mayPoll(12_000), true);
  h.failure(12_000, 5, err, b);
  assert.equal(h.snapshot().backoffUntil, 32_000);
  h.failure(32_000, 5, err, b);
  assert.equal(h.snapshot().backoffUntil, 57_000, 'capped at maxMs');
  assert.equal(h.success(57_000, 3), true);
  const s = h.snapshot();
  assert.deepEqual(
    [s.state, s.consecutiveFailures, s.backoffUntil, s.polls, s.failures, s.skipped],
    ['ok', 0, null, 6, 5, 1],
  );
});
