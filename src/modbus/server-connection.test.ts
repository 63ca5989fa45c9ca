// One upstream connection over a fake ByteStream: frame-deadline arming,
// framing errors, pending cap and abort on close (SECURITY H1–H3, PRODUCT G7).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { silentLogger } from '../shared/logger.js';
import type { ByteStream } from '../transport/byte-stream.js';
import type { RouteRequest } from './router.js';
import { ModbusConnection, type RequestHandler } from './server-connection.js';
import { ModbusStatsRecorder } from './server-stats.js';

class FakeStream implements ByteStream {
  readonly id = 1;
  readonly remote = '127.0.0.1:5000';
  readonly local = '127.0.0.1:502';
  isOpen = true;
  readonly calls: string[] = [];
  readonly written: string[] = [];
  closedWith: string | undefined;
  #data: (b: Uint8Array) => void = () => {};
  #close: (r: string) => void = () => {};
  write(bytes: Uint8Array): boolean {
    this.written.push(Buffer.from(bytes).toString('hex'));
    return this.isOpen;
  }
  close(reason = 'local'): void {
    if (!this.isOpen) return;
    this.isOpen = false;
    this.closedWith = reason;
    this.#close(reason);
  }
  onData(fn: (b: Uint8Array) => void): () => void {
    this.#data = fn;
    return () => {};
  }
  onClose(fn: (r: string) => void): () => void {
    this.#close = fn;
    return () => {};
  }
  armDeadline(ms: number): void {
    this.calls.push(`arm ${ms}`);
  }
  disarmDeadline(): void {
    this.calls.push('disarm');
  }
  push(hex: string): void {
    this.#data(Buffer.from(hex.replace(/\s+/g, ''), 'hex'));
  }
}

function setup(handler: RequestHandler, maxPendingPerConnection = 16) {
  const stream = new FakeStream();
  const stats = new ModbusStatsRecorder();
  const settings = { frameDeadlineMs: 250, maxPendingPerConnection };
  new ModbusConnection(stream, { log: silentLogger, stats, handler, settings: () => settings });
  return { stream, stats };
}

const tick = () => new Promise((r) => setImmediate(r));
const echo: RequestHandler = async (r) => r.pdu;

test('deadline: fresh at each frame start, kept while it trickles, disarmed when complete', async () => {
  const { stream } = setup(echo);
  stream.push('0001 0000 0006 01 03 0000 0001 0002 00');
  assert.deepEqual(stream.calls, ['disarm', 'arm 250'], 'a second frame began in the chunk');
  stream.push('00 0006');
  assert.deepEqual(stream.calls.slice(2), ['arm 250'], 'same frame: no re-arm from scratch');
  stream.push('01 03 0000 0002');
  assert.deepEqual(stream.calls.slice(3), ['disarm']);
  await tick();
  assert.deepEqual(stream.written, ['000100000006010300000001', '000200000006010300000002']);
});

test('fatal length closes with reason bad-length; protocol id ≠ 0 is skipped silently', async () => {
  const { stream, stats } = setup(echo);
  stream.push('0001 0002 0006 01 03 0000 0001');
  await tick();
  assert.deepEqual(stream.written, []);
  stream.push('0001 0000 0001 01');
  assert.equal(stream.closedWith, 'bad-length');
  const s = stats.snapshot();
  assert.equal(s.protocolIdDropped, 1);
  assert.equal(s.badLengthClosed, 1);
  assert.equal(s.requests, 0);
});

test('pending cap: the request above it is answered 0x06 at once, the others later', async () => {
  const waiting: Array<() => void> = [];
  const hold: RequestHandler = (r) => new Promise((res) => waiting.push(() => res(r.pdu)));
  const { stream, stats } = setup(hold, 2);
  stream.push('0001 0000 0006 07 03 0000 0001 0002 0000 0006 07 03 0000 0001 0003 0000 0006 07 03 0000 0001');
  assert.deepEqual(stream.written, ['000300000003078306']);
  for (const w of waiting) w();
  await tick();
  assert.equal(stream.written.length, 3);
  const s = stats.snapshot();
  assert.equal(s.pendingCapRejected, 1);
  assert.deepEqual(s.units[7], { requests: 3, exceptions: 1 });
  assert.equal(s.exceptions[6], 1);
});

test('close aborts the signal given to targets; late answers are not written', async () => {
  let seen: RouteRequest | undefined;
  let release: () => void = () => {};
  const { stream, stats } = setup(
    (r) =>
      new Promise((res) => {
        seen = r;
        release = () => res(r.pdu);
      }),
  );
  stream.push('0001 0000 0006 01 03 0000 0001');
  assert.equal(seen?.signal.aborted, false);
  assert.equal(seen?.source, '127.0.0.1:5000');
  stream.close('peer');
  assert.equal(seen?.signal.aborted, true);
  release();
  await tick();
  assert.deepEqual(stream.written, []);
  assert.equal(stats.snapshot().unanswered, 1);
});

test('a handler that throws is answered 04, never crashes the connection', async () => {
  const { stream } = setup(() => Promise.reject(new Error('bug')));
  stream.push('0009 0000 0006 01 03 0000 0001');
  await tick();
  assert.deepEqual(stream.written, ['000900000003018304']);
  assert.equal(stream.isOpen, true);
});
