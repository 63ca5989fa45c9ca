// Unit 255 register image and function codes (PRODUCT G11, X1), in-process.
// The wire-level oracle test against Panel_Server.tsv is
// test/integration/modbus-gateway-unit255.test.ts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TEST_IDENTITY as IDENTITY } from '../../test/support/modbus-fixtures.js';
import { decodeRequest, encodeDateTime, hexToBytes } from '../protocol/modbus/index.js';
import { ManualClock } from '../shared/clock.js';
import { silentLogger } from '../shared/logger.js';
import type { TimeSetEvent } from './events.js';
import { GatewayUnit, type GatewayUnitContext } from './gateway-unit.js';
import { formatVersion } from './identity.js';

function makeUnit(over: Partial<GatewayUnitContext> = {}) {
  const clock = new ManualClock(Date.UTC(2026, 2, 14, 15, 9, 26, 535));
  const events: TimeSetEvent[] = [];
  const unit = new GatewayUnit({
    log: silentLogger,
    clock,
    events: { emit: (_name, e) => events.push(e) },
    identity: IDENTITY,
    allowTimeSetting: () => false,
    ...over,
  });
  return { unit, clock, events };
}

async function ask(unit: GatewayUnit, hex: string): Promise<string> {
  const pdu = hexToBytes(hex);
  const d = decodeRequest(pdu);
  assert.ok(d.ok, 'test request must be well formed');
  const request = d.request.kind === 'raw' ? undefined : d.request;
  const signal = new AbortController().signal;
  const out = await unit.handle({ unitId: 255, pdu, request, signal, source: '127.0.0.1:1' });
  return Buffer.from(out).toString('hex');
}

const ascii = (s: string, regs: number) => Buffer.from(s.padEnd(2 * regs, '\0'), 'latin1').toString('hex');

test('formatVersion gives the reference 11-character form and refuses others', () => {
  assert.equal(formatVersion('0.1.0'), '000.001.000');
  assert.equal(formatVersion('1.8.7-rc.1+abc'), '001.008.007');
  assert.equal(formatVersion('001.008.007'), '001.008.007');
  assert.throws(() => formatVersion('1.2'), /identity/);
  assert.throws(() => formatVersion('1000.0.0'), /identity/);
});

test('identity is validated at construction (length, ASCII)', () => {
  assert.throws(() => makeUnit({ identity: { ...IDENTITY, serialNumber: 'X'.repeat(13) } }), /serialNumber/);
  assert.throws(() => makeUnit({ identity: { ...IDENTITY, vendorName: 'Wattgaté' } }), /vendorName/);
});

test('FC 3 reads identity strings NUL-padded at the reference registers', async () => {
  const { unit } = makeUnit();
  assert.equal(await ask(unit, '03 0064 0006'), `030c${ascii('WG2601A1B2C', 6)}`);
  assert.equal(await ask(unit, '03 0078 0006'), `030c${ascii('000.001.000', 6)}`);
  assert.equal(await ask(unit, '03 009f 0010'), `0320${ascii('Wattgate project', 16)}`);
  assert.equal(await ask(unit, '03 f003 0010'), `0320${ascii('Wattgate', 16)}`);
  // absent optional field → the reference's invalid marker (all zero)
  assert.equal(await ask(unit, '03 008e 0010'), `0320${'00'.repeat(32)}`);
});

test('FC 3 reads date/time (DATETIME, UTC) and health from the callbacks', async () => {
  let health: 0 | 1 | 2 = 1;
  const { unit, clock } = makeUnit({ health: () => health });
  // 2026-03-14 15:09:26.535 → year 26, month 3 day 14, 15h 09min, 26535 ms
  assert.equal(await ask(unit, '03 0073 0004'), '0308001a030e0f0967a7');
  assert.equal(await ask(unit, '03 009e 0001'), '03020001');
  health = 2;
  clock.advance(60_000);
  assert.equal(await ask(unit, '03 0073 0004'), '0308001a030e0f0a67a7');
  assert.equal(await ask(unit, '03 009e 0001'), '03020002');
  assert.equal(await ask(unit, '03 0073 0005'), '8302'); // register 120 is a gap
});

test('reads over gaps or beyond the map answer 02 as a whole', async () => {
  const { unit } = makeUnit();
  assert.equal(await ask(unit, '03 003b 0001'), '8302'); // register 60: between vendor URL and ref
  assert.equal(await ask(unit, '03 002a 0013'), '8302'); // 43..61 crosses register 60
  assert.equal(await ask(unit, '03 0000 0001'), '8302'); // register 1
  assert.equal(await ask(unit, '03 07d0 0001'), '8302'); // register 2001
  assert.equal(await ask(unit, '03 046a 0001'), '8302'); // register 1131: DI gap
  assert.equal(await ask(unit, '03 ffff 0001'), '8302');
});

test('wireless list: empty slots are invalid markers; the seam fills slots', async () => {
  const empty = makeUnit().unit;
  assert.equal(await ask(empty, '03 01f4 0005'), `030a${'ffff'.repeat(5)}`);
  const { unit } = makeUnit({ wirelessList: () => [{ rfId: 0x0011223344556677n, virtualId: 100 }] });
  assert.equal(await ask(unit, '03 01f4 000a'), `0314${'0011223344556677'}0064${'ffff'.repeat(5)}`);
  assert.equal(await ask(unit, '03 03e3 0005'), `030a${'ffff'.repeat(5)}`); // slot 100 = 996..1000
});

test('digital inputs report the invalid markers of their types', async () => {
  const { unit } = makeUnit();
  assert.equal(await ask(unit, '03 03e8 0004'), `0308${'ffff'.repeat(4)}`); // 1001..1004 UINT16
  assert.equal(await ask(unit, '03 043e 0002'), '0304ffc00000'); // 1087 Float32
  assert.equal(await ask(unit, '03 0442 0004'), '03088000000000000000'); // 1091 INT64
  assert.equal(await ask(unit, '03 0594 0014'), `0328${'00'.repeat(40)}`); // 1429 ASCII
});

test('FC 100-4 scattered read over the same image, transmission number echoed', async () => {
  const { unit } = makeUnit({ health: () => 0 });
  assert.equal(await ask(unit, '64 06 04 2a 009e 0064'), '6406042a00005747');
  assert.equal(await ask(unit, '64 04 04 07 003b'), 'e402'); // register 60 is unmapped
});

test('FC 43/14: basic, regular, extended and individual access', async () => {
  const { unit } = makeUnit();
  const obj = (id: number, s: string) =>
    `${id.toString(16).padStart(2, '0')}${s.length.toString(16).padStart(2, '0')}${Buffer.from(s).toString('hex')}`;
  const basic = obj(0, 'Wattgate project') + obj(1, 'WG-PS') + obj(2, '000.001.000');
  const regular =
    basic + obj(3, 'https://wattgate.example.org') + obj(4, 'Wattgate panel server') + obj(5, 'Wattgate');
  assert.equal(await ask(unit, '2b 0e 01 00'), `2b0e0182000003${basic}`);
  assert.equal(await ask(unit, '2b 0e 02 00'), `2b0e0282000006${regular}`);
  assert.equal(await ask(unit, '2b 0e 03 00'), `2b0e0382000006${regular}`);
  assert.equal(await ask(unit, '2b 0e 04 05'), `2b0e0482000001${obj(5, 'Wattgate')}`);
  assert.equal(await ask(unit, '2b 0e 04 06'), 'ab02'); // individual access to an absent object
  // stream access from an unknown object id restarts at 0
  assert.equal(await ask(unit, '2b 0e 01 09'), `2b0e0182000003${basic}`);
});

test('FC 43/14 pages with more-follows when the objects exceed one PDU', async () => {
  const productName = 'P'.repeat(200);
  const { unit } = makeUnit({ identity: { ...IDENTITY, productName } });
  const first = await ask(unit, '2b 0e 02 00');
  // header: 2b 0e 02 82, more follows ff, next object 04, 4 objects (0..3)
  assert.equal(first.slice(0, 14), '2b0e0282ff0404');
  const second = await ask(unit, '2b 0e 02 04');
  assert.equal(second.slice(0, 14), '2b0e0282000002');
  assert.ok(second.includes(Buffer.from(productName).toString('hex')));
});

test('FC 16 on 116–119 sets the time only when allowed, and publishes the event', async () => {
  const dt = encodeDateTime({ year: 2027, month: 1, day: 2, hour: 3, minute: 4, millisecond: 5006 });
  const body = dt.map((w) => w.toString(16).padStart(4, '0')).join('');
  const write = `10 0073 0004 08 ${body}`;
  const calls: Array<[number, string]> = [];
  const setTime = (ms: number, source: string) => {
    calls.push([ms, source]);
  };
  const off = makeUnit({ setTime });
  assert.equal(await ask(off.unit, write), '9001');
  let allow = true;
  const noCallback = makeUnit({ allowTimeSetting: () => allow });
  assert.equal(await ask(noCallback.unit, write), '9001');
  const on = makeUnit({ allowTimeSetting: () => allow, setTime });
  assert.equal(await ask(on.unit, write), '1000730004');
  const when = Date.UTC(2027, 0, 2, 3, 4, 5, 6);
  assert.deepEqual(calls, [[when, '127.0.0.1:1']]);
  assert.equal(on.events.length, 1);
  assert.equal(on.events[0]?.epochMs, when);
  assert.equal(on.events[0]?.unitId, 255);
  assert.equal(await ask(on.unit, '10 0073 0004 08 001b 0d01 0000 0000'), '9003'); // month 13
  assert.equal(await ask(on.unit, '10 0073 0002 04 001b 0102'), '9001'); // partial write
  assert.equal(await ask(on.unit, '10 000a 0001 02 4142'), '9001'); // a read-only register
  allow = false;
  assert.equal(await ask(on.unit, write), '9001');
  assert.equal(calls.length, 1);
});

test('a failing setTime maps through exceptionForError', async () => {
  const { unit, events } = makeUnit({
    allowTimeSetting: () => true,
    setTime: () => Promise.reject(new Error('permission denied')),
  });
  assert.equal(await ask(unit, '10 0073 0004 08 001b 0102 0304 1000'), '9004');
  assert.equal(events.length, 0);
});

test('every other function code answers 01', async () => {
  const { unit } = makeUnit();
  for (const hex of ['04 0000 0001', '06 0073 0001', '01 0000 0001', '05 0000 ff00', '08 0000 1234', '11']) {
    const fc = Number.parseInt(hex.slice(0, 2), 16);
    assert.equal(await ask(unit, hex), `${(fc | 0x80).toString(16)}01`, hex);
  }
  assert.equal(await ask(unit, '2b 0d 00'), 'ab01'); // FC 43 other MEI (raw)
  assert.equal(await ask(unit, '64 06 05 00 0000 0000'), 'e401'); // FC 100 other sub-code (raw)
  assert.equal(await ask(unit, '41 01 02'), 'c101'); // unknown code
});
