// Local digital inputs (PRODUCT L5) through unit 255 over Modbus TCP: the
// simulated input driver, the filters (30 ms, ≤ 16 pulses/s), the counters
// and the registers 1001–1448 of the reference (Panel_Server.tsv, parsed here
// as the oracle of addresses, lengths and invalid markers), FC 3 and FC 16.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { seededRandom } from '../../sim/devices/values.js';
import type { InputsConfig } from '../../src/config/schema-inputs.js';
import { validateConfig } from '../../src/config/validate.js';
import type { InputsEvents } from '../../src/inputs/events.js';
import { InputsPart } from '../../src/inputs/part.js';
import { createSimulatedInputs } from '../../src/inputs/simulator.js';
import type { ModbusEvents } from '../../src/modbus/events.js';
import { createGateway, type ModbusGateway } from '../../src/modbus/gateway.js';
import { createSerialLineTarget } from '../../src/modbus/serial-line-target.js';
import { dateTimeFromEpochMs, encodeDateTime } from '../../src/protocol/modbus/index.js';
import { ManualClock } from '../../src/shared/clock.js';
import { memoryConfigView } from '../../src/shared/config-view.js';
import { TypedEvents } from '../../src/shared/events.js';
import { silentLogger } from '../../src/shared/logger.js';
import { devicesView, modbusSection, TEST_IDENTITY } from '../support/modbus-fixtures.js';
import { adu, RawMbapClient } from '../support/modbus-wire.js';

const TSV = join(dirname(fileURLToPath(import.meta.url)), '../../reference/modbus-map/Panel_Server.tsv');

interface Row {
  register: number;
  count: number;
  type: string;
  invalid: string;
  description: string;
}

const rows: Row[] = readFileSync(TSV, 'utf8')
  .split('\n')
  .map((l) => l.split('\t'))
  .filter((f) => f[0] === 'Local Digital Inputs')
  .map((f) => ({
    register: Number(f[2]),
    count: Number(f[3]),
    type: (f[7] ?? '').trim(),
    invalid: (f[9] ?? '').trim().replace(/^0x/i, '').toLowerCase(),
    description: (f[12] ?? '').trim(),
  }));

const find = (prefix: string, di: 1 | 2): Row => {
  const hits = rows.filter((r) => r.description.startsWith(prefix));
  const r = hits.find((x) => x.description.includes(`DI${di}`)) ?? hits[di - 1];
  assert.ok(r, `${prefix} DI${di}`);
  return r;
};

const inputs: InputsConfig = validateConfig({
  inputs: {
    channels: {
      DI1: {
        kind: 'pulse',
        name: 'Water main',
        label: 'WM1',
        commodity: 'water',
        weight: 10,
        unit: 'L',
        flowUnit: 'L/h',
        meteringFeature: 49,
        simulator: { pulsesPerSecond: 2, pulseWidthMs: 50, glitchesPerMinute: 30 },
      },
      DI2: {
        kind: 'status',
        name: 'Door',
        polarity: 'active-low',
        statusFeature: 15,
        activeText: 'open',
        simulator: { meanToggleSeconds: 20 },
      },
    },
  },
}).inputs;

const clock = new ManualClock(Date.UTC(2026, 4, 4, 8, 0, 0));
const view = memoryConfigView(inputs);
const events: Array<{ name: keyof InputsEvents; payload: unknown }> = [];
const part = new InputsPart({
  log: silentLogger,
  clock,
  config: view,
  createDriver: (_kind, c) => createSimulatedInputs({ ...c, random: seededRandom(3) }),
  events: { emit: (name, payload) => events.push({ name, payload }) },
});
let gateway: ModbusGateway;
let client: RawMbapClient;
let tid = 0;

before(async () => {
  await part.start();
  gateway = createGateway(
    {
      log: silentLogger,
      clock,
      events: new TypedEvents<ModbusEvents>(),
      modbus: memoryConfigView(modbusSection({ enabled: { LO: true }, idleTimeoutMs: 86_400_000 })),
      networks: memoryConfigView({ LO: { addresses: ['127.0.0.1'], description: '' } }),
      identity: TEST_IDENTITY,
      devices: devicesView(),
      createSerialLineTarget,
      createDeviceTarget: () => {
        throw new Error('none');
      },
      digitalInputs: part,
    },
    { portOverride: 0 },
  );
  await gateway.start();
  client = await RawMbapClient.open(gateway.addresses()[0]?.boundPort ?? 0);
});

after(async () => {
  client.close();
  await gateway.stop();
  await part.stop();
});

const h4 = (n: number) => n.toString(16).padStart(4, '0');

/** FC 3 of a row → its data as hex, or the exception PDU as "!xx". */
async function read(r: Row): Promise<string> {
  const answer = await client.ask(adu(++tid, 255, `03 ${h4(r.register - 1)} ${h4(r.count)}`));
  const pdu = answer.slice(14);
  return pdu.startsWith('03') ? pdu.slice(4) : `!${pdu}`;
}

async function write(r: Row, words: readonly number[]): Promise<string> {
  const data = words.map(h4).join('');
  return (
    await client.ask(
      adu(
        ++tid,
        255,
        `10 ${h4(r.register - 1)} ${h4(words.length)} ${(2 * words.length).toString(16).padStart(2, '0')} ${data}`,
      ),
    )
  ).slice(14);
}

const int = (hex: string) => BigInt(`0x${hex}`);
const float = (hex: string) => Buffer.from(hex, 'hex').readFloatBE(0);
const text = (s: string, regs: number) => Buffer.from(s.padEnd(2 * regs, '\0'), 'latin1').toString('hex');

test('the oracle has the two inputs of the reference (1001–1448)', () => {
  assert.equal(rows.length, 62);
  assert.equal(rows[0]?.register, 1001);
  assert.equal(rows.at(-1)?.register, 1429);
});

test('a minute of pulses: counted, glitches filtered, weight, accumulated value and flow; status fields invalid', async (t) => {
  clock.advance(60_000);
  const stats = part.stats().DI1;
  assert.ok(stats, 'DI1 stats');
  assert.ok(stats.counted >= 110 && stats.counted <= 130, `${stats.counted} pulses in 60 s at 2/s`);
  assert.ok(
    stats.tooShort + stats.tooFast > 5,
    `glitches rejected: ${stats.tooShort} short, ${stats.tooFast} fast`,
  );
  t.diagnostic(`DI1 in 60 s at 2/s with 30 glitches/min: ${JSON.stringify(stats)}`);
  assert.equal(await read(find('DI1 validity', 1)), '0001');
  assert.equal(await read(find('DI1 input mode', 1)), '0000', 'pulse');
  assert.equal(
    await read(find('User application name of the device connected on DI1', 1)),
    text('Water main', 20),
  );
  assert.equal(await read(find('Electrical label of the device connected on DI1', 1)), text('WM1', 3));
  assert.equal(float(await read(find('Pulse weight of device connected on DI1', 1))), 10);
  const counted = BigInt(stats.counted);
  assert.equal(int(await read(find('Non-resettable pulse counter on DI1', 1))), counted);
  assert.equal(int(await read(find('Resettable DI1 pulse count', 1))), counted);
  assert.equal(int(await read(find('Metering accumulated value on DI1', 1))), counted * 10n);
  const flow = float(await read(find('Measured flow unit on DI1', 1)));
  assert.ok(flow > 60_000 && flow < 85_000, `flow ${flow} L/h for ~2 pulses/s of 10 L (72 000 L/h)`);
  assert.equal(await read(find('Commodity of device connected to DI1', 1)), '0006', 'water');
  assert.equal(
    await read(find('Feature assigned to digital input', 1)),
    '0031',
    'metering feature 49 (register 1287)',
  );
  assert.equal(await read(find('Measured Flow custom unit for DI1', 1)), text('L/h', 20));
  const opTime = find('Non resettable DI1 operating time', 1);
  assert.equal(await read(opTime), opTime.invalid, 'status-mode field of a pulse input');
  assert.equal(await read(find('Polarity of the Digital Input DI1', 1)), 'ffff');
});

test('FC 16 sets the resettable pulse count; the total is kept; the reset date is now; refusals', async () => {
  const resettable = find('Resettable DI1 pulse count', 1);
  const total = int(await read(find('Non-resettable pulse counter on DI1', 1)));
  assert.equal(await write(resettable, [0, 0, 0, 0]), `10${h4(resettable.register - 1)}0004`);
  assert.equal(int(await read(resettable)), 0n);
  assert.equal(int(await read(find('Non-resettable pulse counter on DI1', 1))), total);
  const date = encodeDateTime(dateTimeFromEpochMs(clock.now())).map(h4).join('');
  assert.equal(await read(find('Date of last reset pulse counter for DI1', 1)), date);
  const sets = events.filter((e) => e.name === 'inputs.counter-set').map((e) => e.payload);
  assert.equal(sets.length, 1);
  assert.deepEqual(
    { ...(sets[0] as object), source: 'x' },
    { input: 'DI1', field: 'pulseCount', value: 0, source: 'x', t: clock.now() },
  );
  assert.match((sets[0] as { source: string }).source, /^127\.0\.0\.1:\d+$/, 'the client, for the audit log');
  assert.equal(
    await write(find('Resettable DI2 pulse count', 2), [0, 0, 0, 0]),
    '9002',
    'DI2 is a status input',
  );
  assert.equal(await write(resettable, [0x8000, 0, 0, 0]), '9003', 'the invalid marker');
  assert.equal(
    await write(find('Non-resettable pulse counter on DI1', 1), [0, 0, 0, 0]),
    '9001',
    'not writable',
  );
  assert.equal(await write(resettable, [0, 0]), '9001', 'half a field');
});

test('a status input: debounced changes, logical level after polarity, activations and active time', async (t) => {
  clock.advance(600_000);
  const changes = events
    .filter((e) => e.name === 'inputs.status')
    .map((e) => e.payload as { logical: 0 | 1; level: 0 | 1 });
  assert.ok(changes.length > 5, `${changes.length} changes in 11 minutes (mean 20 s)`);
  for (const c of changes) assert.equal(c.logical, c.level === 1 ? 0 : 1, 'active-low');
  const activations = changes.filter((c) => c.logical === 1).length;
  assert.equal(int(await read(find('Non resettable DI2 operation counter', 2))), BigInt(activations));
  const active = Number(int(await read(find('Non resettable DI2 operating time', 2))));
  assert.ok(active > 0 && active < 660, `${active} s active`);
  t.diagnostic(`DI2 in 11 min: ${changes.length} changes, ${activations} activations, ${active} s active`);
  assert.equal(await read(find('DI2 input mode', 2)), '0001', 'status');
  assert.equal(await read(find('Polarity of the Digital Input DI2', 2)), '0001');
  assert.equal(await read(find('Features assigned to digital input', 2)), '000f', 'door status');
  const weight2 = find('Pulse weight of device connected on DI2', 2);
  assert.equal(await read(weight2), weight2.invalid, 'pulse field of a status input');
  const ops = find('Resettable DI2 operation counter', 2);
  assert.equal(await write(ops, [0, 5]), `10${h4(ops.register - 1)}0002`);
  assert.equal(int(await read(ops)), 5n);
  assert.equal(
    await write(find('Resettable DI1 operation counter', 1), [0, 0]),
    '9002',
    'DI1 is a pulse input',
  );
});

test('at 20 pulses a second the excess is rejected; an input removed reads invalid', async (t) => {
  const fast = structuredClone(inputs);
  if (fast.channels.DI1)
    fast.channels.DI1.simulator = { ...fast.channels.DI1.simulator, pulsesPerSecond: 20, pulseWidthMs: 30 };
  await view.set(fast);
  const before = part.stats().DI1?.counted ?? 0;
  clock.advance(10_000);
  const s = part.stats().DI1;
  assert.ok(s, 'DI1 stats');
  assert.ok(s.counted - before <= 161, `${s.counted - before} counted in 10 s at 20/s`);
  assert.ok(s.tooFast > 40, `${s.tooFast} too fast`);
  t.diagnostic(`DI1 at 20/s for 10 s: ${JSON.stringify(s)}`);
  await view.set({ ...inputs, channels: { DI2: inputs.channels.DI2 } as InputsConfig['channels'] });
  const v1 = find('DI1 validity', 1);
  assert.equal(await read(v1), v1.invalid);
  assert.equal(await read(find('Non-resettable pulse counter on DI1', 1)), '8000000000000000');
});
