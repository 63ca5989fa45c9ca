/**
 * RTU line faults through the gateway (SECURITY H5, H6; PRODUCT G4, G5), on a
 * socat pty pair with the RTU simulator (sim/modbus/rtu-slave.ts) as the
 * slaves; counts are taken at the slave side:
 * - a slave that never answers → 0x0B after 1 + retries attempts, and the
 *   other slaves of the line are still served;
 * - a corrupt CRC → retried, then 0x04;
 * - a late reply never reaches the following request;
 * - a timed-out write is not repeated;
 * - a reply from the wrong address is ignored (→ 0x0B).
 * Then live reconfiguration: a line added, changed and removed through the
 * configuration view, and an RTU-over-TCP line (socat TCP-LISTEN ⇄ pty, a
 * serial device server stand-in) in front of the same simulator.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { after, before, test } from 'node:test';
import { type RtuSlave, startRtuSlave } from '../../sim/modbus/rtu-slave.js';
import type { Config, ModbusConfig, SerialLineConfig } from '../../src/config/schema.js';
import type { ModbusEvents } from '../../src/modbus/events.js';
import { createGateway, type ModbusGateway } from '../../src/modbus/gateway.js';
import { serialLineConfig } from '../../src/modbus/serial-line-config.js';
import { createSerialLineTarget } from '../../src/modbus/serial-line-target.js';
import { systemClock } from '../../src/shared/clock.js';
import { memoryConfigView } from '../../src/shared/config-view.js';
import { TypedEvents } from '../../src/shared/events.js';
import { silentLogger } from '../../src/shared/logger.js';
import { devicesView, modbusSection, TEST_IDENTITY } from '../support/modbus-fixtures.js';
import { adu, RawMbapClient, until } from '../support/modbus-wire.js';
import { peer } from '../support/peers.js';
import { freePort } from '../support/pymodbus.js';
import { hasSocat, openPtyPair, type PtyPair } from '../support/socat.js';

const LO: Config['networks'] = { LO: { addresses: ['127.0.0.1'], description: '' } };

let haveSocat = false;
let pty: PtyPair | undefined;
let sim: RtuSlave | undefined;
let gateway: ModbusGateway | undefined;
let view: ReturnType<typeof memoryConfigView<ModbusConfig>> | undefined;
let client: RawMbapClient | undefined;
let port = 0;

function modbus(lines: SerialLineConfig[]): ModbusConfig {
  return modbusSection({ enabled: { LO: true }, maxConnections: 8 }, { serialLines: lines });
}

const line = (over: Partial<SerialLineConfig> = {}) =>
  serialLineConfig({
    name: 'L1',
    path: pty?.a ?? '',
    unitIds: [1, 2, 3],
    timeoutMs: 100,
    retries: 1,
    ...over,
  });

before(async () => {
  haveSocat = await hasSocat();
  if (!haveSocat) return;
  pty = await openPtyPair();
  sim = await startRtuSlave({ path: pty.b, baud: 19200, units: [1, 2, 3, 4], record: 20 });
  view = memoryConfigView(modbus([line()]));
  gateway = createGateway(
    {
      log: silentLogger,
      clock: systemClock,
      events: new TypedEvents<ModbusEvents>(),
      modbus: view,
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
  port = gateway.addresses()[0]?.boundPort ?? 0;
  client = await RawMbapClient.open(port);
  await until(() => gateway?.serialLines()[0]?.stats.open === true, 'line open', 5000);
});

after(async () => {
  client?.close();
  await gateway?.stop();
  await sim?.close();
  await pty?.close();
});

const ask = (tid: number, unit: number, pdu: string) => (client as RawMbapClient).ask(adu(tid, unit, pdu));

test('silent slave: 0x0B after 1 + retries attempts; the other slaves are still served', async (t) => {
  if (!peer(t, 'socat', haveSocat) || !sim) return;
  sim.resetStats();
  const off = sim.faults.add({ unit: 2, silence: true });
  try {
    assert.equal(await ask(1, 2, '03 0000 0001'), adu(1, 2, '83 0b'));
    assert.equal(sim.count(2, 3), 2, 'read retried once');
    sim.bank(1).setRegisters('holding', 0, [99]);
    assert.equal(await ask(2, 1, '03 0000 0001'), adu(2, 1, '03 02 0063'));
  } finally {
    off();
  }
});

test('corrupt CRC: retried, then 0x04', async (t) => {
  if (!peer(t, 'socat', haveSocat) || !sim) return;
  sim.resetStats();
  const off = sim.faults.add({ unit: 3, badCrc: true });
  try {
    assert.equal(await ask(3, 3, '03 0000 0002'), adu(3, 3, '83 04'));
    assert.equal(sim.count(3, 3), 2);
    assert.ok((gateway?.serialLines()[0]?.stats.crcErrors ?? 0) >= 2);
  } finally {
    off();
  }
});

test('a late reply never reaches the following request', async (t) => {
  if (!peer(t, 'socat', haveSocat) || !sim) return;
  sim.bank(1).setRegisters('holding', 10, [0xdead]);
  sim.bank(1).setRegisters('holding', 20, [0x0042]);
  // Past the 100 ms timeout, within the 100 ms drain: both attempts of the first read are late.
  const off = sim.faults.add({ unit: 1, fc: 3, latencyMs: 130, times: 2 });
  try {
    assert.equal(await ask(4, 1, '03 000a 0001'), adu(4, 1, '83 0b'));
    assert.equal(await ask(5, 1, '03 0014 0001'), adu(5, 1, '03 02 0042'), 'its own answer, not 0xdead');
    assert.ok((gateway?.serialLines()[0]?.stats.lateBytes ?? 0) >= 7, 'the late reply came and was drained');
  } finally {
    off();
  }
});

test('a timed-out write is not repeated; a wrong-address reply is ignored', async (t) => {
  if (!peer(t, 'socat', haveSocat) || !sim) return;
  sim.resetStats();
  const off = sim.faults.add({ unit: 2, silence: true });
  try {
    assert.equal(await ask(6, 2, '06 0005 0007'), adu(6, 2, '86 0b'));
    assert.equal(sim.count(2, 6), 1, 'the write went out once');
  } finally {
    off();
  }
  const off2 = sim.faults.add({ unit: 3, wrongAddress: 4 });
  try {
    assert.equal(await ask(7, 3, '03 0000 0001'), adu(7, 3, '83 0b'));
    assert.ok((gateway?.serialLines()[0]?.stats.wrongAddress ?? 0) >= 1);
  } finally {
    off2();
  }
});

test('live: lines added, changed and removed; an RTU-over-TCP line in front of the same slaves', async (t) => {
  if (!peer(t, 'socat', haveSocat) || !sim || !view || !pty) return;
  await view.set(modbus([line({ unitIds: [1] })]));
  assert.equal(await ask(8, 2, '03 0000 0001'), adu(8, 2, '83 0a'), 'unit 2 no longer routed');
  await view.set(modbus([]));
  assert.equal(await ask(9, 1, '03 0000 0001'), adu(9, 1, '83 0a'));
  // socat bridges a TCP listener to the slaves' pty: a serial device server.
  const bridgePty = await openPtyPair();
  const tcpPort = await freePort();
  const bridge: ChildProcess = spawn(
    'socat',
    [`tcp-listen:${tcpPort},bind=127.0.0.1,reuseaddr`, `file:${bridgePty.a},raw,echo=0`],
    {
      stdio: 'ignore',
    },
  );
  const sim2 = await startRtuSlave({ path: bridgePty.b, baud: 19200, units: [7] });
  try {
    sim2.bank(7).setRegisters('holding', 0, [0x0707]);
    const tcpLine = serialLineConfig({
      name: 'L2',
      transport: 'rtu-over-tcp',
      host: '127.0.0.1',
      port: tcpPort,
      unitIds: [7],
    });
    await new Promise((r) => setTimeout(r, 200));
    await view.set(modbus([line(), tcpLine]));
    await until(
      () => gateway?.serialLines().find((l) => l.name === 'L2')?.stats.open === true,
      'tcp line',
      5000,
    );
    assert.equal(await ask(10, 7, '03 0000 0001'), adu(10, 7, '03 02 0707'));
    sim.bank(1).setRegisters('holding', 0, [0x63]);
    assert.equal(await ask(11, 1, '03 0000 0001'), adu(11, 1, '03 02 0063'));
  } finally {
    await view.set(modbus([line()]));
    bridge.kill('SIGTERM');
    await sim2.close();
    await bridgePty.close();
  }
});
