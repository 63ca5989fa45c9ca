// The simulator's function codes and faults, driven over loopback with a
// minimal raw client built on our codec: FC 1–6, 8, 15, 16, 22, 23, 43/14,
// exceptions for bad or unknown requests, per-unit/per-FC faults (latency →
// out-of-order replies, silence, exception, garbage, wrong transaction id,
// close, counted rules), request counting and unknown units.
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { afterEach, test } from 'node:test';
import { startTcpSlave, type TcpSlave, type TcpSlaveOptions } from '../../sim/modbus/tcp-slave.js';
import {
  bytesToHex,
  encodeRequest,
  encodeTcpAdu,
  hexToBytes,
  type ModbusRequest,
  type TcpAdu,
  TcpFrameParser,
} from '../../src/protocol/modbus/index.js';

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

interface Client {
  readonly replies: TcpAdu[];
  readonly raw: Buffer[];
  closed: boolean;
  send(tid: number, pdu: Uint8Array, unit?: number): void;
  ask(pdu: Uint8Array | ModbusRequest, unit?: number, timeoutMs?: number): Promise<string>;
}

let nextTid = 1;

async function setup(opts: Partial<TcpSlaveOptions> = {}): Promise<{ sim: TcpSlave; c: Client }> {
  const sim = await startTcpSlave({ units: [1], ...opts });
  cleanup.push(() => sim.close());
  const socket: Socket = connect({ host: '127.0.0.1', port: sim.port });
  await new Promise((r) => socket.once('connect', r));
  cleanup.push(() => socket.destroy());
  const parser = new TcpFrameParser();
  const c: Client = {
    replies: [],
    raw: [],
    closed: false,
    send: (tid, pdu, unit = 1) => socket.write(encodeTcpAdu({ transactionId: tid, unitId: unit, pdu })),
    async ask(req, unit = 1, timeoutMs = 1000) {
      const pdu = req instanceof Uint8Array ? req : encodeRequest(req);
      const tid = nextTid++;
      c.send(tid, pdu, unit);
      const end = Date.now() + timeoutMs;
      for (;;) {
        const hit = c.replies.find((a) => a.transactionId === tid);
        if (hit) return bytesToHex(hit.pdu);
        if (Date.now() > end || c.closed) return c.closed ? 'closed' : 'silence';
        await new Promise((r) => setTimeout(r, 2));
      }
    },
  };
  socket.on('data', (b: Buffer) => {
    c.raw.push(b);
    c.replies.push(...parser.push(b).adus);
  });
  socket.on('close', () => {
    c.closed = true;
  });
  return { sim, c };
}

test('function codes 1–6, 15, 16, 22, 23 read and write the banks', async () => {
  const { sim, c } = await setup({ pattern: true });
  assert.equal(
    await c.ask({ kind: 'read-registers', fc: 3, address: 0x1234, quantity: 2 }),
    '03 04 12 34 12 35',
  );
  assert.equal(await c.ask({ kind: 'read-registers', fc: 4, address: 1, quantity: 1 }), '04 02 00 01');
  assert.equal(await c.ask({ kind: 'read-bits', fc: 1, address: 0, quantity: 9 }), '01 02 49 00');
  assert.equal(await c.ask({ kind: 'read-bits', fc: 2, address: 0, quantity: 3 }), '02 01 02');
  assert.equal(await c.ask({ kind: 'write-single-coil', fc: 5, address: 1, value: true }), '05 00 01 FF 00');
  assert.equal(await c.ask({ kind: 'write-single-register', fc: 6, address: 9, value: 7 }), '06 00 09 00 07');
  assert.equal(
    await c.ask({ kind: 'write-multiple-coils', fc: 15, address: 20, values: [true, true] }),
    '0F 00 14 00 02',
  );
  assert.equal(
    await c.ask({ kind: 'write-multiple-registers', fc: 16, address: 30, values: [1, 2] }),
    '10 00 1E 00 02',
  );
  await c.ask({ kind: 'mask-write-register', fc: 0x16, address: 9, andMask: 0xfff0, orMask: 0x0025 });
  const rw = await c.ask({
    kind: 'read-write-registers',
    fc: 0x17,
    readAddress: 8,
    readQuantity: 3,
    writeAddress: 10,
    values: [0xaaaa],
  });
  assert.equal(rw, '17 06 00 08 00 05 AA AA');
  const bank = sim.bank(1);
  assert.deepEqual(bank.getBits('coils', 20, 2), [true, true]);
  assert.deepEqual(bank.getRegisters('holding', 30, 2), [1, 2]);
  assert.equal(sim.stats().requests, 10);
});

test('FC 8 echoes sub-function 0; 43/14 answers the identification; bad requests get exceptions', async () => {
  const { c } = await setup();
  assert.equal(await c.ask(hexToBytes('08 00 00 A5 37')), '08 00 00 A5 37');
  assert.equal(await c.ask(hexToBytes('08 00 01 00 00')), '88 01');
  const basic = await c.ask({ kind: 'read-device-identification', fc: 0x2b, readCode: 1, objectId: 0 });
  assert.match(basic, /^2B 0E 01 82 00 00 03 00 08 /);
  assert.equal(await c.ask(hexToBytes('2B 0E 04 02')), '2B 0E 04 82 00 00 01 02 03 31 2E 30');
  assert.equal(await c.ask(hexToBytes('2B 0E 04 40')), 'AB 02');
  assert.equal(await c.ask(hexToBytes('03 00 00 00 00')), '83 03');
  assert.equal(await c.ask(hexToBytes('41 00')), 'C1 01');
});

test('latency faults answer out of order; maxInFlight counts overlapping requests', async () => {
  const { sim, c } = await setup({ pattern: true });
  sim.faults.add({ fc: 3, latencyMs: 60, times: 1 });
  sim.faults.add({ fc: 3, latencyMs: [1, 5] });
  c.send(500, hexToBytes('03 00 01 00 01'));
  c.send(501, hexToBytes('03 00 02 00 01'));
  const end = Date.now() + 2000;
  while (c.replies.length < 2 && Date.now() < end) await new Promise((r) => setTimeout(r, 2));
  assert.deepEqual(
    c.replies.map((a) => a.transactionId),
    [501, 500],
  );
  assert.equal(sim.stats().maxInFlight, 2);
});

test('silence, exception, wrong transaction id, garbage and counted rules', async () => {
  const { sim, c } = await setup();
  sim.faults.add({ unit: 1, fc: 4, silence: true, times: 1 });
  sim.faults.add({ fc: 6, exception: 4 });
  sim.faults.add({ fc: 1, wrongTransactionId: true, times: 1 });
  sim.faults.add({ fc: 2, garbage: 'pdu', times: 1 });
  assert.equal(await c.ask(hexToBytes('04 00 00 00 01'), 1, 100), 'silence');
  assert.equal(await c.ask(hexToBytes('04 00 00 00 01')), '04 02 00 00', 'rule used up');
  assert.equal(await c.ask(hexToBytes('06 00 00 00 01')), '86 04');
  const tid = nextTid;
  assert.equal(await c.ask(hexToBytes('01 00 00 00 01'), 1, 100), 'silence');
  assert.ok(
    c.replies.some((r) => r.transactionId === tid + 1 && r.pdu[0] === 1),
    'answered with id + 1',
  );
  nextTid++; // that id has a stray reply waiting: skip it
  assert.equal(await c.ask(hexToBytes('02 00 00 00 01')), '02 EE 01 02 03');
  assert.equal(sim.count(1, 4), 2);
  assert.equal(sim.count(1), 5);
});

test('garbage stream and close faults end the connection; unknown units', async () => {
  const a = await setup({ unknownUnit: 0x0b });
  assert.equal(await a.c.ask(hexToBytes('03 00 00 00 01'), 7), '83 0B');
  assert.equal(a.sim.stats().unknownUnit, 1);
  a.sim.faults.add({ fc: 3, garbage: 'stream' });
  a.c.send(9, hexToBytes('03 00 00 00 01'));
  const end = Date.now() + 1000;
  while (a.c.raw.length < 2 && Date.now() < end) await new Promise((r) => setTimeout(r, 2));
  assert.equal(bytesToHex(a.c.raw.at(-1) ?? new Uint8Array()).slice(0, 17), '00 09 00 00 FF FF');
  const b = await setup();
  b.sim.faults.add({ fc: 3, close: true });
  assert.equal(await b.c.ask(hexToBytes('03 00 00 00 01')), 'closed');
  assert.equal(b.sim.count(1, 3), 1);
});
