// The TCP device target against the simulated slave over loopback: pipelining
// with out-of-order replies, one-in-flight, timeouts and late replies
// (ManualClock), garbage, reconnect, abort, BUSY, device down, byte-identical
// pass-through of FC 8 and FC 23, stop.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { afterEach, test } from 'node:test';
import {
  type FaultRule,
  startTcpSlave,
  type TcpSlave,
  type TcpSlaveOptions,
} from '../../sim/modbus/tcp-slave.js';
import {
  bytesToHex,
  decodeResponse,
  encodeRequest,
  encodeResponse,
  type ModbusRequest,
} from '../protocol/modbus/index.js';
import { type Clock, ManualClock, systemClock } from '../shared/clock.js';
import { type ErrorCode, ErrorCodes, hasCode } from '../shared/errors.js';
import { silentLogger } from '../shared/logger.js';
import type { TargetRequest } from './target.js';
import type { TcpDeviceConfig } from './tcp-device.js';
import { createTcpDeviceTarget, type TcpDeviceOptions, type TcpDeviceTarget } from './tcp-device.js';

const slaves: TcpSlave[] = [];
const devices: TcpDeviceTarget[] = [];
afterEach(async () => {
  for (const d of devices.splice(0)) d.stop();
  await Promise.all(slaves.splice(0).map((s) => s.close()));
});

async function sim(opts: Partial<TcpSlaveOptions> = {}, faults: FaultRule[] = []): Promise<TcpSlave> {
  const s = await startTcpSlave({ units: [1], record: 50, ...opts, faults });
  slaves.push(s);
  s.bank(1).setRegisters(
    'holding',
    0,
    Array.from({ length: 200 }, (_, i) => i * 3 + 1),
  );
  return s;
}

function config(port: number, over: Partial<TcpDeviceConfig> = {}): TcpDeviceConfig {
  return {
    name: 'meter',
    host: '127.0.0.1',
    port,
    unitId: 1,
    virtualId: 10,
    timeoutMs: 500,
    oneInFlight: false,
    ...over,
  };
}

async function device(
  port: number,
  over: Partial<TcpDeviceConfig> = {},
  options: TcpDeviceOptions = {},
  clock: Clock = systemClock,
  waitConnected = true,
): Promise<TcpDeviceTarget> {
  const d = createTcpDeviceTarget(
    config(port, over),
    { log: silentLogger, clock },
    {
      backoff: { baseMs: 20, maxMs: 50 },
      ...options,
    },
  );
  devices.push(d);
  d.start();
  if (waitConnected) await until(() => d.stats.connected, 'connected');
  return d;
}

async function until(cond: () => boolean, what: string, timeoutMs = 2000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function target(request: ModbusRequest, signal = new AbortController().signal, raw = false): TargetRequest {
  return {
    unitId: 10,
    pdu: encodeRequest(request),
    request: raw ? undefined : request,
    signal,
    source: 'test',
  };
}

const read = (address: number, signal?: AbortSignal): TargetRequest =>
  target({ kind: 'read-registers', fc: 3, address, quantity: 1 }, signal);

function values(req: TargetRequest, pdu: Uint8Array): number[] {
  assert.ok(req.request);
  const r = decodeResponse(pdu, req.request);
  assert.ok(r.ok && r.response.kind === 'read-registers', `not a register reply: ${bytesToHex(pdu)}`);
  return r.response.values;
}

async function rejects(p: Promise<unknown>, code: ErrorCode): Promise<void> {
  await assert.rejects(p, (e) => hasCode(e, code));
}

test('pipelined requests get their own replies, out of order', async () => {
  const s = await sim({ latencyMs: [1, 25] });
  const d = await device(s.port);
  const order: number[] = [];
  const reqs = Array.from({ length: 60 }, (_, i) => read(i));
  const replies = await Promise.all(
    reqs.map(async (r, i) => {
      const pdu = await d.handle(r);
      order.push(i);
      return pdu;
    }),
  );
  for (const [i, pdu] of replies.entries())
    assert.deepEqual(values(reqs[i] as TargetRequest, pdu), [i * 3 + 1]);
  assert.ok(s.stats().maxInFlight > 1, 'requests overlapped at the device');
  assert.ok(s.stats().maxInFlight <= 16, 'at most maxInFlight on the wire');
  assert.ok(
    order.some((v, i) => i > 0 && v < (order[i - 1] ?? 0)),
    'replies came back out of order',
  );
  assert.equal(d.stats.responses, 60);
});

test('oneInFlight serialises: the device never sees two requests at once', async () => {
  const s = await sim({ latencyMs: [1, 5] });
  const d = await device(s.port, { oneInFlight: true });
  const reqs = Array.from({ length: 20 }, (_, i) => read(i));
  const replies = await Promise.all(reqs.map((r) => d.handle(r)));
  for (const [i, pdu] of replies.entries())
    assert.deepEqual(values(reqs[i] as TargetRequest, pdu), [i * 3 + 1]);
  assert.equal(s.stats().maxInFlight, 1);
  assert.equal(s.count(1, 3), 20);
});

test('timeout → TIMEOUT; the late reply is not delivered to the next request', async () => {
  const clock = new ManualClock();
  const s = await sim({}, [
    { fc: 3, latencyMs: 60, times: 1 },
    { fc: 3, latencyMs: 200, times: 1 },
  ]);
  const d = await device(s.port, { timeoutMs: 100 }, {}, clock);
  const first = d.handle(read(0));
  await until(() => s.count(1, 3) === 1, 'first request at the device');
  clock.advance(100);
  await rejects(first, ErrorCodes.TIMEOUT);
  const secondReq = read(10);
  let settled = false;
  const second = d.handle(secondReq).finally(() => {
    settled = true;
  });
  await until(() => d.stats.lateReplies === 1, 'the late reply arrived');
  assert.equal(settled, false, 'the late reply settled nothing');
  assert.deepEqual(values(secondReq, await second), [31]);
  assert.equal(d.stats.timeouts, 1);
});

test('a reply with a wrong transaction id is dropped and the request times out', async () => {
  const s = await sim({}, [{ fc: 3, wrongTransactionId: true, times: 1 }]);
  const d = await device(s.port, { timeoutMs: 150 });
  await rejects(d.handle(read(0)), ErrorCodes.TIMEOUT);
  assert.equal(d.stats.strayReplies, 1);
  assert.deepEqual(values(read(1), await d.handle(read(1))), [4]);
});

test('garbage: a corrupt body → exception 04; an undelimitable stream → reset and reconnect', async () => {
  const s = await sim({}, [
    { fc: 3, garbage: 'pdu', times: 1 },
    { fc: 3, garbage: 'stream', times: 1 },
  ]);
  const d = await device(s.port);
  assert.equal(bytesToHex(await d.handle(read(0))), '83 04');
  assert.equal(d.stats.badReplies, 1);
  await rejects(d.handle(read(0)), ErrorCodes.UNAVAILABLE);
  assert.equal(d.stats.resets, 1);
  await until(() => d.stats.connected, 'reconnected');
  assert.deepEqual(values(read(2), await d.handle(read(2))), [7]);
  assert.equal(d.stats.reconnects, 1);
});

test('the device closes the connection → UNAVAILABLE, then reconnect', async () => {
  const s = await sim({}, [{ fc: 3, close: true, times: 1 }]);
  const d = await device(s.port);
  await rejects(d.handle(read(0)), ErrorCodes.UNAVAILABLE);
  await until(() => d.stats.connected, 'reconnected');
  assert.deepEqual(values(read(0), await d.handle(read(0))), [1]);
  s.dropConnections();
  await until(() => d.stats.reconnects === 2 && d.stats.connected, 'reconnected again');
  assert.deepEqual(values(read(1), await d.handle(read(1))), [4]);
});

test('abort: before send nothing reaches the device; after send the reply is ignored', async () => {
  const s = await sim({}, [{ fc: 3, latencyMs: 80, times: 2 }]);
  const d = await device(s.port, { oneInFlight: true });
  const gone = new AbortController();
  gone.abort();
  await rejects(d.handle(read(0, gone.signal)), ErrorCodes.ABORTED);
  assert.equal(s.count(1, 3), 0);

  const first = d.handle(read(0));
  const queued = new AbortController();
  const second = d.handle(read(1, queued.signal));
  assert.equal(d.stats.queueDepth, 1);
  queued.abort();
  await rejects(second, ErrorCodes.ABORTED);
  assert.equal(d.stats.queueDepth, 0);
  await first;
  assert.equal(s.count(1, 3), 1, 'the aborted request never reached the device');

  const inFlight = new AbortController();
  const third = d.handle(read(2, inFlight.signal));
  await until(() => s.count(1, 3) === 2, 'third request sent');
  inFlight.abort();
  await rejects(third, ErrorCodes.ABORTED);
  assert.equal(d.stats.aborted, 3);
});

test('queue full → BUSY, nothing sent for the refused request', async () => {
  const s = await sim({ latencyMs: 60 });
  const d = await device(s.port, { oneInFlight: true }, { maxQueue: 2 });
  const accepted = [d.handle(read(0)), d.handle(read(1)), d.handle(read(2))];
  await rejects(d.handle(read(3)), ErrorCodes.BUSY);
  await Promise.all(accepted);
  assert.equal(s.count(1, 3), 3);
  assert.equal(d.stats.busy, 1);
  assert.equal(d.stats.maxQueueDepth, 2);
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  await new Promise((r) => server.close(r));
  return typeof address === 'object' && address ? address.port : 0;
}

test('device down → UNAVAILABLE quickly, then it connects when the device appears', async () => {
  const port = await freePort();
  const d = await device(
    port,
    { timeoutMs: 1000 },
    { backoff: { baseMs: 100, maxMs: 100, jitter: 0 } },
    systemClock,
    false,
  );
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    await rejects(d.handle(read(0)), ErrorCodes.UNAVAILABLE);
    assert.ok(performance.now() - t0 < 500, 'failed fast, not after the 1000 ms timeout');
    await sleep(20);
  }
  await sim({ port });
  await until(() => d.stats.connected, 'connected once the device is up');
  assert.deepEqual(values(read(0), await d.handle(read(0))), [1]);
});

test('FC 8, FC 23 and exceptions pass byte-identical; MBAP carries cfg.unitId and our transaction id', async () => {
  const s = await sim({}, [{ fc: 4, exception: 2 }]);
  const d = await device(s.port, { unitId: 1, virtualId: 10 });
  const echo = target({ kind: 'diagnostics', fc: 8, subFunction: 0, data: Uint8Array.of(0xa5, 0x37, 0, 1) });
  assert.equal(bytesToHex(await d.handle(echo)), bytesToHex(echo.pdu));
  const rawEcho = target(
    { kind: 'diagnostics', fc: 8, subFunction: 0, data: Uint8Array.of(1, 2) },
    undefined,
    true,
  );
  assert.equal(bytesToHex(await d.handle(rawEcho)), bytesToHex(rawEcho.pdu));
  const rw = target({
    kind: 'read-write-registers',
    fc: 0x17,
    readAddress: 100,
    readQuantity: 3,
    writeAddress: 101,
    values: [0xbeef, 0x1234],
  });
  const expected = encodeResponse({ kind: 'read-write-registers', fc: 0x17, values: [301, 0xbeef, 0x1234] });
  assert.equal(bytesToHex(await d.handle(rw)), bytesToHex(expected));
  const ex = target({ kind: 'read-registers', fc: 4, address: 0, quantity: 1 });
  assert.equal(bytesToHex(await d.handle(ex)), '84 02');
  const sent = s.recorded.map((r) => bytesToHex(r.pdu));
  assert.deepEqual(
    sent,
    [echo, rawEcho, rw, ex].map((r) => bytesToHex(r.pdu)),
  );
  assert.ok(s.recorded.every((r) => r.unitId === 1));
  assert.equal(new Set(s.recorded.map((r) => r.transactionId)).size, 4);
});

test('stop rejects pending requests with UNAVAILABLE and stops reconnecting', async () => {
  const s = await sim({ latencyMs: 200 });
  const d = await device(s.port, { oneInFlight: true });
  const sent = d.handle(read(0));
  const queued = d.handle(read(1));
  await until(() => s.count(1, 3) === 1, 'sent');
  d.stop();
  await rejects(sent, ErrorCodes.UNAVAILABLE);
  await rejects(queued, ErrorCodes.UNAVAILABLE);
  await rejects(d.handle(read(2)), ErrorCodes.UNAVAILABLE);
  await sleep(100);
  assert.equal(s.stats().accepted, 1, 'no reconnect after stop');
  assert.equal(d.stats.connected, false);
});
