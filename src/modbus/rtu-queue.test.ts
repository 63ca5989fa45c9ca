import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type DropReason, type Priority, type QueueItem, RtuQueue } from './rtu-queue.js';

interface Item extends QueueItem {
  readonly n: number;
}

const never = new AbortController().signal;
const item = (n: number, priority: Priority = 'high', deadline = 1000, signal = never): Item => ({
  n,
  priority,
  deadline,
  signal,
});

function take(q: RtuQueue<Item>, now = 0, drops: Array<[number, DropReason]> = []): number[] {
  const out: number[] = [];
  for (
    let it = q.shift(now, (i, why) => drops.push([i.n, why]));
    it;
    it = q.shift(now, (i, w) => drops.push([i.n, w]))
  )
    out.push(it.n);
  return out;
}

test('FIFO within a level, high before low', () => {
  const q = new RtuQueue<Item>(10);
  q.push(item(1, 'low'));
  q.push(item(2));
  q.push(item(3, 'low'));
  q.push(item(4));
  assert.equal(q.size, 4);
  assert.deepEqual(take(q), [2, 4, 1, 3]);
  assert.equal(q.size, 0);
});

test('bounded: full refuses; a high item evicts the newest low one', () => {
  const q = new RtuQueue<Item>(3);
  assert.equal(q.push(item(1, 'low')).accepted, true);
  assert.equal(q.push(item(2, 'low')).accepted, true);
  assert.equal(q.push(item(3)).accepted, true);
  assert.deepEqual(q.push(item(4, 'low')), { accepted: false, evicted: undefined });
  const r = q.push(item(5));
  assert.equal(r.accepted, true);
  assert.equal(r.evicted?.n, 2);
  assert.equal(q.push(item(6)).evicted?.n, 1);
  assert.deepEqual(q.push(item(7)), { accepted: false, evicted: undefined });
  assert.deepEqual(take(q), [3, 5, 6]);
});

test('aborted and expired items are dropped, never returned', () => {
  const q = new RtuQueue<Item>(10);
  const gone = new AbortController();
  q.push(item(1, 'high', 1000, gone.signal));
  q.push(item(2, 'high', 50));
  q.push(item(3, 'low', 1000));
  q.push(item(4, 'low', 99));
  gone.abort();
  const drops: Array<[number, DropReason]> = [];
  assert.deepEqual(take(q, 100, drops), [3]);
  assert.deepEqual(drops, [
    [1, 'aborted'],
    [2, 'expired'],
    [4, 'expired'],
  ]);
});

test('remove and drain', () => {
  const q = new RtuQueue<Item>(10);
  const a = item(1);
  const b = item(2, 'low');
  q.push(a);
  q.push(b);
  q.push(item(3, 'low'));
  assert.equal(q.remove(b), true);
  assert.equal(q.remove(b), false);
  assert.deepEqual(
    q.drain().map((i) => i.n),
    [1, 3],
  );
  assert.equal(q.size, 0);
  assert.equal(new RtuQueue<Item>(0).capacity, 1);
});
