/**
 * Discovery names the wired meters of other makers (issue 15, item 7) and
 * never a model whose values come back implausible. Real discovery
 * (DiscoveryRunner through the acquisition part, the built-in catalog)
 * over real Modbus TCP on 127.0.0.1 against the model-driven simulator
 * (sim/devices/model-bank.ts): each unit plays one meter, filled from its
 * built-in model with plausible values and given the identity its real
 * device has — FC 43/14 objects for the Schneider meters, none for the
 * others (they answer 43/14 with no object), the identification register
 * where the public map has one (Eastron meter code, ABB type designation).
 *
 * Then the plausibility cases: the README's TCP simulator (`npm run sim --
 * tcp`, register n holds n) claims the demo meter's 43/14 identity but its
 * registers decode to 1.4e-45 V: before issue 15 discovery named it
 * `wattgate-demo-meter`; a device whose identification register says SDM630
 * but whose voltage is garbage, and a device claiming to be an iEM3155 whose
 * frequency reads 400 Hz, are named nothing either.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { type SimValue, setMeasurement, startModelSlave } from '../../sim/devices/model-bank.js';
import { plausibleValues, seededRandom } from '../../sim/devices/values.js';
import { startTcpSlave, type TcpSlave, type UnitBank } from '../../sim/modbus/tcp-slave.js';
import type { DiscoveryState } from '../../src/devices/discovery/discovery.js';
import type { ResolvedModel } from '../../src/devices/model-schema.js';
import { ModelCatalog } from '../../src/devices/models/catalog.js';
import { systemClock } from '../../src/shared/clock.js';
import { acquisitionHarness } from '../support/acquisition-harness.js';

const catalog = ModelCatalog.open();
const model = (id: string): ResolvedModel => catalog.require(id);

interface Meter {
  readonly unit: number;
  readonly id: string;
  readonly identity?: { vendorName: string; productCode: string; modelName: string };
  readonly values?: Readonly<Record<string, SimValue>>;
  readonly expect: { models: string[]; via: 'none' | '43/14' | 'registers' };
}

const SCHNEIDER = 'Schneider Electric';
const METERS: readonly Meter[] = [
  { unit: 1, id: 'eastron-sdm120', expect: { models: [], via: 'none' } },
  {
    unit: 2,
    id: 'eastron-sdm630',
    values: { MeterCode: 112 },
    expect: { models: ['eastron-sdm630'], via: 'registers' },
  },
  {
    unit: 3,
    id: 'schneider-iem3000',
    identity: { vendorName: SCHNEIDER, productCode: 'A9MEM3155', modelName: 'iEM3155' },
    expect: { models: ['schneider-iem3000'], via: '43/14' },
  },
  {
    unit: 4,
    id: 'schneider-pm5000',
    identity: { vendorName: SCHNEIDER, productCode: 'METSEPM5560', modelName: 'PM5560' },
    expect: { models: ['schneider-pm5000'], via: '43/14' },
  },
  { unit: 5, id: 'carlo-gavazzi-em24', expect: { models: [], via: 'none' } },
  { unit: 6, id: 'carlo-gavazzi-em340', expect: { models: [], via: 'none' } },
  {
    unit: 7,
    id: 'abb-b23-b24',
    values: { TypeDesig: 'B23 ' },
    expect: { models: ['abb-b23-b24'], via: 'registers' },
  },
  { unit: 8, id: 'janitza-umg96', expect: { models: [], via: 'none' } },
  // A PM5xxx and an iEM3xxx are not confused: the other Schneider identity on the same map.
  {
    unit: 9,
    id: 'schneider-iem3000',
    identity: { vendorName: SCHNEIDER, productCode: 'A9MEM3250', modelName: 'iEM3250' },
    expect: { models: ['schneider-iem3000'], via: '43/14' },
  },
];

/** A unit that identifies as an SDM630 by its meter code but whose L1 voltage is garbage. */
const GARBAGE_SDM630 = 20;
/** A unit with an iEM3155's identity whose frequency reads 400 Hz. */
const WRONG_IEM = 21;

function identify(bank: UnitBank, identity: Meter['identity']): void {
  bank.identification.clear();
  if (identity) bank.setIdentity({ ...identity, revision: '1.0' });
}

async function finished(get: () => DiscoveryState | undefined, ms = 30_000): Promise<DiscoveryState> {
  const end = Date.now() + ms;
  for (;;) {
    const s = get();
    if (s && s.state !== 'running') return s;
    if (Date.now() > end) throw new Error('discovery did not finish in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function discover(
  port: number,
  units: readonly number[],
): Promise<Map<number, DiscoveryState['results'][number]>> {
  const h = acquisitionHarness({ clock: systemClock, models: catalog });
  h.part.start();
  try {
    const targets = units.map((unit) => ({ host: '127.0.0.1', port, unit }));
    h.part.discover({ kind: 'tcp', targets, timeoutMs: 1000 });
    const s = await finished(() => h.part.discovery());
    assert.equal(s.state, 'done', s.error ?? '');
    const out = new Map<number, DiscoveryState['results'][number]>();
    for (const r of s.results) if (r.location.kind === 'tcp') out.set(r.location.unit, r);
    return out;
  } finally {
    h.part.stop();
  }
}

const slaves: TcpSlave[] = [];
after(async () => {
  for (const s of slaves) await s.close();
});

test('discovery names each simulated third-party meter by its real identification, and no wrong model', async () => {
  const random = seededRandom(0x15_07);
  const devices = [
    ...METERS.map((m) => ({
      unit: m.unit,
      model: model(m.id),
      values: { ...plausibleValues(model(m.id), random), ...m.values },
    })),
    {
      unit: GARBAGE_SDM630,
      model: model('eastron-sdm630'),
      values: { ...plausibleValues(model('eastron-sdm630'), random), MeterCode: 112 },
    },
    {
      unit: WRONG_IEM,
      model: model('schneider-iem3000'),
      values: { ...plausibleValues(model('schneider-iem3000'), random), Freq: 400 },
    },
  ];
  const slave = await startModelSlave(devices);
  slaves.push(slave);
  for (const m of METERS) identify(slave.bank(m.unit), m.identity);
  identify(slave.bank(GARBAGE_SDM630), undefined);
  slave.bank(GARBAGE_SDM630).setRegisters('input', 0, [0x0000, 0x0001]); // VAN = 1.4e-45 V
  identify(slave.bank(WRONG_IEM), { vendorName: SCHNEIDER, productCode: 'A9MEM3155', modelName: 'iEM3155' });

  const found = await discover(slave.port, [...METERS.map((m) => m.unit), GARBAGE_SDM630, WRONG_IEM]);
  for (const m of METERS) {
    const r = found.get(m.unit);
    assert.ok(r, `unit ${m.unit} (${m.id}) found`);
    assert.deepEqual({ models: r.models, via: r.via }, m.expect, `unit ${m.unit} (${m.id})`);
  }
  const sdm120 = found.get(1);
  assert.ok(!sdm120?.models.includes('eastron-sdm630'), 'an SDM120 is not taken for an SDM630');
  assert.deepEqual(found.get(GARBAGE_SDM630)?.models, [], 'meter code matches, values do not');
  assert.deepEqual(found.get(WRONG_IEM)?.models, [], '43/14 matches, 400 Hz does not');
  assert.equal(found.get(WRONG_IEM)?.identity?.productCode, 'A9MEM3155', 'the identity is still reported');

  // Values back to plausible: the same devices are named again.
  setMeasurement(slave.bank(GARBAGE_SDM630), model('eastron-sdm630'), 'VAN', 231.5);
  setMeasurement(slave.bank(WRONG_IEM), model('schneider-iem3000'), 'Freq', 50);
  const again = await discover(slave.port, [GARBAGE_SDM630, WRONG_IEM]);
  assert.deepEqual(again.get(GARBAGE_SDM630)?.models, ['eastron-sdm630']);
  assert.deepEqual(again.get(WRONG_IEM)?.models, ['schneider-iem3000']);
});

test("the README's TCP simulator (register n holds n) is not labelled with the demo meter model", async () => {
  // What `npm run sim -- tcp --port 15020 --units 1,2,3` starts (sim/main.ts: startTcpSlave with pattern).
  const sim = await startTcpSlave({ units: [1, 2, 3], pattern: true });
  slaves.push(sim);
  const demo = model('wattgate-demo-meter');
  assert.equal(
    demo.measurements.find((m) => m.key === 'VLNAvg')?.address,
    0,
    'VLNAvg = registers 0, 1 = 1.4e-45',
  );
  const found = await discover(sim.port, [1, 2, 3]);
  for (const unit of [1, 2, 3]) {
    const r = found.get(unit);
    assert.ok(r, `unit ${unit} present`);
    assert.equal(r.identity?.productCode, 'WG-SIM-TCP', 'it does claim the demo identity');
    assert.deepEqual({ models: r.models, via: r.via }, { models: [], via: 'none' }, `unit ${unit}`);
  }
});
