// The master's hot-path shortcuts keep its documented behaviour: the cheap
// reply check of the reads agrees with decodeResponse, frames sent while
// others are in flight leave in one write, and queued requests share one
// queue timer and one abort listener per signal (behaviour on the wire:
// tcp-device.test.ts).
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, test } from 'node:test';
import fc from 'fast-check';
import { bytesToHex, decodeResponse, type ModbusRequest } from '../protocol/modbus/index.js';
import { ManualClock, systemClock } from '../shared/clock.js';
import { ErrorCodes, hasCode } from '../shared/errors.js';
import { silentLogger } from '../shared/logger.js';
import { answersRequest, ModbusTcpMaster } from './tcp-master.js';

test('answersRequest agrees with decodeResponse for the reads (FC 1–4) and the rest', () => {
  const request = fc.oneof(
    fc.record({
      kind: fc.constant('read-registers' as const),
      fc: fc.constantFrom(3 as const, 4 as const),
      address: fc.constant(0),
      quantity: fc.integer({ min: 1, max: 125 }),
    }),
    fc.record({
      kind: fc.constant('read-bits' as const),
      fc: fc.constantFrom(1 as const, 2 as const),
      address: fc.constant(0),
      quantity: fc.integer({ min: 1, max: 2000 }),
    }),
    fc.record({
      kind: fc.constant('write-single-register' as const),
      fc: fc.constant(6 as const),
      address: fc.integer({ min: 0, max: 0xffff }),
      value: fc.integer({ min: 0, max: 0xffff }),
    }),
  );
  const reply = (req: ModbusRequest) =>
    fc.oneof(
      fc.uint8Array({ minLength: 1, maxLength: 260 }).map((b) => Uint8Array.of(req.fc, ...b)),
      fc
        .integer({ min: 0, max: 255 })
        .chain((count) =>
          fc
            .uint8Array({ minLength: Math.max(0, count - 1), maxLength: count + 1 })
            .map((b) => Uint8Array.of(req.fc, count, ...b)),
        ),
    );
  fc.assert(
    fc.property(
      request.chain((req) => fc.tuple(fc.constant(req as ModbusRequest), reply(req as ModbusRequest))),
      ([req, pdu]) => {
        assert.equal(answersRequest(pdu, req), decodeResponse(pdu, req).ok, bytesToHex(pdu));
      },
    ),
    { numRuns: 3000 },
  );
});

/** A downstream device that records what it receives and never answers. */
async function mute(): Promise<{ server: Server; port: number; chunks: Buffer[]; sockets: Socket[] }> {
  const chunks: Buffer[] = [];
  const sockets: Socket[] = [];
  const server = createServer((s) => {
    sockets.push(s);
    s.on('data', (b) => chunks.push(b));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { server, port, chunks, sockets };
}

const open: Array<() => void> = [];
afterEach(() => {
  for (const close of open.splice(0)) close();
});

async function connected(master: ModbusTcpMaster): Promise<void> {
  for (let i = 0; i < 200 && !master.stats.connected; i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(master.stats.connected);
}

test('frames sent while one is in flight leave together, back to back, in one write', async () => {
  const dev = await mute();
  const master = new ModbusTcpMaster(
    { name: 'm', host: '127.0.0.1', port: dev.port },
    { log: silentLogger, clock: systemClock },
  );
  open.push(() => {
    master.stop();
    for (const s of dev.sockets) s.destroy();
    dev.server.close();
  });
  master.start();
  await connected(master);
  const signal = new AbortController().signal;
  const ask = (address: number) =>
    master
      .request({
        unitId: 5,
        pdu: Uint8Array.of(3, 0, address, 0, 1),
        request: undefined,
        signal,
        timeoutMs: 5000,
      })
      .catch(() => undefined);
  void ask(1); // alone on the wire: written at once
  for (let i = 0; i < 200 && dev.chunks.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
  void ask(2);
  void ask(3);
  for (let i = 0; i < 200 && dev.chunks.length < 2; i++) await new Promise((r) => setTimeout(r, 5));
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(
    dev.chunks.map((c) => c.toString('hex')),
    ['000100000006050300010001', '000200000006050300020001000300000006050300030001'],
  );
});

test('queued requests: one queue timer, one abort listener per signal, dropped at once on abort', async () => {
  const dev = await mute();
  const clock = new ManualClock();
  const master = new ModbusTcpMaster(
    { name: 'm', host: '127.0.0.1', port: dev.port },
    { log: silentLogger, clock },
    { maxInFlight: 1 },
  );
  open.push(() => {
    master.stop();
    for (const s of dev.sockets) s.destroy();
    dev.server.close();
  });
  master.start();
  await connected(master);
  const timers = clock.pendingTimers;
  const client = new AbortController();
  const other = new AbortController();
  const ask = (signal: AbortSignal, timeoutMs = 1000) =>
    master
      .request({ unitId: 1, pdu: Uint8Array.of(3, 0, 0, 0, 1), request: undefined, signal, timeoutMs })
      .then(
        () => 'answered',
        (e: unknown) =>
          hasCode(e, ErrorCodes.ABORTED) ? 'aborted' : hasCode(e, ErrorCodes.TIMEOUT) ? 'timeout' : 'other',
      );
  const sent = ask(other.signal);
  const queued = [ask(client.signal), ask(client.signal), ask(client.signal)];
  const late = ask(other.signal, 2000);
  assert.equal(master.stats.queueDepth, 4);
  assert.equal(clock.pendingTimers - timers, 2, 'the reply timer and the queue timer, whatever the depth');
  assert.equal(getEventListeners(client.signal, 'abort').length, 1);
  assert.equal(getEventListeners(other.signal, 'abort').length, 1);
  client.abort();
  assert.deepEqual(await Promise.all(queued), ['aborted', 'aborted', 'aborted']);
  assert.equal(master.stats.queueDepth, 1);
  assert.equal(getEventListeners(client.signal, 'abort').length, 0);
  clock.advance(1000);
  assert.equal(await sent, 'timeout', 'the sent request times out on the reply timer');
  // the queued one was sent when the slot freed: it now waits for its reply (2000 ms from its send)
  master.stop();
  assert.equal(await late, 'other');
  assert.equal(getEventListeners(other.signal, 'abort').length, 0, 'stop removes the listeners');
});
