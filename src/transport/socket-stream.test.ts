// SocketStream limits over real loopback sockets: idle timeout and frame deadline
// driven by a ManualClock (no sleeping for timeouts), backpressure with real
// kernel buffers (PRODUCT G7, SECURITY H3).
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { afterEach, test } from 'node:test';
import { type Clock, ManualClock, systemClock } from '../shared/clock.js';
import { silentLogger } from '../shared/logger.js';
import type { ByteStream } from './byte-stream.js';
import type { ServerLimits } from './limits.js';
import { TcpServer } from './tcp-server.js';

const running: TcpServer[] = [];
afterEach(() => Promise.all(running.splice(0).map((s) => s.stop())));

interface Rig {
  server: TcpServer;
  port: number;
  streams: ByteStream[];
  reasons: string[];
}

async function rig(
  clock: Clock,
  limits: Partial<ServerLimits>,
  onStream: (s: ByteStream) => void,
): Promise<Rig> {
  const server = new TcpServer(
    { clock, log: silentLogger },
    { endpoints: [{ host: '127.0.0.1', port: 0 }], limits },
  );
  const streams: ByteStream[] = [];
  const reasons: string[] = [];
  server.onConnection((s) => {
    streams.push(s);
    s.onClose((r) => reasons.push(r));
    onStream(s);
  });
  running.push(server);
  await server.start();
  return { server, port: server.addresses()[0]?.boundPort ?? 0, streams, reasons };
}

function dial(port: number): Promise<{ socket: Socket; received: Buffer[]; ended: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' });
    const received: Buffer[] = [];
    const ended = new Promise<void>((done) => socket.on('close', () => done()));
    socket.on('data', (b: Buffer) => received.push(b));
    socket.on('error', reject);
    socket.on('connect', () => resolve({ socket, received, ended }));
  });
}

async function until(cond: () => boolean, what: string, timeoutMs = 2000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

test('idle timeout counts from the last received byte and closes with reason idle', async () => {
  const clock = new ManualClock();
  let chunks = 0;
  const r = await rig(clock, { idleTimeoutMs: 1000 }, (s) => s.onData(() => chunks++));
  const peer = await dial(r.port);
  await until(() => r.streams.length === 1, 'accepted');
  clock.advance(999);
  peer.socket.write('x');
  await until(() => chunks === 1, 'byte received');
  clock.advance(999);
  assert.equal(r.streams[0]?.isOpen, true);
  clock.advance(1);
  assert.deepEqual(r.reasons, ['idle']);
  await peer.ended;
  assert.equal(r.server.stats.closed.idle, 1);
  assert.equal(clock.pendingTimers, 0);
  await r.server.stop();
});

test('a lowered idle timeout applies to open connections at once', async () => {
  const clock = new ManualClock();
  const r = await rig(clock, { idleTimeoutMs: 60_000 }, () => {});
  const peer = await dial(r.port);
  await until(() => r.streams.length === 1, 'accepted');
  clock.advance(5000);
  r.server.applyLimits({ idleTimeoutMs: 2000 });
  clock.advance(1);
  assert.deepEqual(r.reasons, ['idle']);
  await peer.ended;
  r.server.applyLimits({ idleTimeoutMs: 0 });
  const quiet = await dial(r.port);
  await until(() => r.streams.length === 2, 'accepted');
  clock.advance(3_600_000);
  assert.equal(r.streams[1]?.isOpen, true);
  quiet.socket.destroy();
  await r.server.stop();
});

/** A stand-in protocol: frames are 10 bytes; deadline armed at a frame's first byte. */
function tenByteFrames(deadlineMs: number): (s: ByteStream) => void {
  return (s) => {
    let have = 0;
    s.onData((bytes) => {
      if (have === 0) s.armDeadline(deadlineMs);
      have += bytes.length;
      while (have >= 10) {
        have -= 10;
        s.disarmDeadline();
        s.write(Buffer.from('ok'));
        if (have > 0) s.armDeadline(deadlineMs);
      }
    });
  };
}

test('frame deadline: a byte-by-byte slow sender is cut, even though it is never idle', async () => {
  const clock = new ManualClock();
  let received = 0;
  const r = await rig(clock, { idleTimeoutMs: 1000 }, (s) => {
    s.onData((b) => {
      received += b.length;
    });
    tenByteFrames(500)(s);
  });
  const slow = await dial(r.port);
  for (let i = 1; i <= 5; i++) {
    slow.socket.write(Buffer.of(i));
    await until(() => received === i, `byte ${i}`);
    clock.advance(i < 5 ? 120 : 20);
  }
  assert.deepEqual(r.reasons, ['frame-deadline']);
  await slow.ended;
  assert.equal(slow.received.length, 0);
  assert.equal(r.server.stats.closed['frame-deadline'], 1);
  await r.server.stop();
});

test('frames that complete in time are answered and leave no deadline running', async () => {
  const clock = new ManualClock();
  const r = await rig(clock, { idleTimeoutMs: 0 }, tenByteFrames(500));
  const fast = await dial(r.port);
  for (let i = 1; i <= 3; i++) {
    fast.socket.write(Buffer.alloc(10, i));
    await until(() => Buffer.concat(fast.received).length === 2 * i, `answer ${i}`);
    clock.advance(10_000);
  }
  assert.equal(r.streams[0]?.isOpen, true);
  assert.equal(clock.pendingTimers, 0);
  fast.socket.destroy();
  await r.server.stop();
});

/** More than the kernel buffers of both ends can hold (tcp_wmem max 4 MiB; a paused reader's window stays small). */
const BIG = 32 * 1024 * 1024;

test('backpressure: a client that does not read pauses the reading of its requests', async () => {
  let chunks = 0;
  const r = await rig(systemClock, { writeHighWaterBytes: 64 * 1024, maxWriteBufferBytes: 2 * BIG }, (s) =>
    s.onData(() => {
      if (++chunks === 1) s.write(Buffer.alloc(BIG));
    }),
  );
  const peer = await dial(r.port);
  peer.socket.pause();
  peer.socket.write('a');
  await until(() => chunks === 1, 'first request');
  await new Promise((done) => setTimeout(done, 50));
  peer.socket.write('b');
  await new Promise((done) => setTimeout(done, 100));
  assert.equal(chunks, 1, 'second request must wait');
  peer.socket.resume();
  await until(() => chunks === 2, 'reading resumed after the reply drained');
  let total = 0;
  await until(
    () => {
      total += peer.received.splice(0).reduce((n, b) => n + b.length, 0);
      return total === BIG;
    },
    'whole reply',
    5000,
  );
  peer.socket.destroy();
  await r.server.stop();
});

test('backpressure: beyond maxWriteBufferBytes the client is closed (write-overflow)', async () => {
  const r = await rig(
    systemClock,
    { writeHighWaterBytes: 64 * 1024, maxWriteBufferBytes: 1024 * 1024 },
    (s) =>
      s.onData(() => {
        assert.equal(s.write(Buffer.alloc(BIG)), false);
        assert.equal(s.write(Buffer.of(1)), false);
      }),
  );
  const peer = await dial(r.port);
  peer.socket.pause();
  peer.socket.write('a');
  await until(() => r.reasons.length === 1, 'closed');
  assert.deepEqual(r.reasons, ['write-overflow']);
  peer.socket.destroy();
  await r.server.stop();
});

test('onClose after the close still fires (on a microtask); handlers that throw are contained', async () => {
  const r = await rig(systemClock, {}, (s) =>
    s.onData(() => {
      throw new Error('parser bug');
    }),
  );
  const peer = await dial(r.port);
  peer.socket.write('boom');
  await peer.ended;
  await until(() => r.reasons.length === 1, 'closed');
  assert.deepEqual(r.reasons, ['error']);
  const late = await new Promise<string>((done) => r.streams[0]?.onClose(done));
  assert.equal(late, 'error');
  assert.equal(r.streams[0]?.write(Buffer.of(1)), false);
  await r.server.stop();
});

test('writes of one tick (corked after the first) all arrive, in order; a listener removed in a dispatch', async () => {
  const seen: string[] = [];
  const r = await rig(systemClock, {}, (s) => {
    const off = s.onData((b) => seen.push(`a:${b.length}`));
    s.onData((b) => {
      seen.push(`b:${b.length}`);
      off(); // unsubscribing during a dispatch takes effect from the next chunk
      for (let i = 0; i < 50; i++) s.write(Buffer.from(`${i},`));
    });
  });
  const peer = await dial(r.port);
  peer.socket.write('go');
  const want = Array.from({ length: 50 }, (_, i) => `${i},`).join('');
  await until(() => Buffer.concat(peer.received).toString() === want, 'all 50 answers');
  peer.socket.write('again');
  await until(() => seen.length === 3, 'second chunk');
  assert.deepEqual(seen, ['a:2', 'b:2', 'b:5']);
  peer.socket.destroy();
});
