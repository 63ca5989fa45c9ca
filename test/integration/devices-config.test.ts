/**
 * The `devices` and `acquisition` configuration sections (src/config/
 * schema-devices.ts) and their cross-field rules (src/config/rules.ts): ids
 * unique and below nextId, names and locations unique, serial locations name
 * an existing line, the configurable device limit (default 128, the
 * reference's); defaults filled; a version-1 document written before these
 * sections existed still imports.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigStore } from '../../src/config/store.js';
import { validateConfig } from '../../src/config/validate.js';
import { openDatabase } from '../../src/db/database.js';
import { ErrorCodes, hasCode, type WattgateError } from '../../src/shared/errors.js';

const tcp = (unit: number, host = '10.0.0.5') => ({ kind: 'tcp', host, unit });
const dev = (id: number, name: string, location: unknown) => ({ id, name, model: 'test-meter', location });
const line = { name: 'RS485-1', path: '/dev/ttyS1', unitIds: [1, 2] };

function problems(input: unknown): Array<{ path: string; message: string }> {
  try {
    validateConfig(input);
    return [];
  } catch (e) {
    assert.ok(hasCode(e, ErrorCodes.INVALID_CONFIG), String(e));
    return [...(e as WattgateError).details];
  }
}

test('defaults: an empty devices list, nextId 1, the reference limit of 128; a device gets its defaults', () => {
  const cfg = validateConfig({ devices: { nextId: 2, list: [dev(1, 'Main', tcp(1))] } });
  assert.equal(cfg.acquisition.maxDevices, 128);
  assert.equal(cfg.acquisition.maxGapRegisters, 10);
  assert.deepEqual(cfg.devices.list[0], {
    id: 1,
    name: 'Main',
    model: 'test-meter',
    enabled: true,
    location: { kind: 'tcp', host: '10.0.0.5', port: 502, unit: 1, timeoutMs: 1000, oneInFlight: false },
    usage: 'none',
    zone: '',
    commodity: 'electricity',
    periodMinutes: 15,
  });
  assert.deepEqual(validateConfig({}).devices, { nextId: 1, list: [] });
});

test('rules: ids unique and below nextId, names unique, locations unique, serial line exists', () => {
  const got = problems({
    modbus: { serialLines: [line] },
    devices: {
      nextId: 5,
      list: [
        dev(1, 'A', tcp(1)),
        dev(1, 'B', tcp(2)),
        dev(7, 'C', tcp(3)),
        dev(2, 'A', tcp(4)),
        dev(3, 'D', { kind: 'tcp', host: '10.0.0.5', port: 502, unit: 1 }),
        dev(4, 'E', { kind: 'serial', line: 'RS485-9', slave: 3 }),
      ],
    },
  });
  const paths = got.map((d) => d.path).sort();
  assert.deepEqual(paths, [
    '/devices/list/1/id',
    '/devices/list/2/id',
    '/devices/list/3/name',
    '/devices/list/4/location',
    '/devices/list/5/location/line',
  ]);
  assert.match(got.find((d) => d.path === '/devices/list/2/id')?.message ?? '', /below \/devices\/nextId/);
});

test('the same slave address on two lines is two places; the same place twice is refused', () => {
  const lines = [line, { name: 'RS485-2', path: '/dev/ttyS2', unitIds: [3] }];
  const ok = problems({
    modbus: { serialLines: lines },
    devices: {
      nextId: 3,
      list: [
        dev(1, 'A', { kind: 'serial', line: 'RS485-1', slave: 5 }),
        dev(2, 'B', { kind: 'serial', line: 'RS485-2', slave: 5 }),
      ],
    },
  });
  assert.deepEqual(ok, []);
  const twice = problems({
    modbus: { serialLines: lines },
    devices: {
      nextId: 3,
      list: [
        dev(1, 'A', { kind: 'serial', line: 'RS485-1', slave: 5 }),
        dev(2, 'B', { kind: 'serial', line: 'RS485-1', slave: 5 }),
      ],
    },
  });
  assert.deepEqual(
    twice.map((d) => d.path),
    ['/devices/list/1/location'],
  );
});

test('the device limit is configurable: 129 devices need acquisition.maxDevices ≥ 129', () => {
  const list = Array.from({ length: 129 }, (_, i) =>
    dev(i + 1, `d${i}`, tcp(i % 250, `10.0.${i >> 8}.${i & 255}`)),
  );
  const over = problems({ devices: { nextId: 200, list } });
  assert.deepEqual(
    over.map((d) => d.path),
    ['/devices/list'],
  );
  assert.deepEqual(problems({ devices: { nextId: 200, list }, acquisition: { maxDevices: 1000 } }), []);
});

test('schema: periods 1/5/10/15/20/30/60 min only; usage and commodity from their lists', () => {
  const bad = problems({
    devices: {
      nextId: 2,
      list: [{ ...dev(1, 'A', tcp(1)), periodMinutes: 7, usage: 'spa', commodity: 'beer' }],
    },
  });
  assert.deepEqual(bad.map((d) => d.path).sort(), [
    '/devices/list/0/commodity',
    '/devices/list/0/periodMinutes',
    '/devices/list/0/usage',
  ]);
});

test('a version-1 document from before the devices section imports, with the defaults', () => {
  const db = openDatabase({ path: ':memory:', profile: 'durable' });
  try {
    const store = ConfigStore.open(db);
    store.importDocument({
      format: 'wattgate-config',
      version: 1,
      config: { system: { name: 'Old export' }, modbus: { serialLines: [line] } },
    });
    assert.equal(store.get().system.name, 'Old export');
    assert.deepEqual(store.get().devices, { nextId: 1, list: [] });
    store.update('devices', {
      nextId: 2,
      list: [dev(1, 'Main', { kind: 'serial', line: 'RS485-1', slave: 1 })],
    });
    const doc = store.exportDocument();
    assert.equal(doc.version, 2);
    assert.equal(doc.config.devices.list[0]?.name, 'Main');
  } finally {
    db.close();
  }
});
