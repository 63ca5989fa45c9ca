// Issue 8 acceptance (PRODUCT W1–W5, G2, G3, X1): Wattgate's gateway with the
// wireless Part on the simulator radio, five sensors of four families, read
// over loopback by Debian's pymodbus — a client that knows only the public
// register tables: every address, length, type and invalid marker below is
// taken from the reference TSVs parsed here (reference/modbus-map/),
// never from Wattgate's models. The client reads unit 255's identity and
// wireless list, then each virtual server with FC 3 and FC 100-4, resets a
// partial energy counter with FC 16; ten minutes later energy has grown
// consistently with the power; a disconnected sensor is "not connected" after
// its period and reads the invalid markers. Time is a manual clock.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startWirelessHarness, type WirelessHarness } from '../../sim/wireless/harness.js';
import type { ModbusEvents } from '../../src/modbus/events.js';
import { createGateway, type ModbusGateway } from '../../src/modbus/gateway.js';
import { createSerialLineTarget } from '../../src/modbus/serial-line-target.js';
import { ManualClock } from '../../src/shared/clock.js';
import { memoryConfigView } from '../../src/shared/config-view.js';
import { TypedEvents } from '../../src/shared/events.js';
import { silentLogger } from '../../src/shared/logger.js';
import { LOST_AFTER_PERIODS } from '../../src/wireless/device.js';
import { devicesView, modbusSection, TEST_IDENTITY } from '../support/modbus-fixtures.js';
import { peer } from '../support/peers.js';
import {
  PY_CLIENT,
  type PyOp,
  type PyResult,
  pymodbusClientAvailable,
  runPyClient,
} from '../support/wireless-pyclient.js';

const MAP = join(dirname(fileURLToPath(import.meta.url)), '../../reference/modbus-map');

interface Row {
  register: number;
  count: number;
  type: string;
  invalid: string;
  description: string;
}

function parseTsv(file: string): Row[] {
  const [head = '', ...lines] = readFileSync(join(MAP, file), 'utf8').split('\n');
  const cols = head.split('\t').map((c) => c.trim());
  const at = (name: string) => cols.indexOf(name);
  return lines
    .map((l) => l.split('\t'))
    .filter((f) => /^\d+$/.test((f[at('Register (dec)')] ?? '').trim()))
    .map((f) => ({
      register: Number(f[at('Register (dec)')]),
      count: Number(f[at('N°')]),
      type: (f[at('Type')] ?? '').trim(),
      invalid: (f[at('Invalid Value')] ?? '').trim(),
      description: (f[at('Description')] ?? '').trim(),
    }));
}

/** The row whose description is `prefix`, else the first that starts with it. */
function row(rows: readonly Row[], prefix: string): Row {
  const r = rows.find((x) => x.description === prefix) ?? rows.find((x) => x.description.startsWith(prefix));
  assert.ok(r, `a row "${prefix}"`);
  return r;
}

const ENERGY_ROWS = {
  IA: 'RMS current on phase A',
  IB: 'RMS current on phase B',
  IC: 'RMS current on phase C',
  VAN: 'RMS phase-to-neutral voltage A-N',
  VBN: 'RMS phase-to-neutral voltage B-N',
  VCN: 'RMS phase-to-neutral voltage C-N',
  PA: 'Active power on phase A',
  PB: 'Active power on phase B',
  PC: 'Active power on phase C',
  PTot: 'Total active power',
  PF: 'Total power factor',
  ETot: 'Total active energy delivered + received (not resettable)',
  EPart: 'Partial active energy delivered + received (resettable)',
  EPartSet: 'Set partial active energy counter.',
} as const;
const AMBIENT_ROWS = { T: 'Temperature value', RH: 'Relative humidity value' } as const;
const COMMON_ROWS = {
  VirtAddr: 'Virtual Modbus server address',
  RfId: 'Wireless device radio frequency identifier',
  CommRef: 'Commercial reference',
  CommOk: 'Communication status between Panel Server and wireless devices',
  PanelCommRef: 'Commercial reference of the Panel Server',
} as const;

interface Sensor {
  readonly rfId: string;
  readonly model: string;
  readonly tsv: string;
  readonly rows: Record<string, string>;
  readonly periodS: number;
}

const SENSORS: readonly Sensor[] = [
  {
    rfId: '00124B0001A9E001',
    model: 'pte63-powertag-a9',
    tsv: 'PTE63_PoTag_QO.tsv',
    rows: ENERGY_ROWS,
    periodS: 5,
  },
  { rfId: '00124B0001A9E002', model: 'acti9-active', tsv: 'Acti9_Active.tsv', rows: ENERGY_ROWS, periodS: 5 },
  {
    rfId: '00124B0001A9E003',
    model: 'pte-m250-m630',
    tsv: 'PTEnergy250_630_PoTag_Efram.tsv',
    rows: { ...ENERGY_ROWS, Freq: 'AC frequency' },
    periodS: 5,
  },
  {
    rfId: '00124B0001A9E004',
    model: 'co2-sensor',
    tsv: 'CO2_sensors.tsv',
    rows: { ...AMBIENT_ROWS, CO2: 'CO2 (' },
    periodS: 120,
  },
  {
    rfId: '00124B0001A9E005',
    model: 'trh-sensor',
    tsv: 'Temperature_sensors_TRH.tsv',
    rows: AMBIENT_ROWS,
    periodS: 120,
  },
];

const clock = new ManualClock(Date.UTC(2026, 2, 10, 10, 0, 0)); // a Tuesday morning
let h: WirelessHarness;
let gateway: ModbusGateway;
let port = 0;
const panel = parseTsv('Panel_Server.tsv');

before(async () => {
  h = await startWirelessHarness({
    clock,
    panel: TEST_IDENTITY,
    paired: SENSORS.map((s, i) => ({ rfId: s.rfId, model: s.model, name: `sensor ${i + 1}` })),
    wireless: { simulator: { sensors: SENSORS.map((s) => ({ rfId: s.rfId, model: s.model })) } },
  });
  gateway = createGateway(
    {
      log: silentLogger,
      clock,
      events: new TypedEvents<ModbusEvents>(),
      modbus: memoryConfigView(modbusSection({ enabled: { LO: true } })),
      networks: memoryConfigView({ LO: { addresses: ['127.0.0.1'], description: '' } }),
      identity: TEST_IDENTITY,
      devices: devicesView(),
      createSerialLineTarget,
      createDeviceTarget: () => {
        throw new Error('no TCP devices here');
      },
      wirelessList: () => h.part.list(),
    },
    { portOverride: 0 },
  );
  await gateway.start();
  gateway.setWirelessTargets(h.part.targets());
  h.part.onTargetsChanged(() => gateway.setWirelessTargets(h.part.targets()));
  port = gateway.addresses()[0]?.boundPort ?? 0;
});

after(async () => {
  await gateway.stop();
  await h.part.stop();
});

/** One FC 3 read per named row of every sensor, from its family's TSV. */
function sensorReads(s: Sensor, unit: number, names: readonly string[]): PyOp[] {
  const rows = parseTsv(s.tsv);
  return names.map((name) => {
    const r = row(rows, { ...s.rows, ...COMMON_ROWS }[name] ?? name);
    return {
      op: 'read',
      unit,
      address: r.register - 1,
      count: r.count,
      type: r.type,
      invalid: r.invalid,
      tag: name,
    };
  });
}

function byTag(results: readonly PyResult[], prefix: string): Record<string, PyResult> {
  return Object.fromEntries(
    results.filter((r) => r.tag.startsWith(prefix)).map((r) => [r.tag.slice(prefix.length), r]),
  );
}

const num = (r: PyResult | undefined): number => {
  assert.ok(r && r.value !== null && r.value !== undefined, `value of ${r?.tag}`);
  return Number(r.value);
};

function checkElectrical(v: Record<string, PyResult>, what: string): void {
  for (const ph of ['A', 'B', 'C']) {
    const u = num(v[`V${ph}N`]);
    const i = num(v[`I${ph}`]);
    const p = num(v[`P${ph}`]);
    assert.ok(u > 207 && u < 253, `${what} V${ph}N ${u}`);
    assert.ok(i >= 0 && i < 100, `${what} I${ph} ${i}`);
    assert.ok(Math.abs(p - u * i * num(v.PF)) <= 0.01 * p + 0.5, `${what} P${ph} ${p} ≈ U·I·PF`);
  }
  const pf = num(v.PF);
  assert.ok(pf >= 0.5 && pf <= 1, `${what} PF ${pf}`);
  const sum = num(v.PA) + num(v.PB) + num(v.PC);
  assert.ok(Math.abs(num(v.PTot) - sum) <= 0.001 * sum + 0.5, `${what} PTot = PA + PB + PC`);
}

function unit255Ops(): PyOp[] {
  const ident = ['Manufacturer Name', 'Commercial Reference', 'Serial number'].map((p, k) => {
    const r = row(panel, p);
    return {
      op: 'read',
      unit: 255,
      address: r.register - 1,
      count: r.count,
      type: r.type,
      invalid: r.invalid,
      tag: `255.id${k}`,
    } as PyOp;
  });
  const list = [1, 2, 3, 4, 5, 6].flatMap((n): PyOp[] => {
    const rf = row(panel, `RFID of wireless device ${n}`);
    const va = row(panel, `Virtual address of wireless device ${n}`);
    return [
      {
        op: 'read',
        unit: 255,
        address: rf.register - 1,
        count: rf.count,
        type: rf.type,
        invalid: rf.invalid,
        tag: `255.rf${n}`,
      },
      {
        op: 'read',
        unit: 255,
        address: va.register - 1,
        count: va.count,
        type: va.type,
        invalid: va.invalid,
        tag: `255.va${n}`,
      },
    ];
  });
  return [...ident, ...list, { op: 'ident', unit: 255, tag: '255.ident' }];
}

test('pymodbus (peer), written from the public tables only: unit 255, virtual servers, FC 3 / 100-4 / 16, not connected', async (t) => {
  if (!peer(t, 'pymodbus', await pymodbusClientAvailable())) return;
  assert.ok(PY_CLIENT.length > 0);
  clock.advance(130_000); // every sensor has reported (periods 5 s and 120 s)
  const measured = (s: Sensor) => [...Object.keys(s.rows), ...Object.keys(COMMON_ROWS)];
  const units = SENSORS.map((_, i) => 100 + i);
  const phaseA = await runPyClient(port, [
    ...unit255Ops(),
    ...SENSORS.flatMap((s, i) =>
      sensorReads(s, units[i] ?? 0, measured(s)).map((o) => ({ ...o, tag: `${i}.${o.tag}` })),
    ),
    ...SENSORS.map((s, i): PyOp => scatteredOp(s, units[i] ?? 0, i)),
    { op: 'ident', unit: 100, tag: '0.ident' },
  ]);
  checkUnit255(phaseA);
  checkSensors(phaseA, 'A');
  checkScattered(phaseA);

  clock.advance(600_000); // ten minutes of metering
  const tag = SENSORS[0] as Sensor;
  const setRow = row(parseTsv(tag.tsv), ENERGY_ROWS.EPartSet);
  const phaseB = await runPyClient(port, [
    ...SENSORS.flatMap((s, i) =>
      sensorReads(s, units[i] ?? 0, measured(s)).map((o) => ({ ...o, tag: `${i}.${o.tag}` })),
    ),
    { op: 'write', unit: 100, address: setRow.register - 1, values: [0, 0, 0, 0], tag: 'reset' },
    ...sensorReads(tag, 100, ['EPart', 'EPartSet', 'ETot']).map((o) => ({ ...o, tag: `after.${o.tag}` })),
  ]);
  checkSensors(phaseB, 'B');
  checkGrowth(phaseA, phaseB);
  checkReset(phaseB);

  h.radio.sensor(tag.rfId)?.disconnect();
  clock.advance(LOST_AFTER_PERIODS * tag.periodS * 1000 + 1000);
  const phaseC = await runPyClient(port, [
    ...sensorReads(tag, 100, measured(tag)).map((o) => ({ ...o, tag: `0.${o.tag}` })),
    ...sensorReads(SENSORS[1] as Sensor, 101, ['PTot', 'CommOk']).map((o) => ({ ...o, tag: `1.${o.tag}` })),
    ...unit255Ops().filter((o) => o.tag.startsWith('255.rf1') || o.tag.startsWith('255.va1')),
  ]);
  checkDisconnected(phaseC);
  t.diagnostic(JSON.stringify(summary(phaseA, phaseB)));
  const after = {
    afterReset: summaryOf(byTag(phaseB, 'after.')),
    disconnected: summaryOf(byTag(phaseC, '0.')),
  };
  t.diagnostic(JSON.stringify(after));
});

function scatteredOp(s: Sensor, unit: number, i: number): PyOp {
  const rows = parseTsv(s.tsv);
  const names = Object.keys(s.rows).slice(0, 6);
  const addresses = names.map((n) => row(rows, s.rows[n] ?? n).register - 1);
  return { op: 'scattered', unit, addresses, tag: `${i}.scattered` };
}

function checkUnit255(res: readonly PyResult[]): void {
  const u = byTag(res, '255.');
  assert.equal(u.id0?.value, TEST_IDENTITY.vendorName);
  assert.equal(u.id1?.value, TEST_IDENTITY.productCode);
  assert.equal(u.id2?.value, TEST_IDENTITY.serialNumber);
  assert.equal(u.ident?.objects?.['0'], TEST_IDENTITY.vendorName);
  SENSORS.forEach((s, k) => {
    assert.equal(BigInt(String(u[`rf${k + 1}`]?.value)), BigInt(`0x${s.rfId}`), `slot ${k + 1} RF id`);
    assert.equal(u[`va${k + 1}`]?.value, 100 + k, `slot ${k + 1}: first free ids from 100`);
  });
  assert.equal(u.rf6?.value, null, 'slot 6 empty: invalid marker');
  assert.equal(u.va6?.value, null);
}

function checkSensors(res: readonly PyResult[], phase: string): void {
  SENSORS.forEach((s, i) => {
    const v = byTag(res, `${i}.`);
    const what = `${phase}/${s.model}`;
    assert.equal(v.VirtAddr?.value, 100 + i, `${what} virtual address`);
    assert.equal(BigInt(String(v.RfId?.value)), BigInt(`0x${s.rfId}`), `${what} RF id`);
    assert.equal(v.CommOk?.value, 1, `${what} communication OK`);
    assert.match(String(v.CommRef?.value), /^[A-Z0-9-]{5,}$/, `${what} commercial reference`);
    assert.equal(v.PanelCommRef?.value, TEST_IDENTITY.productCode, `${what} the panel's own reference`);
    if ('PTot' in s.rows) checkElectrical(v, what);
    if ('Freq' in s.rows) assert.ok(Math.abs(num(v.Freq) - 50) < 0.5, `${what} frequency`);
    if ('T' in s.rows) assert.ok(num(v.T) > 5 && num(v.T) < 40, `${what} temperature ${num(v.T)}`);
    if ('RH' in s.rows) assert.ok(num(v.RH) > 0.1 && num(v.RH) < 0.95, `${what} humidity fraction`);
    if ('CO2' in s.rows) assert.ok(num(v.CO2) > 350e-6 && num(v.CO2) < 2000e-6, `${what} CO2 fraction`);
  });
}

function checkScattered(res: readonly PyResult[]): void {
  SENSORS.forEach((s, i) => {
    const v = byTag(res, `${i}.`);
    const firsts = Object.keys(s.rows)
      .slice(0, 6)
      .map((n) => v[n]?.registers?.[0]);
    assert.deepEqual(v.scattered?.registers, firsts, `${s.model}: FC 100-4 equals FC 3`);
  });
}

function checkGrowth(a: readonly PyResult[], b: readonly PyResult[]): void {
  SENSORS.forEach((s, i) => {
    if (!('ETot' in s.rows)) return;
    const va = byTag(a, `${i}.`);
    const vb = byTag(b, `${i}.`);
    const grown = num(vb.ETot) - num(va.ETot);
    const expected = ((num(va.PTot) + num(vb.PTot)) / 2) * (600 / 3600);
    assert.ok(grown > 0, `${s.model}: energy grows`);
    assert.ok(
      grown / expected > 0.3 && grown / expected < 3,
      `${s.model}: ${grown} Wh for ~${expected.toFixed(0)}`,
    );
    assert.ok(num(vb.EPart) >= num(va.EPart), `${s.model}: partial energy grows too`);
  });
}

function checkReset(b: readonly PyResult[]): void {
  const v = byTag(b, 'after.');
  assert.equal(byTag(b, '').reset?.error, undefined, 'FC 16 accepted');
  assert.ok(num(v.EPart) >= 0 && num(v.EPart) < 5, `partial energy reset: ${num(v.EPart)} Wh`);
  assert.equal(num(v.EPartSet), 0, 'the set register returns to zero');
  assert.ok(num(v.ETot) >= num(byTag(b, '0.').ETot), 'the total is not reset');
}

function checkDisconnected(c: readonly PyResult[]): void {
  const v = byTag(c, '0.');
  for (const name of ['IA', 'VAN', 'PA', 'PTot', 'PF', 'ETot', 'EPart']) {
    assert.equal(v[name]?.value, null, `${name}: invalid marker when not connected`);
  }
  assert.equal(v.CommOk?.value, 0, 'communication lost');
  assert.equal(v.VirtAddr?.value, 100, 'identification kept');
  assert.equal(byTag(c, '1.').CommOk?.value, 1, 'the other sensors are untouched');
  assert.notEqual(byTag(c, '1.').PTot?.value, null);
  assert.equal(byTag(c, '255.').va1?.value, 100, 'still listed by unit 255');
  assert.equal(h.part.devices()[0]?.status, 'not-connected');
}

function summaryOf(v: Record<string, PyResult>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(v).map(([k, r]) => [k, r.value ?? r.registers ?? r.error ?? null]),
  );
}

function summary(a: readonly PyResult[], b: readonly PyResult[]): unknown {
  return SENSORS.map((s, i) => {
    const va = byTag(a, `${i}.`);
    const vb = byTag(b, `${i}.`);
    return {
      model: s.model,
      A: summaryOf(va),
      B: 'ETot' in s.rows ? { ETot: vb.ETot?.value, PTot: vb.PTot?.value } : {},
    };
  });
}
