/**
 * Issue acceptance, end to end through the whole application (createApp +
 * defaultParts, as `wattgate start` runs it): real masters from Debian —
 * mbpoll and a pymodbus 3.0 client — read and write through Wattgate, with the
 * simulator and a real pymodbus slave downstream; FC 8 and FC 23 pass through
 * byte-identical (the downstream device receives the very PDU the master sent,
 * and the master receives the very PDU the device answered).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startTcpSlave, type TcpSlave } from '../../sim/modbus/tcp-slave.js';
import { type App, createApp, defaultParts } from '../../src/app.js';
import { bytesToHex } from '../../src/protocol/modbus/index.js';
import { silentLogger } from '../../src/shared/logger.js';
import { mbpollTcp } from '../support/mbpoll.js';
import { adu, RawMbapClient } from '../support/modbus-wire.js';
import { execFileAsync, hasCommand, peer } from '../support/peers.js';
import {
  freePort,
  hasPymodbus,
  PYTHON,
  type PymodbusSlave,
  startPymodbusSlave,
} from '../support/pymodbus.js';

const SIM_VID = 20;
const PM_VID = 10;
const root = mkdtempSync(join(tmpdir(), 'wattgate-e2e-'));
let haveMbpoll = false;
let havePymodbus = false;
let sim: TcpSlave;
let pm: PymodbusSlave | undefined;
let app: App;
let gw = 0;

before(async () => {
  [haveMbpoll, havePymodbus] = await Promise.all([hasCommand('mbpoll', ['-V']), hasPymodbus()]);
  sim = await startTcpSlave({ units: [1], record: 50 });
  if (havePymodbus) pm = await startPymodbusSlave();
  gw = await freePort();
  app = createApp({ dataDir: join(root, 'data'), log: silentLogger, parts: (ctx) => defaultParts(ctx) });
  const base = app.ctx.config.get();
  const device = (id: number, name: string, port: number, virtualId: number) => ({
    id,
    name,
    location: { kind: 'tcp' as const, host: '127.0.0.1', port, unit: 1, timeoutMs: 2000, oneInFlight: false },
    virtualId,
    enabled: true,
    usage: 'none' as const,
    zone: '',
    commodity: 'electricity' as const,
    periodMinutes: 15 as const,
  });
  app.ctx.config.replace({
    ...base,
    networks: { LOOP: { addresses: ['127.0.0.1'], description: 'test' } },
    web: { ...base.web, enabled: {} },
    modbus: {
      ...base.modbus,
      server: { ...base.modbus.server, port: gw, enabled: { LOOP: true } },
    },
    devices: {
      nextId: 3,
      list: [device(1, 'sim', sim.port, SIM_VID), ...(pm ? [device(2, 'pymodbus', pm.port, PM_VID)] : [])],
    },
  });
  await app.start();
});

after(async () => {
  await app?.stop();
  await sim?.close();
  pm?.stop();
  rmSync(root, { recursive: true, force: true });
});

const mbpoll = (unit: number, ref: number, count: number, writes: number[] = []) =>
  mbpollTcp({ port: gw }, unit, ref, count, writes);

test('mbpoll reads and writes through Wattgate: simulator and pymodbus slave downstream', async (t) => {
  if (!peer(t, 'mbpoll', haveMbpoll)) return;
  sim.bank(1).setRegisters('holding', 0, [11, 22, 33, 44, 55]);
  assert.deepEqual(await mbpoll(SIM_VID, 1, 5), [11, 22, 33, 44, 55]);
  await mbpoll(SIM_VID, 101, 0, [1234, 5678]);
  assert.deepEqual(sim.bank(1).getRegisters('holding', 100, 2), [1234, 5678]);
  // Unit 255 is Wattgate itself: health (register 159) nominal.
  assert.deepEqual(await mbpoll(255, 159, 1), [0]);
  if (!peer(t, 'pymodbus', havePymodbus)) return;
  assert.deepEqual(await mbpoll(PM_VID, 1, 5), [1, 4, 7, 10, 13]);
  await mbpoll(PM_VID, 201, 0, [777, 888]);
  assert.deepEqual(await mbpoll(PM_VID, 201, 2), [777, 888]);
});

const CLIENT = `
import json, sys
from pymodbus.client import ModbusTcpClient
from pymodbus.diag_message import ReturnQueryDataRequest
from pymodbus.register_read_message import ReadWriteMultipleRegistersRequest
port, sim, pm = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
c = ModbusTcpClient('127.0.0.1', port=port, timeout=3)
assert c.connect()
out = {}
out['simRead'] = c.read_holding_registers(0, 3, slave=sim).registers
out['simWrite'] = c.write_registers(40, [9, 8, 7], slave=sim).count
rw = ReadWriteMultipleRegistersRequest(read_address=40, read_count=3, write_address=50, write_registers=[5, 6], unit=pm)
out['pmReadWrite'] = c.execute(rw).registers
diag = c.execute(ReturnQueryDataRequest(0x1234, unit=sim))
out['simDiag'] = diag.message
out['pmInput'] = c.read_input_registers(2, 2, slave=pm).registers
out['noRoute'] = c.read_holding_registers(0, 1, slave=77).exception_code
c.close()
print(json.dumps(out))
`;

test('a pymodbus master reads, writes, FC 23 and FC 8 through Wattgate; no route → 0x0A', async (t) => {
  if (!peer(t, 'pymodbus', havePymodbus)) return;
  sim.bank(1).setRegisters('holding', 0, [101, 102, 103]);
  const { stdout } = await execFileAsync(
    PYTHON,
    ['-c', CLIENT, String(gw), String(SIM_VID), String(PM_VID)],
    {
      timeout: 30_000,
    },
  );
  const out = JSON.parse(stdout) as Record<string, unknown>;
  assert.deepEqual(out.simRead, [101, 102, 103]);
  assert.equal(out.simWrite, 3);
  assert.deepEqual(sim.bank(1).getRegisters('holding', 40, 3), [9, 8, 7]);
  // pymodbus slave: holding 40..42 = 3i+1 (FC 23 reads before... after its write to 50..51, disjoint).
  assert.deepEqual(out.pmReadWrite, [121, 124, 127]);
  assert.deepEqual(out.simDiag, [0x1234]);
  assert.deepEqual(out.pmInput, [1002, 1003]);
  assert.equal(out.noRoute, 0x0a);
});

/** One request straight to the device and the same through Wattgate: the answer PDUs must be identical. */
async function both(
  devicePort: number,
  vid: number,
  pdu: string,
): Promise<{ direct: string; viaGateway: string }> {
  const direct = await RawMbapClient.open(devicePort);
  const via = await RawMbapClient.open(gw);
  try {
    const d = await direct.ask(adu(0x0101, 1, pdu));
    const g = await via.ask(adu(0x0202, vid, pdu));
    return { direct: d.slice(14), viaGateway: g.slice(14) };
  } finally {
    direct.socket.destroy();
    via.socket.destroy();
  }
}

test('FC 8 and FC 23 pass through byte-identical, to the simulator and to pymodbus', async (t) => {
  const fc8 = '08 0000 a537';
  const fc23 = '17 0000 0003 0064 0002 04 04d2 162e';
  for (const pdu of [fc8, fc23]) {
    const sent = pdu.replace(/\s+/g, '').toUpperCase();
    const r = await both(sim.port, SIM_VID, pdu);
    assert.equal(r.viaGateway, r.direct, `simulator ${pdu}`);
    const received = sim.recorded.at(-1);
    assert.equal(
      received && bytesToHex(received.pdu).replace(/\s+/g, ''),
      sent,
      'the device got the very PDU sent',
    );
  }
  if (!peer(t, 'pymodbus', havePymodbus) || !pm) return;
  for (const pdu of [fc8, fc23]) {
    const r = await both(pm.port, PM_VID, pdu);
    assert.equal(r.viaGateway, r.direct, `pymodbus ${pdu}`);
    assert.notEqual(r.direct.slice(0, 2), '88', 'pymodbus answered normally');
  }
});
