/**
 * The RTU slave simulator on a socat pty pair, observed with a raw serialport
 * master on the other end: correct replies per unit, silence for unknown units
 * and broadcasts (whose writes are applied), each fault as documented, the
 * request record and the outstanding-transaction count.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import type { SerialPort } from 'serialport';
import { decodeRtuAdu, encodeRtuAdu, hasValidCrc, hexToBytes } from '../../src/protocol/modbus/index.js';
import { peer } from '../../test/support/peers.js';
import { hasSocat, openPtyPair, type PtyPair } from '../../test/support/socat.js';
import { closeSerial, openSerial, type RtuSlave, startRtuSlave } from './rtu-slave.js';

let socat = false;
let pair: PtyPair | undefined;
let sim: RtuSlave | undefined;
let master: SerialPort | undefined;
let rx: Buffer[] = [];

before(async () => {
  socat = await hasSocat();
  if (!socat) return;
  pair = await openPtyPair();
  sim = await startRtuSlave({ path: pair.b, baud: 9600, units: [1, 2, 7], pattern: true, record: 100 });
  master = await openSerial(pair.a, 9600);
  master.on('data', (b: Buffer) => rx.push(b));
});

after(async () => {
  if (master) await closeSerial(master);
  await sim?.close();
  await pair?.close();
});

beforeEach(() => {
  sim?.faults.clear();
  sim?.resetStats();
  rx = [];
});

/** Sends one request frame, collects every byte that comes back within `waitMs`. */
async function transact(unit: number, pduHex: string, waitMs = 150): Promise<Buffer> {
  rx = [];
  master?.write(Buffer.from(encodeRtuAdu({ unitId: unit, pdu: hexToBytes(pduHex) })));
  await new Promise((r) => setTimeout(r, waitMs));
  return Buffer.concat(rx);
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function pduOf(bytes: Uint8Array): string {
  const d = decodeRtuAdu(bytes);
  assert.ok(d.ok, `not a valid RTU frame: ${hex(bytes)}`);
  return hex(d.adu.pdu);
}

test('answers FC 3 per unit from its bank, with a valid frame', async (t) => {
  if (!peer(t, 'socat', socat) || !sim) return;
  sim.bank(2).setRegisters('holding', 10, [0x1234, 0xabcd]);
  const reply = await transact(2, '03000a0002');
  assert.equal(reply[0], 2);
  assert.equal(pduOf(reply), '03041234abcd');
  assert.equal(pduOf(await transact(1, '0300050001')), '03020005');
  assert.equal(sim.count(2, 3), 1);
  assert.equal(sim.recorded.at(-1)?.unit, 1);
  assert.equal(hex(sim.recorded.at(-1)?.pdu ?? new Uint8Array()), '0300050001');
});

test('silent for units it does not play; applies broadcast writes silently', async (t) => {
  if (!peer(t, 'socat', socat) || !sim) return;
  assert.equal((await transact(9, '0300000001')).length, 0);
  assert.equal((await transact(0, '0600640102')).length, 0);
  for (const unit of [1, 2, 7]) assert.deepEqual(sim.bank(unit).getRegisters('holding', 100, 1), [0x0102]);
  assert.equal((await transact(0, '0300000001')).length, 0);
  const s = sim.stats();
  assert.equal(s.unknownUnit, 1);
  assert.equal(s.broadcasts, 2);
  assert.equal(s.replies, 0);
});

test('a write is applied and echoed; FC 8 echoes; FC 7 → exception 01', async (t) => {
  if (!peer(t, 'socat', socat) || !sim) return;
  assert.equal(pduOf(await transact(7, '10000200020400070008')), '1000020002');
  assert.deepEqual(sim.bank(7).getRegisters('holding', 2, 2), [7, 8]);
  assert.equal(pduOf(await transact(7, '080000a55a')), '080000a55a');
  assert.equal(pduOf(await transact(7, '07')), '8701');
});

test('fault: bad CRC, wrong address, exception, per unit and FC', async (t) => {
  if (!peer(t, 'socat', socat) || !sim) return;
  sim.faults.add({ unit: 1, fc: 3, badCrc: true });
  sim.faults.add({ unit: 2, wrongAddress: true });
  sim.faults.add({ unit: 7, fc: 4, exception: 4 });
  const bad = await transact(1, '0300000001');
  assert.equal(bad.length, 7);
  assert.equal(hasValidCrc(bad), false);
  assert.equal(pduOf(await transact(1, '0400000001')), '04020000', 'FC 4 of unit 1 is unaffected');
  const wrong = await transact(2, '0300030001');
  assert.equal(wrong[0], 3);
  assert.equal(pduOf(wrong), '03020003');
  assert.equal(pduOf(await transact(7, '0400000001')), '8404');
  assert.equal(pduOf(await transact(7, '0300000001')), '03020000');
});

test('fault: silence (counted), garbage stream and garbage PDU', async (t) => {
  if (!peer(t, 'socat', socat) || !sim) return;
  sim.faults.add({ unit: 1, silence: true, times: 1 });
  sim.faults.add({ unit: 2, garbage: 'stream', times: 1 });
  sim.faults.add({ unit: 7, garbage: 'pdu', times: 1 });
  assert.equal((await transact(1, '0300000001')).length, 0);
  assert.equal(sim.count(1, 3), 1, 'the silenced request reached the slave');
  const noise = await transact(2, '0300000001');
  assert.ok(noise.length > 0);
  assert.equal(decodeRtuAdu(noise).ok, false);
  assert.equal(pduOf(await transact(7, '0300000002')), '0303eeeeee', 'CRC-valid, byte count 3 ≠ 4');
  assert.equal(pduOf(await transact(1, '0300000001')), '03020000', 'counted faults retire');
});

test('fault: latency and a late reply; overlapping requests are counted', async (t) => {
  if (!peer(t, 'socat', socat) || !sim) return;
  sim.faults.add({ unit: 1, latencyMs: 120, times: 1 });
  const t0 = performance.now();
  const early = await transact(1, '0300000001', 60);
  assert.equal(early.length, 0, 'nothing before the delay');
  const late = await transact(2, '0300000001', 150);
  const frames = [late.subarray(0, 7), late.subarray(7, 14)].map((f) => [f[0], pduOf(f)]);
  assert.deepEqual(frames, [
    [2, '03020000'],
    [1, '03020000'],
  ]);
  assert.ok(performance.now() - t0 >= 120);
  assert.equal(sim.stats().maxOutstanding, 2);
  assert.equal(sim.stats().overlaps, 1);
});

test('bytes that form no request are discarded and the stream resynchronises', async (t) => {
  if (!peer(t, 'socat', socat) || !sim) return;
  master?.write(Buffer.from([0x00, 0x00, 0x99]));
  const reply = await transact(1, '0300010001');
  assert.equal(pduOf(reply), '03020001');
  assert.ok(sim.stats().discardedBytes >= 3);
  assert.equal(sim.stats().maxOutstanding, 1);
});
