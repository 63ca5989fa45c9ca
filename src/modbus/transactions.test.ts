// Transactions (the waitress) on a ManualClock: ids wrap at 16 bits and skip
// pending and quarantined ids, timeouts, late replies dropped, matching on
// transaction id + unit id + function code (exception flag included), fail-all.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../shared/clock.js';
import { ErrorCodes, hasCode, WattgateError } from '../shared/errors.js';
import { type Outcome, Transactions } from './transactions.js';

function setup(firstId = 1, quarantineMs = 1000) {
  const clock = new ManualClock();
  const tx = new Transactions<string>({ clock, firstId, quarantineMs });
  const outcomes = new Map<number, Outcome<string>>();
  const begin = (fc = 3, unitId = 1, timeoutMs = 100): number => {
    const id: number = tx.begin({ unitId, fc }, timeoutMs, (o) => {
      assert.ok(!outcomes.has(id), `transaction ${id} settled twice`);
      outcomes.set(id, o);
    });
    return id;
  };
  return { clock, tx, outcomes, begin };
}

test('ids are sequential and wrap from 0xFFFF to 0', () => {
  const { tx, begin } = setup(0xfffe);
  const ids = [begin(), begin(), begin()];
  assert.deepEqual(ids, [0xfffe, 0xffff, 0]);
  assert.equal(tx.pending, 3);
});

test('an id still pending is never reused after a wrap', () => {
  const { tx, begin } = setup(5);
  const held = begin(); // id 5 stays pending throughout
  assert.equal(held, 5);
  for (let i = 0; i < 0x10000 - 1; i++) {
    const id = tx.begin({ unitId: 1, fc: 3 }, 1_000_000, () => {});
    assert.equal(tx.deliver(id, 1, 3, 'x'), 'delivered');
  }
  // 65 535 ids went by; the counter is back at 5, which is pending: it skips to 6.
  assert.equal(begin(), 6);
  assert.ok(tx.has(5));
});

test('timeout settles with WG_ERR_TIMEOUT through the clock', () => {
  const { clock, outcomes, begin, tx } = setup();
  const id = begin(3, 1, 100);
  clock.advance(99);
  assert.equal(outcomes.size, 0);
  clock.advance(1);
  const o = outcomes.get(id);
  assert.ok(o && !o.ok && hasCode(o.error, ErrorCodes.TIMEOUT));
  assert.equal(tx.pending, 0);
  assert.equal(clock.pendingTimers, 0);
});

test('a late reply is discarded and its id is not reused while quarantined', () => {
  const { clock, outcomes, begin, tx } = setup(1, 1000);
  const late = begin(3, 1, 100);
  clock.advance(100);
  const next = begin(3, 1, 100);
  assert.notEqual(next, late);
  assert.equal(tx.deliver(late, 1, 3, 'old'), 'late');
  assert.equal(outcomes.get(next), undefined, 'the late reply reached nobody');
  assert.equal(tx.deliver(next, 1, 3, 'new'), 'delivered');
  assert.deepEqual(outcomes.get(next), { ok: true, value: 'new' });
  // A second copy of the late reply is now simply unknown.
  assert.equal(tx.deliver(late, 1, 3, 'old'), 'unknown');
});

test('a quarantined id is skipped on wrap, and reused once its quarantine is over', () => {
  const { clock, begin, tx } = setup(0xffff, 1000);
  const quick = () => tx.begin({ unitId: 1, fc: 3 }, 1_000_000, () => {});
  const late = begin(3, 1, 10);
  clock.advance(10); // id 0xFFFF times out and is quarantined
  for (let i = 0; i < 0x10000 - 1; i++) tx.deliver(quick(), 1, 3, 'x');
  assert.equal(quick(), 0, 'wrapped past the quarantined 0xFFFF');
  clock.advance(1000);
  for (let i = 1; i < 0xffff; i++) tx.deliver(quick(), 1, 3, 'x');
  assert.equal(quick(), late, 'quarantine over: the id is free again');
});

test('BUSY when every id is held', () => {
  const { tx } = setup();
  const quick = () => tx.begin({ unitId: 1, fc: 3 }, 1_000_000, () => {});
  for (let i = 0; i < 0x10000; i++) quick();
  assert.throws(quick, (e) => hasCode(e, ErrorCodes.BUSY));
});

test('a reply must match unit id and function code; exception replies match', () => {
  const { outcomes, begin, tx } = setup();
  const a = begin(3, 7);
  assert.equal(tx.deliver(a, 8, 3, 'wrong unit'), 'mismatch');
  assert.equal(tx.deliver(a, 7, 4, 'wrong fc'), 'mismatch');
  assert.equal(tx.deliver(a, 7, 0x84, 'wrong exception fc'), 'mismatch');
  assert.equal(outcomes.size, 0, 'the request keeps waiting');
  assert.equal(tx.deliver(a, 7, 0x83, 'exception'), 'delivered');
  assert.deepEqual(outcomes.get(a), { ok: true, value: 'exception' });
  assert.equal(tx.deliver(0x1234, 7, 3, 'x'), 'unknown');
});

test('failAll settles everything once and forgets the quarantine', () => {
  const { clock, outcomes, begin, tx } = setup();
  const timedOut = begin(3, 1, 10);
  clock.advance(10);
  const a = begin();
  const b = begin();
  assert.equal(tx.quarantined, 1);
  const n = tx.failAll(new WattgateError(ErrorCodes.UNAVAILABLE, 'connection closed'));
  assert.equal(n, 2);
  for (const id of [a, b]) {
    const o = outcomes.get(id);
    assert.ok(o && !o.ok && hasCode(o.error, ErrorCodes.UNAVAILABLE));
  }
  assert.equal(tx.quarantined, 0);
  assert.equal(tx.deliver(timedOut, 1, 3, 'x'), 'unknown');
  clock.advance(1000);
  assert.equal(outcomes.size, 3, 'no timer fired after fail-all');
});

test('fail settles one request and quarantines its id', () => {
  const { outcomes, begin, tx } = setup();
  const a = begin();
  assert.equal(tx.fail(a, new WattgateError(ErrorCodes.ABORTED, 'gone')), true);
  assert.equal(tx.fail(a, new WattgateError(ErrorCodes.ABORTED, 'gone')), false);
  const o = outcomes.get(a);
  assert.ok(o && !o.ok && hasCode(o.error, ErrorCodes.ABORTED));
  assert.equal(tx.deliver(a, 1, 3, 'x'), 'late');
});

test('one timer for all requests: each times out at its own deadline, in deadline order', () => {
  const { clock, outcomes, begin, tx } = setup();
  const order: number[] = [];
  const track = (timeoutMs: number): number => {
    const id: number = tx.begin({ unitId: 1, fc: 3 }, timeoutMs, (o, expect) => {
      assert.equal(expect.fc, 3, 'done receives the expectation given to begin');
      assert.ok(!o.ok);
      order.push(id);
    });
    return id;
  };
  const slow = track(300);
  const a = track(100);
  const fast = track(50);
  const b = track(100);
  const answered = begin(3, 1, 100);
  assert.equal(clock.pendingTimers, 1, 'one timer, not one per request');
  assert.equal(tx.deliver(answered, 1, 3, 'x'), 'delivered');
  clock.advance(49);
  assert.deepEqual(order, []);
  clock.advance(1);
  assert.deepEqual(order, [fast]);
  clock.advance(50);
  assert.deepEqual(order, [fast, a, b], 'equal deadlines time out in begin order');
  assert.equal(outcomes.size, 1, 'the answered request did not time out');
  clock.advance(199);
  assert.equal(order.length, 3);
  clock.advance(1);
  assert.deepEqual(order, [fast, a, b, slow]);
  assert.equal(tx.pending, 0);
  assert.equal(clock.pendingTimers, 0, 'nothing left to time out: the timer is not re-armed');
});
