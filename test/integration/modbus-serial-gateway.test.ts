/**
 * Serial lines end to end through the whole application (createApp +
 * defaultParts, as `wattgate start` runs it), on socat pty pairs:
 * - line "pm": Debian's pymodbus 3.0 RTU slave (units 1–3, zero_mode) on the
 *   far end of the pty; mbpoll and a pymodbus client as TCP masters read and
 *   write it through Wattgate;
 * - line "sim": the RTU simulator (sim/modbus/rtu-slave.ts, units 10–29);
 *   20 TCP clients address 20 slaves at once and each gets its own answer,
 *   with at most one transaction outstanding at the slave side; broadcast
 *   (unit 0) writes reach every slave and get the normal echo.
 * Loopback only; every wait is bounded.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type RtuSlave, startRtuSlave } from '../../sim/modbus/rtu-slave.js';
import { type App, createApp, defaultParts } from '../../src/app.js';
import { serialLineConfig } from '../../src/modbus/serial-line-config.js';
import { silentLogger } from '../../src/shared/logger.js';
import { mbpollTcp } from '../support/mbpoll.js';
import { adu, RawMbapClient } from '../support/modbus-wire.js';
import { execFileAsync, hasCommand, peer } from '../support/peers.js';
import { freePort, hasPymodbus, PYTHON } from '../support/pymodbus.js';
import { hasSocat, openPtyPair, type PtyPair } from '../support/socat.js';

const RTU_SLAVE = `
import asyncio, logging, sys
from pymodbus.server import StartAsyncSerialServer
from pymodbus.datastore import ModbusSequentialDataBlock, ModbusSlaveContext, ModbusServerContext
from pymodbus.framer.rtu_framer import ModbusRtuFramer
logging.disable(logging.CRITICAL)
def unit(u):
    return ModbusSlaveContext(
        co=ModbusSequentialDataBlock(0, [i % 3 == 0 for i in range(300)]),
        di=ModbusSequentialDataBlock(0, [i % 3 == 1 for i in range(300)]),
        hr=ModbusSequentialDataBlock(0, [u * 100 + i for i in range(300)]),
        ir=ModbusSequentialDataBlock(0, [1000 + i for i in range(300)]),
        zero_mode=True)
context = ModbusServerContext(slaves={u: unit(u) for u in (1, 2, 3)}, single=False)
asyncio.run(StartAsyncSerialServer(context=context, framer=ModbusRtuFramer, port=sys.argv[1],
    baudrate=19200, ignore_missing_slaves=True))
`;

const SIM_UNITS = Array.from({ length: 20 }, (_, i) => 10 + i);
const root = mkdtempSync(join(tmpdir(), 'wattgate-serial-'));
let haveSocat = false;
let havePymodbus = false;
let haveMbpoll = false;
let pmPty: PtyPair | undefined;
let simPty: PtyPair | undefined;
let pm: ChildProcess | undefined;
let sim: RtuSlave | undefined;
let app: App | undefined;
let gw = 0;

before(async () => {
  [haveSocat, havePymodbus, haveMbpoll] = await Promise.all([
    hasSocat(),
    hasPymodbus(),
    hasCommand('mbpoll', ['-V']),
  ]);
  if (!haveSocat) return;
  simPty = await openPtyPair();
  sim = await startRtuSlave({ path: simPty.b, baud: 19200, units: SIM_UNITS, latencyMs: [0.5, 3] });
  if (havePymodbus) {
    pmPty = await openPtyPair();
    pm = spawn(PYTHON, ['-c', RTU_SLAVE, pmPty.b], { stdio: 'ignore' });
  }
  gw = await freePort();
  app = createApp({ dataDir: join(root, 'data'), log: silentLogger, parts: (ctx) => defaultParts(ctx) });
  const base = app.ctx.config.get();
  const lines = [
    serialLineConfig({
      name: 'sim',
      path: simPty.a,
      unitIds: SIM_UNITS,
      broadcast: true,
      broadcastDelayMs: 20,
    }),
  ];
  if (pmPty) lines.push(serialLineConfig({ name: 'pm', path: pmPty.a, unitIds: [1, 2, 3], timeoutMs: 500 }));
  app.ctx.config.replace({
    ...base,
    networks: { LOOP: { addresses: ['127.0.0.1'], description: 'test' } },
    web: { ...base.web, enabled: {} },
    modbus: {
      ...base.modbus,
      server: {
        ...base.modbus.server,
        port: gw,
        enabled: { LOOP: true },
        maxConnections: 64,
        maxConnectionsPerSource: 32,
      },
      serialLines: lines,
    },
  });
  await app.start();
  if (pm) await waitForPymodbus();
});

after(async () => {
  await app?.stop();
  pm?.kill('SIGTERM');
  await sim?.close();
  await simPty?.close();
  await pmPty?.close();
  rmSync(root, { recursive: true, force: true });
});

/** pymodbus needs a moment to open its end: poll unit 1 through the gateway (≤ 15 s). */
async function waitForPymodbus(): Promise<void> {
  const c = await RawMbapClient.open(gw);
  try {
    const end = Date.now() + 15_000;
    while (Date.now() < end) {
      const a = await c.ask(adu(1, 1, '03 0000 0001'));
      if (a.slice(14, 16) === '03') return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error('pymodbus RTU slave never answered');
  } finally {
    c.close();
  }
}

const mbpoll = (unit: number, ref: number, count: number, writes: number[] = []) =>
  mbpollTcp({ port: gw, timeoutS: 3, zeroBased: true }, unit, ref, count, writes);

test('mbpoll reads and writes RTU slaves (pymodbus and the simulator) through Wattgate', async (t) => {
  if (!peer(t, 'socat', haveSocat) || !peer(t, 'mbpoll', haveMbpoll)) return;
  sim?.bank(12).setRegisters('holding', 0, [11, 22, 33]);
  assert.deepEqual(await mbpoll(12, 0, 3), [11, 22, 33]);
  await mbpoll(12, 50, 0, [1234, 5678]);
  assert.deepEqual(sim?.bank(12).getRegisters('holding', 50, 2), [1234, 5678]);
  if (!peer(t, 'pymodbus', havePymodbus)) return;
  assert.deepEqual(await mbpoll(2, 0, 3), [200, 201, 202]);
  await mbpoll(3, 10, 0, [777, 888]);
  assert.deepEqual(await mbpoll(3, 10, 2), [777, 888]);
});

const CLIENT = `
import json, sys
from pymodbus.client import ModbusTcpClient
port = int(sys.argv[1])
c = ModbusTcpClient('127.0.0.1', port=port, timeout=3)
assert c.connect()
out = {}
out['read'] = c.read_holding_registers(5, 3, slave=1).registers
out['write'] = c.write_registers(20, [9, 8, 7], slave=1).count
out['readBack'] = c.read_holding_registers(20, 3, slave=1).registers
out['coils'] = c.read_coils(0, 4, slave=2).bits[:4]
out['input'] = c.read_input_registers(7, 2, slave=3).registers
out['simRead'] = c.read_holding_registers(0, 2, slave=15).registers
c.close()
print(json.dumps(out))
`;

test('a pymodbus TCP master reads and writes RTU slaves through Wattgate', async (t) => {
  if (!peer(t, 'socat', haveSocat) || !peer(t, 'pymodbus', havePymodbus)) return;
  sim?.bank(15).setRegisters('holding', 0, [4242, 4343]);
  const { stdout } = await execFileAsync(PYTHON, ['-c', CLIENT, String(gw)], { timeout: 30_000 });
  const out = JSON.parse(stdout) as Record<string, unknown>;
  assert.deepEqual(out.read, [105, 106, 107]);
  assert.equal(out.write, 3);
  assert.deepEqual(out.readBack, [9, 8, 7]);
  assert.deepEqual(out.coils, [true, false, false, true]);
  assert.deepEqual(out.input, [1007, 1008]);
  assert.deepEqual(out.simRead, [4242, 4343]);
});

test('20 TCP clients, 20 slaves on one line: each its own answer, one transaction at a time', async (t) => {
  if (!peer(t, 'socat', haveSocat) || !sim) return;
  for (const u of SIM_UNITS) sim.bank(u).setRegisters('holding', 100, [u, u * 3]);
  sim.resetStats();
  const clients = await Promise.all(SIM_UNITS.map(() => RawMbapClient.open(gw)));
  try {
    for (let round = 0; round < 5; round++) {
      const answers = await Promise.all(
        clients.map((c, i) => c.ask(adu(round * 100 + i, SIM_UNITS[i] ?? 0, '03 0064 0002'))),
      );
      answers.forEach((a, i) => {
        const u = SIM_UNITS[i] ?? 0;
        const h4 = (n: number) => n.toString(16).padStart(4, '0');
        assert.equal(a, adu(round * 100 + i, u, `03 04 ${h4(u)} ${h4(u * 3)}`));
      });
    }
  } finally {
    for (const c of clients) c.close();
  }
  const s = sim.stats();
  assert.equal(s.requests, 100);
  assert.equal(s.maxOutstanding, 1, 'never two transactions outstanding on the line');
  assert.equal(s.overlaps, 0);
});

test('broadcast (unit 0): the write reaches every slave, the client gets the normal echo', async (t) => {
  if (!peer(t, 'socat', haveSocat) || !sim) return;
  const c = await RawMbapClient.open(gw);
  try {
    assert.equal(await c.ask(adu(7, 0, '06 0190 1234')), adu(7, 0, '06 0190 1234'));
    assert.equal(await c.ask(adu(8, 0, '10 0191 0002 04 0001 0002')), adu(8, 0, '10 0191 0002'));
    assert.equal(await c.ask(adu(9, 0, '03 0000 0001')), adu(9, 0, '83 01'), 'broadcast reads → 01');
    // The line keeps its order: this read is served after both broadcasts.
    assert.equal(await c.ask(adu(10, 17, '03 0190 0003')), adu(10, 17, '03 06 1234 0001 0002'));
  } finally {
    c.close();
  }
  for (const u of SIM_UNITS) assert.deepEqual(sim.bank(u).getRegisters('holding', 0x190, 3), [0x1234, 1, 2]);
});
