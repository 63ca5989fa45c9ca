/**
 * Dead slaves through the gateway (issue 14 item 5; PRODUCT G5, SECURITY H5,
 * H6), on a socat pty pair; two upstream TCP connections. The far end plays
 * units 21 and 22 (as in the demo) like many field devices: frames delimited
 * by CRC and silence (the 3.5-character gap), FC 3 answered, every other code
 * ignored. (The RTU simulator, sim/modbus/rtu-slave.ts, delimits requests by
 * their predicted length, so it cannot skip a burst of codes it does not know.)
 * - one client's burst of a vendor function code (0x41, forwarded raw) gets
 *   0x0B for that client only: the other client's reads of the same slave are
 *   answered during and after the burst, and the slave is never backed off;
 * - a slave silent to reads is backed off (its requests answered 0x0B at
 *   once, the other slave still served), visible in the line's stats, probed
 *   by the gateway with a one-register read, and back in service after the
 *   first answered probe.
 * Asserts answers, requests seen by the slave and stats; no wall-clock speed.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { SerialPort } from 'serialport';
import { closeSerial, openSerial } from '../../sim/modbus/rtu-slave.js';
import type { Config, ModbusConfig } from '../../src/config/schema.js';
import type { ModbusEvents } from '../../src/modbus/events.js';
import { createGateway, type ModbusGateway } from '../../src/modbus/gateway.js';
import { serialLineConfig } from '../../src/modbus/serial-line-config.js';
import { createSerialLineTarget } from '../../src/modbus/serial-line-target.js';
import { decodeRtuAdu, encodeRtuAdu } from '../../src/protocol/modbus/index.js';
import { systemClock } from '../../src/shared/clock.js';
import { memoryConfigView } from '../../src/shared/config-view.js';
import { TypedEvents } from '../../src/shared/events.js';
import { silentLogger } from '../../src/shared/logger.js';
import { devicesView, modbusSection, TEST_IDENTITY } from '../support/modbus-fixtures.js';
import { adu, RawMbapClient, sleep, until } from '../support/modbus-wire.js';
import { peer } from '../support/peers.js';
import { hasSocat, openPtyPair, type PtyPair } from '../support/socat.js';

const LO: Config['networks'] = { LO: { addresses: ['127.0.0.1'], description: '' } };
const BURST = 16; // the server's default pending cap per connection

/** Slaves on one pty: FC 3 answered from `registers` (02 beyond them), anything else ignored; `dead` ones silent. */
class GapSlaves {
  readonly seen: Array<{ readonly unit: number; readonly pdu: string }> = [];
  readonly dead = new Set<number>();
  #buf = Buffer.alloc(0);
  #last = 0;

  constructor(
    readonly port: SerialPort,
    readonly registers: Map<number, number[]>,
  ) {
    port.on('data', (b: Buffer) => this.#data(b));
  }

  count(unit: number, fc?: number): number {
    return this.seen.filter(
      (r) => r.unit === unit && (fc === undefined || r.pdu.startsWith(fc.toString(16).padStart(2, '0'))),
    ).length;
  }

  #data(chunk: Buffer): void {
    const now = performance.now();
    if (now - this.#last > 20) this.#buf = Buffer.alloc(0); // a silence ends any partial frame
    this.#last = now;
    this.#buf = Buffer.concat([this.#buf, chunk]);
    const d = decodeRtuAdu(this.#buf);
    if (!d.ok) return;
    this.#buf = Buffer.alloc(0);
    const { unitId: unit, pdu } = d.adu;
    this.seen.push({ unit, pdu: Buffer.from(pdu).toString('hex') });
    const regs = this.registers.get(unit);
    if (regs === undefined || this.dead.has(unit) || pdu[0] !== 3 || pdu.length !== 5) return;
    const view = Buffer.from(pdu);
    const address = view.readUInt16BE(1);
    const quantity = view.readUInt16BE(3);
    let body: number[];
    if (address + quantity > regs.length) body = [0x83, 2];
    else
      body = [3, quantity * 2, ...regs.slice(address, address + quantity).flatMap((v) => [v >> 8, v & 0xff])];
    this.port.write(Buffer.from(encodeRtuAdu({ unitId: unit, pdu: Uint8Array.from(body) })));
  }
}

let haveSocat = false;
let pty: PtyPair | undefined;
let slaves: GapSlaves | undefined;
let gateway: ModbusGateway | undefined;
let a: RawMbapClient | undefined;
let b: RawMbapClient | undefined;

before(async () => {
  haveSocat = await hasSocat();
  if (!haveSocat) return;
  pty = await openPtyPair();
  const registers = new Map([
    [21, [0x2121, 1, 2, 3, 4, 5, 6, 7]],
    [22, [0x2200, 1, 2, 3, 4, 0x2222, 6, 7]],
  ]);
  slaves = new GapSlaves(await openSerial(pty.b, 19200), registers);
  const line = serialLineConfig({
    name: 'RS485',
    path: pty.a,
    unitIds: [21, 22],
    timeoutMs: 100,
    retries: 1,
  });
  const modbus: ModbusConfig = modbusSection(
    { enabled: { LO: true }, maxConnections: 8 },
    { serialLines: [line] },
  );
  gateway = createGateway(
    {
      log: silentLogger,
      clock: systemClock,
      events: new TypedEvents<ModbusEvents>(),
      modbus: memoryConfigView(modbus),
      networks: memoryConfigView(LO),
      identity: TEST_IDENTITY,
      devices: devicesView(),
      createDeviceTarget: () => {
        throw new Error('no TCP devices here');
      },
      createSerialLineTarget: (cfg, ctx) => createSerialLineTarget(cfg, ctx),
    },
    { portOverride: 0 },
  );
  await gateway.start();
  const port = gateway.addresses()[0]?.boundPort ?? 0;
  [a, b] = await Promise.all([RawMbapClient.open(port), RawMbapClient.open(port)]);
  await until(() => stats()?.open === true, 'line open', 5000);
});

after(async () => {
  a?.close();
  b?.close();
  await gateway?.stop();
  if (slaves) await closeSerial(slaves.port);
  await pty?.close();
});

const stats = () => gateway?.serialLines()[0]?.stats;

test('one client’s unanswered vendor codes do not take a healthy slave away from another client', async (t) => {
  if (!peer(t, 'socat', haveSocat) || !slaves || !a || !b) return;
  const client = a;
  const timeoutsBefore = stats()?.timeouts ?? 0;
  for (let tid = 1; tid <= BURST; tid++) client.send(adu(tid, 21, '41 0102 0304'));
  const reads: string[] = [];
  for (let tid = 1; tid <= 5; tid++) reads.push(await b.ask(adu(tid, 21, '03 0000 0001')));
  assert.deepEqual(
    reads,
    [1, 2, 3, 4, 5].map((tid) => adu(tid, 21, '03 02 2121')),
    'answered during the burst',
  );
  await until(() => client.received.length >= BURST * 9, 'the burst’s answers', 15_000);
  const answers = new Set<string>();
  for (let i = 0; i < BURST; i++) answers.add(await client.readAdu());
  assert.deepEqual(answers, new Set(Array.from({ length: BURST }, (_, i) => adu(i + 1, 21, 'c1 0b'))));
  assert.equal(slaves.count(21, 0x41), BURST, 'every vendor request reached the slave, once');
  assert.equal((stats()?.timeouts ?? 0) - timeoutsBefore, BURST);
  assert.equal(await b.ask(adu(6, 21, '03 0000 0001')), adu(6, 21, '03 02 2121'), 'and after the burst');
  assert.deepEqual(stats()?.backedOffSlaves, []);
  assert.equal(stats()?.slaveBackoffs, 0);
  assert.equal(stats()?.backedOff, 0);
});

test('a dead slave is backed off, visible, probed by the gateway and back after the first answered probe', async (t) => {
  if (!peer(t, 'socat', haveSocat) || !slaves || !b) return;
  const read22 = (tid: number) => b?.ask(adu(tid, 22, '03 0005 0002'));
  assert.equal(await read22(10), adu(10, 22, '03 04 2222 0006'));
  slaves.dead.add(22);
  try {
    assert.equal(await read22(11), adu(11, 22, '83 0b'));
    assert.equal(await read22(12), adu(12, 22, '83 0b'));
    assert.equal(
      slaves.count(22, 3),
      4,
      'one answered read, then 3 silent attempts: no retry once backed off',
    );
    const s = stats();
    assert.equal(s?.slaveBackoffs, 1);
    assert.deepEqual(s?.backedOffSlaves, [22]);
    assert.equal(s?.slaveBackoff[0]?.unit, 22);
    assert.equal(s?.slaveBackoff[0]?.periods, 1);
    assert.equal((s?.slaveBackoff[0]?.until ?? 0) - (s?.slaveBackoff[0]?.since ?? 0), 1000);
    // Backed off: 0x0B at once, no frame of the client's to 22; 21 is served.
    const seen = slaves.count(22);
    const probes = stats()?.probes ?? 0;
    assert.equal(await read22(13), adu(13, 22, '83 0b'));
    assert.equal(await b.ask(adu(14, 21, '03 0000 0001')), adu(14, 21, '03 02 2121'));
    assert.equal(slaves.count(22), seen + (stats()?.probes ?? 0) - probes, 'only probes reached 22');
    assert.ok((stats()?.backedOff ?? 0) >= 1);
  } finally {
    slaves.dead.delete(22);
  }
  // Ask for 22 until it is back: each request fails fast (0x0B) but keeps its probes going.
  let backAt: number | undefined;
  for (let tid = 100; tid < 200 && backAt === undefined; tid++) {
    const answer = await read22(tid);
    if (answer === adu(tid, 22, '03 04 2222 0006')) backAt = tid;
    else assert.equal(answer, adu(tid, 22, '83 0b'));
    if (stats()?.backedOffSlaves.length === 0 && backAt === undefined) backAt = tid;
    await sleep(100);
  }
  assert.ok(backAt !== undefined, 'back in service');
  assert.deepEqual(stats()?.backedOffSlaves, []);
  assert.deepEqual(stats()?.slaveBackoff, []);
  assert.equal(stats()?.lastProbe?.unit, 22);
  assert.equal(stats()?.lastProbe?.result, 'alive');
  assert.equal(stats()?.probesAnswered, 1);
  const to22 = slaves.seen.filter((r) => r.unit === 22).map((r) => r.pdu);
  const probes = to22.slice(4).filter((pdu) => pdu === '0300050001');
  assert.ok(probes.length >= 1, 'probed with one register of the last read answered');
  assert.ok(to22.slice(4).length - probes.length <= 1, 'no client request reached 22 before it was back');
  assert.equal(await read22(250), adu(250, 22, '03 04 2222 0006'));
});
