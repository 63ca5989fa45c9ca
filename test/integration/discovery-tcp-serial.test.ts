/**
 * Modbus discovery (PRODUCT L2) through the acquisition part:
 * - TCP from an address list against the TCP simulator: unit 255 by default,
 *   a meter identified by FC 43/14, a sensor without identification objects
 *   identified by its type-code register, an unknown device, a silent unit
 *   and a closed port (not found); a place already configured is flagged;
 * - serial: a scan of addresses 1–15 of a line on a socat pty, the RTU
 *   simulator playing a meter and a sensor, with low priority on the line.
 * Progress (done/total, results so far) is readable while it runs; the
 * built-in model catalog (src/devices/models/) plugs in as the matcher. Real time,
 * short timeouts, every wait bounded.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, test } from 'node:test';
import { type RtuSlave, startRtuSlave } from '../../sim/modbus/rtu-slave.js';
import { startTcpSlave, type TcpSlave, type UnitBank } from '../../sim/modbus/tcp-slave.js';
import type { DiscoveryState } from '../../src/devices/discovery/discovery.js';
import type { ModelMatcher } from '../../src/devices/model-source.js';
import { ModelCatalog } from '../../src/devices/models/catalog.js';
import { serialLineConfig } from '../../src/modbus/serial-line-config.js';
import { createSerialLineTarget, type SerialLineTarget } from '../../src/modbus/serial-line-target.js';
import { systemClock } from '../../src/shared/clock.js';
import { silentLogger } from '../../src/shared/logger.js';
import { acquisitionHarness } from '../support/acquisition-harness.js';
import { modelList, registersFor, TEST_METER, TEST_SENSOR } from '../support/models.js';
import { peer } from '../support/peers.js';
import { hasSocat, openPtyPair } from '../support/socat.js';

const models = modelList([TEST_METER, TEST_SENSOR]);
const METER_ID = { vendorName: 'Wattgate Test', productCode: 'TM-3', modelName: 'TM-3 meter' };

function asMeter(bank: UnitBank): void {
  bank.setIdentity(METER_ID);
}

function asSensor(bank: UnitBank): void {
  bank.identification.clear(); // answers 43/14 with no object: identified by its register
  for (const w of registersFor(TEST_SENSOR, { TypeCode: 4242, Temp: 21.5, Hum: 40, CO2: 600 })) {
    bank.setRegisters(w.table, w.address, w.words);
  }
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as { port: number };
  await new Promise((ok) => server.close(ok));
  return port;
}

async function finished(get: () => DiscoveryState | undefined, seen: number[], ms = 20_000) {
  const end = Date.now() + ms;
  for (;;) {
    const s = get();
    if (s) seen.push(s.done);
    if (s && s.state !== 'running') return s;
    if (Date.now() > end) throw new Error('discovery did not finish in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const where = (s: DiscoveryState) =>
  s.results.map((r) => ({
    at: r.location.kind === 'tcp' ? r.location.unit : r.location.kind === 'serial' ? r.location.slave : 0,
    models: r.models,
    via: r.via,
    deviceId: r.deviceId,
  }));

let sim: TcpSlave | undefined;
after(() => sim?.close());

test('TCP discovery from an address list: identified by 43/14 or by register, flagged when configured', async (t) => {
  sim = await startTcpSlave({ units: [1, 2, 3, 255] });
  asMeter(sim.bank(255));
  asMeter(sim.bank(1));
  asSensor(sim.bank(2));
  const host = '127.0.0.1';
  const h = acquisitionHarness({
    clock: systemClock,
    models,
    config: {
      devices: {
        nextId: 6,
        list: [
          {
            id: 5,
            name: 'Known',
            model: 'test-meter',
            location: { kind: 'tcp', host, port: sim.port, unit: 1 },
          },
        ],
      },
    },
  });
  h.part.start();
  t.after(() => h.part.stop());
  const port = sim.port;
  const targets = [
    { host, port },
    { host, port, unit: 1 },
    { host, port, unit: 2 },
    { host, port, unit: 3 },
    { host, port, unit: 9 },
    { host, port: await closedPort() },
  ];
  const first = h.part.discover({ kind: 'tcp', targets, timeoutMs: 300 });
  assert.deepEqual([first.state, first.done, first.total], ['running', 0, 6]);
  assert.throws(() => h.part.discover({ kind: 'tcp', targets }), /already running/);
  const seen: number[] = [];
  const s = await finished(() => h.part.discovery(), seen);
  assert.equal(s.state, 'done');
  assert.equal(s.done, 6);
  assert.ok(
    seen.some((d) => d > 0 && d < 6),
    `progress seen while running: ${seen.join(',')}`,
  );
  assert.deepEqual(
    where(s).sort((a, b) => a.at - b.at),
    [
      { at: 1, models: ['test-meter'], via: '43/14', deviceId: 5 },
      { at: 2, models: ['test-sensor'], via: 'registers', deviceId: undefined },
      { at: 3, models: [], via: 'none', deviceId: undefined },
      { at: 255, models: ['test-meter'], via: '43/14', deviceId: undefined },
    ],
  );
  const meter = s.results.find((r) => r.location.kind === 'tcp' && r.location.unit === 255);
  assert.deepEqual(meter?.identity, {
    ...METER_ID,
    revision: '1.0',
    productName: 'Wattgate Modbus TCP simulator',
  });
  assert.deepEqual(meter?.location, {
    kind: 'tcp',
    host,
    port,
    unit: 255,
    timeoutMs: 300,
    oneInFlight: false,
  });
});

test('serial discovery scans a line (addresses 1–15) with low priority and matches models', async (t) => {
  if (!peer(t, 'socat', await hasSocat())) return;
  const pty = await openPtyPair();
  t.after(() => pty.close());
  const rtu: RtuSlave = await startRtuSlave({ path: pty.b, baud: 19200, units: [3, 7, 12] });
  t.after(() => rtu.close());
  asMeter(rtu.bank(3));
  asSensor(rtu.bank(7));
  const cfg = serialLineConfig({ name: 'RS485-1', path: pty.a, timeoutMs: 250, retries: 0 });
  const line: SerialLineTarget = createSerialLineTarget(
    cfg,
    { log: silentLogger, clock: systemClock },
    { master: { drainMs: 5 } },
  );
  line.start();
  t.after(() => line.stop());
  const h = acquisitionHarness({
    clock: systemClock,
    models,
    config: { modbus: { serialLines: [cfg] } },
    serialLines: () => [line],
  });
  h.part.start();
  t.after(() => h.part.stop());
  assert.throws(() => h.part.discover({ kind: 'serial', line: 'nope' }), /not available/);
  h.part.discover({ kind: 'serial', line: 'RS485-1', first: 1, last: 15 });
  const s = await finished(() => h.part.discovery(), []);
  assert.equal(s.state, 'done', s.error ?? '');
  assert.equal(s.total, 15);
  assert.deepEqual(where(s), [
    { at: 3, models: ['test-meter'], via: '43/14', deviceId: undefined },
    { at: 7, models: ['test-sensor'], via: 'registers', deviceId: undefined },
    { at: 12, models: [], via: 'none', deviceId: undefined },
  ]);
  assert.deepEqual(s.results[0]?.location, { kind: 'serial', line: 'RS485-1', slave: 3 });
});

test('a discovery can be cancelled', async (t) => {
  const h = acquisitionHarness({ clock: systemClock, models });
  h.part.start();
  t.after(() => h.part.stop());
  const port = await closedPort();
  const targets = Array.from({ length: 64 }, (_, i) => ({ host: '127.0.0.1', port, unit: i + 1 }));
  h.part.discover({ kind: 'tcp', targets, timeoutMs: 200 });
  assert.equal(h.part.cancelDiscovery(), true);
  const s = await finished(() => h.part.discovery(), []);
  assert.equal(s.state, 'cancelled');
  assert.ok(s.done < 64);
});

test('the built-in model catalog plugs in as the ModelMatcher', async (t) => {
  const catalog: ModelMatcher = ModelCatalog.open();
  const slave = await startTcpSlave({ units: [255] }); // the simulator's own identity: Wattgate, WG-SIM-TCP
  t.after(() => slave.close());
  const h = acquisitionHarness({ clock: systemClock, models: catalog });
  h.part.start();
  t.after(() => h.part.stop());
  h.part.discover({ kind: 'tcp', targets: [{ host: '127.0.0.1', port: slave.port }], timeoutMs: 300 });
  const s = await finished(() => h.part.discovery(), []);
  assert.deepEqual(where(s), [
    { at: 255, models: ['wattgate-demo-meter'], via: '43/14', deviceId: undefined },
  ]);
});
