// Rpc over a real MessageChannel (the same structured clone as between threads):
// calls and answers, WattgateErrors crossing with code and details, the
// in-flight bound (BUSY at once), timeouts on the injected clock, one-way
// notifications, close.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MessageChannel } from 'node:worker_threads';
import { ManualClock } from './clock.js';
import { ErrorCodes, hasCode, WattgateError } from './errors.js';
import { Rpc } from './rpc.js';

function pair(maxInFlight = 64, timeoutMs = 1000) {
  const { port1, port2 } = new MessageChannel();
  const clock = new ManualClock(0);
  const a = new Rpc(port1, { clock, maxInFlight, timeoutMs });
  const b = new Rpc(port2, { clock, maxInFlight, timeoutMs });
  const close = () => {
    a.close();
    b.close();
    port1.close();
    port2.close();
  };
  return { a, b, clock, close };
}

test('calls resolve the handler answer; values cross by structured clone', async () => {
  const { a, b, close } = pair();
  b.serve({
    add: ({ x, y }: { x: number; y: number }) => x + y,
    slow: async (n: number) => new Float64Array([n, n * 2]),
    big: () => 2n ** 64n,
  });
  assert.equal(await a.call('add', { x: 2, y: 3 }), 5);
  assert.deepEqual(await a.call('slow', 4), new Float64Array([4, 8]));
  assert.equal(await a.call('big'), 2n ** 64n);
  assert.equal(a.inFlight, 0);
  close();
});

test('a WattgateError crosses with its code, message and details; other errors become INTERNAL', async () => {
  const { a, b, close } = pair();
  b.serve({
    invalid: () => {
      throw new WattgateError(ErrorCodes.INVALID_CONFIG, 'bad', {
        details: [{ path: '/name', message: 'taken' }],
      });
    },
    bug: () => {
      throw new TypeError('x is undefined');
    },
  });
  await assert.rejects(a.call('invalid'), (e) => {
    assert.ok(hasCode(e, ErrorCodes.INVALID_CONFIG));
    assert.deepEqual(e.details, [{ path: '/name', message: 'taken' }]);
    return e.message === 'bad';
  });
  await assert.rejects(a.call('bug'), (e) => hasCode(e, ErrorCodes.INTERNAL) && /undefined/.test(e.message));
  await assert.rejects(a.call('nothing'), (e) => hasCode(e, ErrorCodes.NOT_FOUND));
  close();
});

test('bounded: one call over maxInFlight is refused at once with BUSY; a silent peer times out', async () => {
  const { a, b, clock, close } = pair(2, 1000);
  b.serve({ never: () => new Promise(() => {}) });
  const first = a.call('never');
  const second = a.call('never');
  await assert.rejects(a.call('never'), (e) => hasCode(e, ErrorCodes.BUSY));
  assert.equal(a.inFlight, 2);
  clock.advance(1000);
  await assert.rejects(first, (e) => hasCode(e, ErrorCodes.TIMEOUT));
  await assert.rejects(second, (e) => hasCode(e, ErrorCodes.TIMEOUT));
  assert.equal(a.inFlight, 0);
  close();
});

test('notifications reach the listeners; close fails the outstanding calls with UNAVAILABLE', async () => {
  const { a, b, close } = pair();
  const seen: number[] = [];
  // Waits on delivery itself, not on a delay (a loaded machine can take longer than any fixed wait).
  let gotTwo: () => void = () => {};
  const two = new Promise<void>((r) => {
    gotTwo = r;
  });
  const off = b.onNotify<number>('tick', (n) => {
    seen.push(n);
    if (seen.length === 2) gotTwo();
  });
  a.notify('tick', 1);
  a.notify('tick', 2);
  await two;
  off();
  const third = new Promise<void>((r) => b.onNotify<number>('tick', (n) => n === 3 && r()));
  a.notify('tick', 3);
  await third; // delivered to the other listener: the removed one would have had it by now
  assert.deepEqual(seen, [1, 2]);
  b.serve({ never: () => new Promise(() => {}) });
  const pending = a.call('never');
  a.close('worker stopped');
  await assert.rejects(
    pending,
    (e) => hasCode(e, ErrorCodes.UNAVAILABLE) && /worker stopped/.test(e.message),
  );
  await assert.rejects(a.call('never'), (e) => hasCode(e, ErrorCodes.UNAVAILABLE));
  close();
});
