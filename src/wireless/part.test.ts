// The wireless Part on the simulator radio, with a manual clock (PRODUCT
// W2–W5): status rule, disabling, permanent disabling, discovery with install
// codes, virtual ids, removal, and the virtual servers' function codes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startWirelessHarness } from '../../sim/wireless/harness.js';
import type { UnitTarget } from '../modbus/target.js';
import { decodeRequest, encodeRequest, type ModbusRequest } from '../protocol/modbus/index.js';
import { ManualClock } from '../shared/clock.js';
import { ErrorCodes, hasCode } from '../shared/errors.js';
import { LOST_AFTER_PERIODS } from './device.js';

const TAG = '00124B0000000001';
const CO2 = '00124B0000000002';
const TH = '00124B0000000003';
const start = () => new ManualClock(Date.UTC(2026, 2, 10, 10, 0, 0));

async function ask(target: UnitTarget | undefined, req: ModbusRequest, unitId = 100): Promise<string> {
  assert.ok(target, 'a virtual server');
  const pdu = encodeRequest(req);
  const d = decodeRequest(pdu);
  assert.ok(d.ok);
  const request = d.request.kind === 'raw' ? undefined : d.request;
  const out = await target.handle({
    unitId,
    pdu,
    request,
    signal: new AbortController().signal,
    source: 't',
  });
  return Buffer.from(out).toString('hex');
}
const read = (address: number, quantity: number): ModbusRequest => ({
  kind: 'read-registers',
  fc: 3,
  address,
  quantity,
});

const paired = [
  { rfId: TAG, model: 'pte63-powertag-a9', name: 'Lighting', label: 'Q1' },
  { rfId: CO2, model: 'co2-sensor', name: 'Room CO2', label: '' },
];
const sensors = [
  { rfId: TAG, model: 'pte63-powertag-a9' },
  { rfId: CO2, model: 'co2-sensor' },
  { rfId: TH, model: 'th110', installCode: '0123456789ABCDEF0123456789ABCDEFE7B8' },
];

test(`status: connected from the first frame, not connected ${LOST_AFTER_PERIODS} periods after the last`, async () => {
  const clock = start();
  const h = await startWirelessHarness({ clock, paired, wireless: { simulator: { sensors } } });
  const tag = () => h.part.devices()[0];
  assert.equal(tag()?.status, 'not-connected', 'before any frame');
  clock.advance(5000);
  assert.equal(tag()?.status, 'connected');
  assert.deepEqual(h.part.list(), [
    { rfId: 0x00124b0000000001n, virtualId: 100 },
    { rfId: 0x00124b0000000002n, virtualId: 101 },
  ]);
  h.radio.sensor(TAG)?.disconnect();
  const last = tag()?.lastSeen ?? 0;
  clock.advance(last + LOST_AFTER_PERIODS * 5000 - clock.now());
  assert.equal(tag()?.status, 'connected', 'at exactly k periods');
  clock.advance(2);
  assert.equal(tag()?.status, 'not-connected');
  const server = h.part.targets().get(100);
  assert.equal(await ask(server, read(3059, 2)), '0304ffc00000', 'PTot invalid');
  assert.equal(await ask(server, read(3203, 4)), '03088000000000000000', 'energy invalid');
  assert.equal(await ask(server, read(31144, 2)), '030400000000', 'RfValid 0, CommOk 0');
  assert.match(await ask(server, read(31060, 16)), /^0320/, 'identification kept');
  assert.deepEqual(
    h
      .of('wireless.status')
      .filter((e) => e.rfId === TAG)
      .map((e) => e.status),
    ['connected', 'not-connected'],
  );
  h.radio.sensor(TAG)?.reconnect();
  clock.advance(5000);
  assert.equal(tag()?.status, 'connected');
  assert.notEqual(await ask(server, read(3059, 2)), '0304ffc00000');
  await h.part.stop();
});

test('disabled (W5): radio off, devices not connected after their period, writes 0x0A; enabled again: back', async () => {
  const clock = start();
  const h = await startWirelessHarness({ clock, paired, wireless: { simulator: { sensors } } });
  clock.advance(130_000);
  assert.deepEqual(
    h.part.devices().map((d) => d.status),
    ['connected', 'connected'],
  );
  await h.wireless.set({ ...h.wireless.get(), enabled: false });
  assert.equal(h.part.radioOn, false);
  await assert.rejects(h.part.permitJoin(), { code: 'WG_ERR_UNAVAILABLE' });
  const write: ModbusRequest = {
    kind: 'write-multiple-registers',
    fc: 16,
    address: 3259,
    values: [0, 0, 0, 0],
  };
  await assert.rejects(ask(h.part.targets().get(100), write), { code: 'WG_ERR_UNAVAILABLE' });
  clock.advance(LOST_AFTER_PERIODS * 5000 + 5000);
  assert.deepEqual(
    h.part.devices().map((d) => d.status),
    ['not-connected', 'connected'],
    'the 5 s tag is lost, the 120 s CO2 sensor not yet',
  );
  clock.advance(LOST_AFTER_PERIODS * 120_000);
  assert.deepEqual(
    h.part.devices().map((d) => d.status),
    ['not-connected', 'not-connected'],
  );
  await h.wireless.set({ ...h.wireless.get(), enabled: true });
  clock.advance(120_000);
  assert.deepEqual(
    h.part.devices().map((d) => d.status),
    ['connected', 'connected'],
  );
  await h.part.stop();
});

test('permanently disabled (W5): latched, the radio never starts again', async () => {
  const clock = start();
  let latched = false;
  const latch = {
    isSet: () => latched,
    set: () => {
      latched = true;
    },
  };
  const h = await startWirelessHarness({
    clock,
    latch,
    paired,
    wireless: { simulator: { sensors } },
  });
  await h.wireless.set({ ...h.wireless.get(), permanentlyDisabled: true });
  assert.equal(latched, true);
  assert.equal(h.part.radioOn, false);
  await h.wireless.set({ ...h.wireless.get(), permanentlyDisabled: false, enabled: true });
  assert.equal(h.part.radioOn, false, 'the configuration cannot undo it');
  await h.part.stop();
  const again = await startWirelessHarness({
    clock,
    latch,
    paired,
    wireless: { simulator: { sensors } },
  });
  assert.equal(again.part.radioOn, false, 'nor a restart: the latch is outside the settings');
  await again.part.stop();
});

test('discovery (W2, W3): joins only while open, install codes, first free id from 100, unknown flagged', async () => {
  const clock = start();
  const h = await startWirelessHarness({
    clock,
    wireless: { simulator: { sensors } },
    devices: [{ id: 50, name: 'm', location: { kind: 'tcp', host: '127.0.0.1' }, virtualId: 100 }],
  });
  clock.advance(120_000);
  assert.deepEqual(h.part.list(), [], 'nothing joins while discovery is closed');
  assert.deepEqual(
    h.part
      .unknownDevices()
      .map((u) => [u.rfId, u.reason])
      .sort(),
    [
      [TAG, 'not-permitted'],
      [CO2, 'not-permitted'],
      [TH, 'not-permitted'],
    ],
  );
  await h.part.permitJoin({ durationS: 180 });
  assert.equal(h.part.discovery.open, true);
  clock.advance(125_000);
  await new Promise((r) => setImmediate(r));
  const cfg = h.paired();
  assert.deepEqual(
    cfg.map((d) => [d.rfId, d.model, d.virtualId]),
    [
      [TAG, 'pte63-powertag-a9', 101],
      [CO2, 'co2-sensor', 102],
    ],
    'id 100 belongs to a TCP device; the TH110 needs its install code',
  );
  assert.equal(h.part.unknownDevices()[0]?.reason, 'install-code');
  const typo = '0123456789ABCDEF0123456789ABCDEFE7B9';
  await assert.rejects(
    h.part.permitJoin({ installCodes: [{ code: typo }] }),
    (e: unknown) =>
      hasCode(e, ErrorCodes.INVALID_ARGUMENT) &&
      e.message.includes(typo) &&
      /checksum/.test(e.message) &&
      e.details[0]?.path === '/installCodes/0/code',
  );
  // As printed on a label: groups, dashes, lower case.
  await h.part.permitJoin({ installCodes: [{ code: '0123-4567-89ab-cdef 0123 4567 89ab cdef e7b8' }] });
  clock.advance(60_000);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(
    h.paired().map((d) => d.virtualId),
    [101, 102, 103],
  );
  assert.deepEqual(h.part.unknownDevices(), []);
  assert.deepEqual(
    h.of('wireless.paired').map((e) => [e.rfId, e.actor]),
    [
      [TAG, 'discovery'],
      [CO2, 'discovery'],
      [TH, 'discovery'],
    ],
  );
  clock.advance(181_000);
  assert.equal(h.part.discovery.open, false, 'closes by itself');
  await h.part.stop();
});

test('remove (W4): the device leaves the network and the configuration; rebuild forgets all and rediscovers', async () => {
  const clock = start();
  const h = await startWirelessHarness({ clock, paired, wireless: { simulator: { sensors } } });
  clock.advance(130_000);
  await h.part.remove(CO2, { actor: 'admin' });
  assert.deepEqual(
    h.paired().map((d) => d.rfId),
    [TAG],
  );
  assert.equal(h.part.targets().has(101), false);
  assert.deepEqual(
    h.of('wireless.removed').map((e) => [e.rfId, e.virtualId, e.actor]),
    [[CO2, 101, 'admin']],
  );
  await assert.rejects(h.part.remove(CO2, { actor: 'admin' }), { code: 'WG_ERR_NOT_FOUND' });
  await h.part.rebuildNetwork({ actor: 'admin' });
  assert.deepEqual(h.paired(), []);
  assert.equal(h.part.discovery.open, true, 'rebuild opens discovery');
  await h.part.stop();
});

test('targets follow the configuration; configured ids are kept; listeners hear every change', async () => {
  const clock = start();
  const h = await startWirelessHarness({ clock, paired, wireless: { simulator: { sensors } } });
  let changes = 0;
  h.part.onTargetsChanged(() => changes++);
  assert.deepEqual([...h.part.targets().keys()], [100, 101]);
  const [tag, co2] = paired as [(typeof paired)[0], (typeof paired)[0]];
  await h.setPaired([{ ...co2, virtualId: 7 }, tag]);
  assert.deepEqual([...h.part.targets().keys()], [7, 100]);
  assert.equal(changes, 1);
  await h.setPaired([{ ...co2, virtualId: 7, name: 'Renamed' }]);
  assert.deepEqual([...h.part.targets().keys()], [7]);
  assert.equal(changes, 2);
  clock.advance(120_000);
  const name = Buffer.from('Renamed'.padEnd(20, '\0'), 'latin1').toString('hex');
  assert.equal(
    await ask(h.part.targets().get(7), read(31000, 10), 7),
    `0314${name}`,
    'DevName, register 31001',
  );
  await h.part.stop();
});

test('virtual server: FC 3, 100-4, 43/14, FC 16 reset through the radio, exceptions 01/02/03/0x0B', async () => {
  const clock = start();
  const h = await startWirelessHarness({ clock, paired, wireless: { simulator: { sensors } } });
  clock.advance(130_000);
  const s = h.part.targets().get(100);
  const part = await ask(s, read(3255, 4));
  assert.equal(part.slice(0, 4), '0308');
  const scattered = await ask(s, {
    kind: 'vendor-read-scattered',
    fc: 0x64,
    transmissionNumber: 9,
    addresses: [3059, 3060],
  });
  assert.match(scattered, /^6406040[9]/);
  const ident = await ask(s, { kind: 'read-device-identification', fc: 0x2b, readCode: 1, objectId: 0 });
  assert.ok(Buffer.from(ident, 'hex').includes(Buffer.from('Wattgate simulator')));
  assert.ok(/A9MEM15[2-7]\d/.test(Buffer.from(ident, 'hex').toString('latin1')), 'commercial reference');
  const reset = {
    kind: 'write-multiple-registers',
    fc: 16,
    address: 3259,
    values: [0, 0, 0, 0],
  } satisfies ModbusRequest;
  assert.equal(await ask(s, reset), '100cbb0004');
  assert.equal(await ask(s, read(3255, 4)), '03080000000000000000', 'partial energy back to 0 at once');
  assert.equal(await ask(s, read(3259, 4)), '03080000000000000000', 'the set register reads 0');
  assert.equal(await ask(s, { ...reset, address: 3255 }), '9002', 'read-only counter');
  assert.equal(await ask(s, { ...reset, values: [0x8000, 0, 0, 0] }), '9003', 'invalid marker');
  assert.equal(
    await ask(s, { ...reset, values: [0xffff, 0xffff, 0xffff, 0xffff] }),
    '9003',
    'negative energy',
  );
  assert.equal(await ask(s, { kind: 'write-single-register', fc: 6, address: 3259, value: 0 }), '8601');
  assert.equal(await ask(s, { kind: 'read-registers', fc: 4, address: 3059, quantity: 2 }), '8401');
  assert.equal(await ask(s, read(3005, 2)), '8302', 'a gap of the map');
  h.radio.sensor(TAG)?.disconnect();
  clock.advance(LOST_AFTER_PERIODS * 5000 + 5000);
  await assert.rejects(ask(s, reset), { code: 'WG_ERR_TIMEOUT' });
  await h.part.stop();
});
