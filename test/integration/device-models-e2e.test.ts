/**
 * Every model end to end (ARCHITECTURE 6): plausible random values per
 * measurement → the model-driven simulator (sim/devices, a real Modbus TCP
 * slave on 127.0.0.1) → read over Modbus TCP through Wattgate's own
 * downstream client (createTcpDeviceTarget: FC 3 or 4 at the measurement's
 * address and length) → decoded with the one data-type table and the scale
 * → equal to what the simulator was given (float32 through Math.fround).
 * Then every measurement that has an invalid marker is set invalid and must
 * read as invalid. Covers every built-in model plus generated generic meters
 * in other encodings, orders, tables and bases, and the demo panel's meters.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { fillBank, SIM_INVALID, type SimValue, startModelSlave } from '../../sim/devices/model-bank.js';
import { plausibleValues, seededRandom } from '../../sim/devices/values.js';
import type { TcpSlave } from '../../sim/modbus/tcp-slave.js';
import { startPanel } from '../../sim/panel.js';
import type { Measurement, ResolvedModel } from '../../src/devices/model-schema.js';
import { builtInTemplates, genericMeterModel, resolveModel } from '../../src/devices/models/index.js';
import type { TcpDeviceConfig } from '../../src/modbus/tcp-device.js';
import { createTcpDeviceTarget, type TcpDeviceTarget } from '../../src/modbus/tcp-device.js';
import {
  type DataFormat,
  DataTypes,
  type DataValue,
  decodeResponse,
  decodeValue,
  encodeRequest,
  isInvalid,
  type ModbusRequest,
} from '../../src/protocol/modbus/index.js';
import { ManualClock, systemClock } from '../../src/shared/clock.js';
import { silentLogger } from '../../src/shared/logger.js';

const generated: ResolvedModel[] = [
  genericMeterModel({ id: 'gen-3p-int32', phases: 3, type: 'int32-scaled', base: 1000 }),
  genericMeterModel({ id: 'gen-1p-le', phases: 1, wordOrder: 'little', byteOrder: 'little', base: 40000 }),
  genericMeterModel({
    id: 'gen-3p-input',
    phases: 3,
    table: 'input',
    wordOrder: 'little',
    type: 'int32-scaled',
  }),
].map((m) => resolveModel(m, new Map(), m.id));
const MODELS: readonly ResolvedModel[] = [...builtInTemplates().models, ...generated];

const targets: TcpDeviceTarget[] = [];
const slaves: TcpSlave[] = [];
after(async () => {
  for (const t of targets) t.stop();
  for (const s of slaves) await s.close();
});

async function connect(port: number, unitId: number): Promise<TcpDeviceTarget> {
  const cfg: TcpDeviceConfig = {
    name: `sim-${unitId}`,
    host: '127.0.0.1',
    port,
    unitId,
    virtualId: 1,
    timeoutMs: 5000,
    oneInFlight: false,
  };
  const t = createTcpDeviceTarget(cfg, { log: silentLogger, clock: systemClock });
  targets.push(t);
  t.start();
  const end = Date.now() + 5000;
  while (!t.stats.connected) {
    if (Date.now() > end) throw new Error('no connection to the simulator');
    await new Promise((r) => setTimeout(r, 2));
  }
  return t;
}

/** The measurement's format, from the model alone (independent of the simulator's helper). */
function format(m: Measurement): DataFormat {
  const f: DataFormat = { type: m.type, byteOrder: m.byteOrder ?? 'big', wordOrder: m.wordOrder ?? 'big' };
  if (m.registers !== undefined) f.registers = m.registers;
  return f;
}

const count = (m: Measurement) => DataTypes[m.type].registers ?? m.registers ?? 0;

async function readRegisters(t: TcpDeviceTarget, m: Measurement): Promise<number[]> {
  const request: ModbusRequest = {
    kind: 'read-registers',
    fc: m.table === 'input' ? 4 : 3,
    address: m.address,
    quantity: count(m),
  };
  const pdu = await t.handle({
    unitId: 1,
    pdu: encodeRequest(request),
    request,
    signal: new AbortController().signal,
    source: 'test',
  });
  const r = decodeResponse(pdu, request);
  assert.ok(r.ok && r.response.kind === 'read-registers', `read ${m.key}`);
  return r.response.values;
}

/** Reads every measurement, at most 32 requests queued at once (the client queues 64). */
async function readAll(t: TcpDeviceTarget, list: readonly Measurement[]): Promise<number[][]> {
  const out: number[][] = [];
  for (let i = 0; i < list.length; i += 32) {
    out.push(...(await Promise.all(list.slice(i, i + 32).map((m) => readRegisters(t, m)))));
  }
  return out;
}

/** Registers → engineering value: the data-type table, then value = raw × scale + offset. */
function decode(m: Measurement, regs: readonly number[]): DataValue {
  const raw = decodeValue(format(m), regs);
  const scale = m.scale ?? 1;
  const offset = m.offset ?? 0;
  if (typeof raw === 'bigint') return scale === 1 && offset === 0 ? raw : Number(raw) * scale + offset;
  return typeof raw === 'number' ? raw * scale + offset : raw;
}

function assertSame(model: ResolvedModel, m: Measurement, given: DataValue, got: DataValue): void {
  const what = `${model.id} ${m.key}`;
  if (m.type === 'float32' && typeof given === 'number' && typeof got === 'number') {
    const scale = m.scale ?? 1;
    if (scale === 1 && m.offset === undefined) assert.equal(got, Math.fround(given), what);
    else assert.ok(Math.abs(got - given) <= Math.abs(given) * 1e-6 + 1e-9, `${what}: ${got} ≠ ${given}`);
    return;
  }
  assert.deepEqual(got, given, what);
}

const hasMarker = (m: Measurement) =>
  m.invalid !== undefined ? m.invalid.length > 0 : DataTypes[m.type].invalid !== null;

test('every model: values given to the simulator read back over Modbus TCP, and invalid markers read invalid', async () => {
  const random = seededRandom(0x5eed);
  const devices = MODELS.map((model, i) => ({ unit: i + 1, model, values: plausibleValues(model, random) }));
  const slave = await startModelSlave(devices);
  slaves.push(slave);
  let reads = 0;
  await Promise.all(
    devices.map(async (d) => {
      const t = await connect(slave.port, d.unit);
      const got = await readAll(t, d.model.measurements);
      d.model.measurements.forEach((m, i) => {
        assertSame(d.model, m, d.values[m.key] as DataValue, decode(m, got[i] as number[]));
      });
      const invalid: Record<string, SimValue> = {};
      for (const m of d.model.measurements) if (hasMarker(m)) invalid[m.key] = SIM_INVALID;
      fillBank(slave.bank(d.unit), d.model, invalid);
      const marked = d.model.measurements.filter(hasMarker);
      const regs = await readAll(t, marked);
      marked.forEach((m, i) => {
        const marker = m.invalid !== undefined && m.invalid.length > 0 ? m.invalid : undefined;
        assert.ok(isInvalid(format(m), regs[i] as number[], marker), `${d.model.id} ${m.key} reads invalid`);
      });
      reads += got.length + regs.length;
    }),
  );
  const measurements = MODELS.reduce((n, m) => n + m.measurements.length, 0);
  console.log(
    `device models e2e: ${MODELS.length} models, ${measurements} measurements, ${reads} Modbus reads`,
  );
});

test('the demo panel meters read through the wattgate-demo-meter model', async () => {
  const model = builtInTemplates().models.find((m) => m.id === 'wattgate-demo-meter');
  assert.ok(model);
  const panel = await startPanel({ units: [1, 2], clock: new ManualClock(), periodMs: 3_600_000 });
  slaves.push(panel.slave);
  for (const unit of [1, 2]) {
    const t = await connect(panel.port, unit);
    const v: Record<string, DataValue> = {};
    for (const m of model.measurements) v[m.key] = decode(m, await readRegisters(t, m));
    const [u, i, p, pf, f] = [v.VLNAvg, v.IAvg, v.PTot, v.PF, v.Freq] as number[];
    assert.ok(Math.abs((u as number) - 230) < 3, `voltage ${u}`);
    assert.ok(Math.abs((f as number) - 50) < 0.1, `frequency ${f}`);
    assert.ok((pf as number) > 0.85 && (pf as number) <= 1, `power factor ${pf}`);
    const expected = 3 * (u as number) * (i as number) * (pf as number);
    assert.ok(Math.abs((p as number) - expected) < expected * 1e-5, `power ${p} W ≈ 3·U·I·PF = ${expected}`);
    assert.equal(v.EActDelTot, BigInt(1_000_000 * unit));
  }
});
