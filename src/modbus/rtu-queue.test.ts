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
const from = (client: string, n: number): Item => ({ ...item(n), client });

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

test('high items of different clients are served in turn: a backlog delays a newcomer by one item at most', () => {
  const q = new RtuQueue<Item>(100);
  for (let n = 1; n <= 10; n++) q.push(from('A', n));
  const drops: Array<[number, DropReason]> = [];
  const shift = () => q.shift(0, (i, why) => drops.push([i.n, why]))?.n;
  assert.equal(shift(), 1, 'A1 goes on the wire');
  q.push(from('B', 101));
  q.push(from('B', 102));
  assert.equal(shift(), 101, 'B comes before the rest of A’s backlog');
  q.push(from('C', 201));
  assert.equal(shift(), 201, 'C has not been served yet');
  assert.deepEqual(take(q), [2, 102, 3, 4, 5, 6, 7, 8, 9, 10], 'then A and B alternate');
  q.push(item(1, 'low'));
  q.push(from('A', 11));
  assert.deepEqual(take(q), [11, 1], 'still high before low');
  assert.deepEqual(drops, []);
});

test('a client whose only item just went on the wire is not first again', () => {
  const q = new RtuQueue<Item>(100);
  q.push(from('A', 1));
  assert.deepEqual(take(q), [1]);
  q.push(from('A', 2));
  q.push(from('B', 101));
  q.push(from('A', 3));
  assert.deepEqual(take(q), [101, 2, 3]);
});

test('without clients (or with one) the high level is plain FIFO', () => {
  const q = new RtuQueue<Item>(10);
  for (const n of [1, 2, 3]) q.push(item(n));
  for (const n of [4, 5]) q.push(from('X', n));
  assert.deepEqual(take(q), [1, 4, 2, 5, 3], 'two keys: "" and X, in turn');
  const one = new RtuQueue<Item>(10);
  for (const n of [1, 2, 3, 4]) one.push(from('X', n));
  assert.deepEqual(take(one), [1, 2, 3, 4]);
});

test('full: a client holding ≥ 2 more than the newcomer’s client loses its newest item', () => {
  const q = new RtuQueue<Item>(4);
  for (const n of [1, 2, 3, 4]) q.push(from('A', n));
  const r = q.push(from('B', 101));
  assert.equal(r.accepted, true);
  assert.equal(r.evicted?.n, 4);
  assert.equal(q.push(from('B', 102)).evicted?.n, 3, 'A 2, B 2 after this');
  assert.deepEqual(q.push(from('B', 103)), { accepted: false, evicted: undefined }, 'B has its share');
  assert.deepEqual(q.push(from('A', 5)), { accepted: false, evicted: undefined });
  assert.equal(q.remove(from('A', 1)), false, 'remove needs the same item');
  assert.deepEqual(take(q), [1, 101, 2, 102]);
});
