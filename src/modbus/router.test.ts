// Router rules (PRODUCT G2–G4, G8, G10; SECURITY H2) with in-test targets, no
// sockets: validation before any target, unknown codes, read-only units,
// broadcast, ownership, error mapping, live rebuild of the routing table.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { modbusServer } from '../../test/support/modbus-fixtures.js';
import type { ModbusServerConfig } from '../config/schema.js';
import { hexToBytes } from '../protocol/modbus/index.js';
import { ManualClock } from '../shared/clock.js';
import { ErrorCodes, WattgateError } from '../shared/errors.js';
import type { Part } from '../shared/lifecycle.js';
import { silentLogger } from '../shared/logger.js';
import { ModbusRouter, type RouterConfig } from './router.js';
import { serialLineConfig } from './serial-line-config.js';
import { createSerialLineTarget } from './serial-line-target.js';
import type { TargetRequest, UnitTarget } from './target.js';
import type { TcpDeviceConfig } from './tcp-device.js';

type Handler = (req: TargetRequest) => Promise<Uint8Array>;

class FakeTarget implements UnitTarget, Part {
  readonly kind = 'tcp-device';
  readonly seen: TargetRequest[] = [];
  started = 0;
  stopped = 0;
  constructor(
    readonly name: string,
    public handler: Handler = async (r) => r.pdu,
  ) {}
  start(): void {
    this.started++;
  }
  stop(): void {
    this.stopped++;
  }
  handle(req: TargetRequest): Promise<Uint8Array> {
    this.seen.push(req);
    return this.handler(req);
  }
}

const device = (name: string, virtualId: number, host = '192.0.2.1'): TcpDeviceConfig => ({
  name,
  host,
  port: 502,
  unitId: 1,
  virtualId,
  timeoutMs: 1000,
  oneInFlight: false,
});

function config(over: Partial<ModbusServerConfig> = {}, rest: Partial<RouterConfig> = {}): RouterConfig {
  return { server: modbusServer(over), serialLines: [], tcpDevices: [device('meter-1', 10)], ...rest };
}

function setup(cfg: RouterConfig = config()) {
  const created: FakeTarget[] = [];
  const gatewayUnit = new FakeTarget('unit-255', async (r) => Uint8Array.of(r.pdu[0] ?? 0, 0xee));
  const ctx = { log: silentLogger, clock: new ManualClock() };
  const router = new ModbusRouter(ctx, cfg, {
    gatewayUnit,
    createDeviceTarget: (c) => {
      const t = new FakeTarget(c.name);
      created.push(t);
      return t;
    },
    // The real line target; never started here, so it answers 0x0A (path unavailable).
    createSerialLineTarget: (c, x) => createSerialLineTarget(c, x),
  });
  const ask = async (unitId: number, hex: string, signal = new AbortController().signal) => {
    const out = await router.route({ unitId, pdu: hexToBytes(hex), signal, source: '127.0.0.1:9' });
    return out === undefined ? undefined : Buffer.from(out).toString('hex');
  };
  return { router, created, gatewayUnit, ask };
}

test('FC 0 and FC >= 0x80 → 01 for every unit, nothing reaches a target', async () => {
  const { ask, created, gatewayUnit } = setup();
  for (const unit of [0, 10, 255, 77]) {
    assert.equal(await ask(unit, '00'), '8001');
    assert.equal(await ask(unit, '80 0000 0001'), '8001');
    assert.equal(await ask(unit, 'ff'), 'ff01');
  }
  assert.equal(created[0]?.seen.length, 0);
  assert.equal(gatewayUnit.seen.length, 0);
});

test('malformed known requests are answered locally (SEC-H2) and never forwarded', async () => {
  const { ask, created } = setup();
  assert.equal(await ask(10, '03 0000 007e'), '8303'); // quantity 126
  assert.equal(await ask(10, '03 ffff 0002'), '8302'); // address overflow
  assert.equal(await ask(10, '10 0000 0002 03 000000'), '9003'); // byte count ≠ 2 × quantity
  assert.equal(await ask(10, '0f 0000 0008 02 ff'), '8f03');
  assert.equal(await ask(10, '03 0000'), '8303'); // short PDU
  assert.equal(created[0]?.seen.length, 0);
  assert.equal(await ask(10, '03 0000 0001'), '0300000001'); // the fake echoes
  assert.equal(created[0]?.seen[0]?.request?.kind, 'read-registers');
});

test('unknown codes are forwarded raw by default, or answered 01 when rejected', async () => {
  const forward = setup();
  assert.equal(await forward.ask(10, '41 0102'), '410102');
  assert.equal(forward.created[0]?.seen[0]?.request, undefined);
  assert.equal(await forward.ask(10, '2b 0d 00'), '2b0d00'); // FC 43, other MEI
  const reject = setup(config({ unknownFunctionCodes: 'reject' }));
  assert.equal(await reject.ask(10, '41 0102'), 'c101');
  assert.equal(await reject.ask(10, '64 06 05 00 0000 0000'), 'e401'); // FC 100, other sub-code
  assert.equal(reject.created[0]?.seen.length, 0);
});

test('read-only units refuse write codes and raw codes with 01; reads and FC 8 pass', async () => {
  const { ask, created } = setup(config({ readOnlyUnits: [10] }));
  const writes = ['05 0000 ff00', '06 0000 0001', '0f 0000 0001 01 01', '10 0000 0001 02 0001'];
  writes.push('16 0000 00ff 0000', '17 0000 0001 0000 0001 02 0001', '15 07 06 0001 0000 0000');
  for (const w of writes)
    assert.equal(await ask(10, w), `${(Number.parseInt(w.slice(0, 2), 16) | 0x80).toString(16)}01`, w);
  assert.equal(await ask(10, '41 00'), 'c101');
  assert.equal(created[0]?.seen.length, 0);
  assert.equal(await ask(10, '03 0000 0001'), '0300000001');
  assert.equal(await ask(10, '08 0000 1234'), '0800001234');
  assert.equal(await ask(10, '2b 0e 01 00'), '2b0e0100');
  assert.equal(created[0]?.seen.length, 3);
});

test('unit 0 broadcast: reads → 01, writes → 0x0A until serial lines exist', async () => {
  const { ask } = setup();
  assert.equal(await ask(0, '03 0000 0001'), '8301');
  assert.equal(await ask(0, '2b 0e 01 00'), 'ab01');
  assert.equal(await ask(0, '06 0000 0001'), '860a');
  assert.equal(await ask(0, '10 0000 0001 02 0001'), '900a');
});

test('ownership: 255 → gateway unit, virtual ids → devices, serial ids → their line (not open: 0x0A), others → 0x0A', async () => {
  const serialLines = [serialLineConfig({ name: 'RS485-1', path: '/dev/ttyS0', unitIds: [5, 6] })];
  const { ask, router, gatewayUnit } = setup(config({}, { serialLines }));
  assert.equal(await ask(255, '03 0064 0006'), '03ee');
  assert.equal(gatewayUnit.seen.length, 1);
  assert.equal(await ask(10, '03 0000 0001'), '0300000001');
  assert.equal(await ask(5, '03 0000 0001'), '830a');
  assert.equal(router.targetFor(5)?.kind, 'serial-line');
  assert.equal(router.targetFor(6), router.targetFor(5));
  assert.equal(await ask(11, '03 0000 0001'), '830a');
  assert.equal(router.targetFor(11), undefined);
  const wireless = new FakeTarget('wireless-100', async () => Uint8Array.of(3, 0x77));
  router.setWirelessTargets(new Map([[100, wireless]]));
  assert.equal(await ask(100, '03 0000 0001'), '0377');
});

test('target errors map through exceptionForError; ABORTED sends nothing', async () => {
  const { ask, created } = setup();
  const t = created[0] as FakeTarget;
  const cases: Array<[() => Promise<Uint8Array>, string | undefined]> = [
    [() => Promise.reject(new WattgateError(ErrorCodes.TIMEOUT, 't')), '830b'],
    [() => Promise.reject(new WattgateError(ErrorCodes.BUSY, 'b')), '8306'],
    [() => Promise.reject(new WattgateError(ErrorCodes.UNAVAILABLE, 'u')), '830a'],
    [() => Promise.reject(new WattgateError(ErrorCodes.ABORTED, 'a')), undefined],
    [() => Promise.reject(new Error('bug')), '8304'],
    [async () => new Uint8Array(0), '8304'],
    [async () => new Uint8Array(254), '8304'],
  ];
  for (const [handler, expected] of cases) {
    t.handler = handler;
    assert.equal(await ask(10, '03 0000 0001'), expected);
  }
});

test('live apply: unchanged devices keep their target, changed ones finish in flight first', async () => {
  const { router, created, ask } = setup(config({}, { tcpDevices: [device('a', 10), device('b', 11)] }));
  await router.start();
  const [a, b] = created as [FakeTarget, FakeTarget];
  assert.equal(a.started + b.started, 2);
  let release: (v: Uint8Array) => void = () => {};
  a.handler = () =>
    new Promise((resolve) => {
      release = resolve;
    });
  const inflight = ask(10, '03 0000 0001');
  await router.apply(
    config({}, { tcpDevices: [device('a', 10, '192.0.2.9'), device('b', 11), device('c', 12)] }),
  );
  assert.equal(created.length, 4, 'a replaced, b kept, c new');
  const [, , a2, c] = created as [FakeTarget, FakeTarget, FakeTarget, FakeTarget];
  assert.equal(a2.name, 'a');
  assert.equal(c.started, 1);
  assert.equal(a2.started, 1);
  assert.equal(b.stopped, 0);
  assert.equal(a.stopped, 0, 'old target waits for its in-flight request');
  release(Uint8Array.of(3, 2, 0, 42));
  assert.equal(await inflight, '0302002a');
  for (let i = 0; i < 10 && a.stopped === 0; i++) await new Promise((r) => setImmediate(r));
  assert.equal(a.stopped, 1);
  assert.equal(await ask(10, '03 0000 0001'), '0300000001');
  assert.equal(a2.seen.length, 1);
  await router.apply(config({ readOnlyUnits: [11] }, { tcpDevices: [device('b', 11)] }));
  for (let i = 0; i < 10 && c.stopped === 0; i++) await new Promise((r) => setImmediate(r));
  assert.equal(a2.stopped + c.stopped, 2);
  assert.equal(await ask(10, '03 0000 0001'), '830a');
  assert.equal(await ask(11, '06 0000 0001'), '8601');
  await router.stop();
  assert.equal(b.stopped, 1);
});
