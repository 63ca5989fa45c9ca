// The `wireless` and `inputs` configuration sections and the wireless
// devices of `devices.list` (PRODUCT W1–W5, L5, G2): defaults, limits,
// unit-id ownership across wireless, TCP and serial owners (messages naming
// both), unique radio ids, the irreversible permanent disabling, and the
// automatic virtual ids (first free from 100).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { wirelessTransitionErrors } from '../../src/config/rules.js';
import { defaultConfig, validateConfig } from '../../src/config/validate.js';
import { assignVirtualIds, reservedUnitIds } from '../../src/wireless/virtual-ids.js';

/** Wireless device i of `devices.list` (id i + 1); `extra` overrides its fields, `location` merged. */
const dev = (i: number, extra: Record<string, unknown> = {}) => {
  const { location, ...rest } = extra as { location?: Record<string, unknown> };
  return {
    id: i + 1,
    model: 'th110',
    name: `t${i}`,
    location: { kind: 'wireless', rfId: `00124B00000000${i.toString(16).padStart(2, '0')}`, ...location },
    ...rest,
  };
};
const devices = (...list: unknown[]) => ({ devices: { nextId: 1000, list } });
const tcp = (name: string, virtualId: number) => ({
  id: 900,
  name,
  location: { kind: 'tcp', host: '10.0.0.5' },
  virtualId,
});

function errors(input: unknown): Array<{ path: string; message: string }> {
  try {
    validateConfig(input);
    return [];
  } catch (e) {
    return [...(e as { details: Array<{ path: string; message: string }> }).details];
  }
}

test('defaults: radio on with the simulator, discovery 180 s with install codes; no inputs', () => {
  const c = defaultConfig();
  assert.deepEqual(c.wireless, {
    enabled: true,
    permanentlyDisabled: false,
    driver: 'simulator',
    permitJoinSeconds: 180,
    requireInstallCodes: true,
    simulator: { sensors: [] },
  });
  assert.deepEqual(c.inputs, { driver: 'simulator', channels: {} });
  const di = validateConfig({ inputs: { channels: { DI2: { kind: 'pulse' } } } }).inputs.channels.DI2;
  assert.equal(di?.weight, 1);
  assert.equal(di?.usage, 21);
  assert.deepEqual(di?.simulator, {
    pulsesPerSecond: 1,
    pulseWidthMs: 50,
    glitchesPerMinute: 0,
    meanToggleSeconds: 600,
  });
  const w = validateConfig(devices(dev(1))).devices.list[0]?.location;
  assert.equal(w?.kind === 'wireless' ? w.label : undefined, '');
});

test('limits: 100 devices, radio ids and install codes in hex, names of 20 characters, ids 1–247', () => {
  const many = Array.from({ length: 101 }, (_, i) => dev(i));
  assert.ok(
    errors(devices(...many)).some((d) => d.path === '/devices/list' && /101 wireless/.test(d.message)),
  );
  assert.ok(errors(devices(dev(1, { location: { rfId: 'XYZ' } }))).length > 0);
  assert.deepEqual(errors(devices(dev(1, { name: 'x'.repeat(21) }))), [
    {
      path: '/devices/list/0/name',
      message: "a wireless device's name has at most 20 characters (register 31001)",
    },
  ]);
  assert.ok(errors(devices(dev(1, { virtualId: 255 }))).length > 0);
  assert.ok(errors(devices(dev(1, { virtualId: 0 }))).length > 0);
  assert.deepEqual(errors(devices(dev(1, { model: undefined }))), [
    { path: '/devices/list/0/model', message: 'a wireless device needs the model of its family' },
  ]);
  const sensor = { rfId: '00124B0000000001', model: 'th110', installCode: '12' };
  assert.ok(errors({ wireless: { simulator: { sensors: [sensor] } } }).length > 0);
  assert.ok(errors({ inputs: { channels: { DI3: { kind: 'pulse' } } } }).length > 0);
  assert.ok(errors({ inputs: { channels: { DI1: { kind: 'pulse', weight: 0 } } } }).length > 0);
});

test('G2: a wireless virtual id shared with a TCP device or a serial slave is refused, naming both', () => {
  const e1 = errors(devices(dev(1, { virtualId: 120 }), tcp('meter', 120)));
  assert.deepEqual(e1, [
    {
      path: '/devices/list/1/virtualId',
      message:
        'unit id 120 has two owners: wireless device "t1" (virtual id) at /devices/list/0/virtualId and TCP device "meter" (virtual id); each unit id must have exactly one owner',
    },
  ]);
  const line = { name: 'rs485', path: '/dev/ttyS0', unitIds: [7] };
  const e2 = errors({ ...devices(dev(1, { virtualId: 7 })), modbus: { serialLines: [line] } });
  assert.equal(e2[0]?.path, '/modbus/serialLines/0/unitIds/0');
  assert.match(e2[0]?.message ?? '', /wireless device "t1".*serial line "rs485"/);
  const e3 = errors(devices(dev(1, { virtualId: 9 }), dev(2, { virtualId: 9 })));
  assert.match(
    e3[0]?.message ?? '',
    /unit id 9 has two owners: wireless device "t1".* and wireless device "t2"/,
  );
});

test('radio ids are unique among paired devices and among simulated sensors', () => {
  const e = errors(devices(dev(1), dev(1, { name: 'other', id: 7 })));
  assert.deepEqual(
    e.map((d) => d.path),
    ['/devices/list/1/location'],
  );
  const s = { rfId: '00124b0000000001', model: 'th110' };
  const e2 = errors({ wireless: { simulator: { sensors: [s, { ...s, rfId: s.rfId.toUpperCase() }] } } });
  assert.deepEqual(
    e2.map((d) => d.path),
    ['/wireless/simulator/sensors/1/rfId'],
  );
});

test('W5: permanently disabled cannot be turned back off', () => {
  const off = validateConfig({ wireless: { permanentlyDisabled: true } });
  const on = defaultConfig();
  assert.deepEqual(wirelessTransitionErrors(off, on), [
    {
      path: '/wireless/permanentlyDisabled',
      message: 'wireless was permanently disabled: this cannot be undone',
    },
  ]);
  assert.deepEqual(wirelessTransitionErrors(on, off), []);
  assert.deepEqual(wirelessTransitionErrors(off, off), []);
});

test('automatic virtual ids: first free from 100, skipping owned ids, then 1–99; configured ids kept', () => {
  const cfg = validateConfig({
    modbus: { serialLines: [{ name: 'l', path: '/dev/ttyS0', unitIds: [102, 5] }] },
    ...devices(tcp('m', 100)),
  });
  const reserved = reservedUnitIds(cfg.modbus, cfg.devices);
  assert.deepEqual(
    [...reserved].sort((a, b) => a - b),
    [5, 100, 102, 255],
  );
  assert.deepEqual(assignVirtualIds([{}, { virtualId: 103 }, {}, {}], reserved), [101, 103, 104, 105]);
  const full = new Set(Array.from({ length: 148 }, (_, i) => 100 + i));
  assert.deepEqual(assignVirtualIds([{}, {}], full), [1, 2]);
  const all = new Set(Array.from({ length: 255 }, (_, i) => i + 1));
  assert.deepEqual(assignVirtualIds([{}], all), [undefined]);
});
