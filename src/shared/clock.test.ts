import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from './clock.js';

test('timers fire in due order with now() at their due time', () => {
  const c = new ManualClock(1_000_000);
  const seen: Array<[string, number]> = [];
  c.setTimeout(() => seen.push(['b', c.now()]), 200);
  c.setTimeout(() => seen.push(['a', c.now()]), 100);
  const h = c.setTimeout(() => seen.push(['x', c.now()]), 150);
  h.cancel();
  c.advance(199);
  assert.deepEqual(seen, [['a', 1_000_100]]);
  c.advance(1);
  assert.deepEqual(seen, [
    ['a', 1_000_100],
    ['b', 1_000_200],
  ]);
  assert.equal(c.pendingTimers, 0);
});

test('intervals repeat until cancelled; a wall step does not move monotonic time', () => {
  const c = new ManualClock(0);
  let n = 0;
  const h = c.setInterval(() => n++, 10);
  c.advance(35);
  assert.equal(n, 3);
  c.setWall(5_000);
  assert.equal(c.monotonic(), 35);
  h.cancel();
  c.advance(100);
  assert.equal(n, 3);
  assert.equal(c.now(), 5_100);
});

test('a timer scheduled from a timer callback within the window fires in the same advance', () => {
  const c = new ManualClock(0);
  const seen: number[] = [];
  c.setTimeout(() => {
    seen.push(c.monotonic());
    c.setTimeout(() => seen.push(c.monotonic()), 5);
  }, 5);
  c.advance(10);
  assert.deepEqual(seen, [5, 10]);
});
