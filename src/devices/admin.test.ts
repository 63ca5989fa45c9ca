import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  assertValidModel,
  modelList,
  TEST_METER,
  TEST_SENSOR,
  wideModel,
} from '../../test/support/models.js';
import { validateConfig } from '../config/validate.js';
import { ErrorCodes, hasCode } from '../shared/errors.js';
import { addDevice, removeDevice, updateDevice } from './admin.js';
import { buildRuntime, seriesOf } from './registry.js';
import { parseSeriesId, reducedId, seriesId } from './series-id.js';

const models = modelList([TEST_METER, TEST_SENSOR]);
const tcp = (unit: number) => ({ kind: 'tcp', host: '10.0.0.5', port: 502, unit, timeoutMs: 1000 }) as const;

test('the fixture models are valid per the model schema', () => {
  for (const m of [TEST_METER, TEST_SENSOR, wideModel(100)]) assertValidModel(m);
});

test('series ids: modbus:<id>_mb_<key>, parsed back; reduced id <id>_mb', () => {
  assert.equal(seriesId(1, 'VAB'), 'modbus:1_mb_VAB');
  assert.equal(reducedId(10), '10_mb');
  assert.deepEqual(parseSeriesId('modbus:12_mb_E_Act2'), { deviceId: 12, key: 'E_Act2' });
  for (const bad of ['modbus:0_mb_X', 'modbus:1_mb_', 'modbus:1_mb_9x', 'zd:1_mb_X', 'modbus:01_mb_X']) {
    assert.equal(parseSeriesId(bad), undefined, bad);
  }
});

test('ids come from nextId and are never reused; a rename keeps the series ids', () => {
  let cfg = validateConfig({}).devices;
  const a = addDevice(cfg, { name: 'Main', model: 'test-meter', location: tcp(1) }, models);
  cfg = a.next;
  const b = addDevice(cfg, { name: 'Lights', model: 'test-meter', location: tcp(2) }, models);
  cfg = b.next;
  assert.deepEqual([a.id, b.id, cfg.nextId], [1, 2, 3]);
  cfg = removeDevice(cfg, 2);
  const c = addDevice(cfg, { name: 'Heating', model: 'test-meter', location: tcp(2) }, models);
  assert.equal(c.id, 3, 'a removed id is not given again');
  const full = validateConfig({ devices: c.next });
  const before = buildRuntime(full.devices.list[0] as never, models);
  const renamed = updateDevice(full.devices, 1, { name: 'Incomer' }, models);
  const after = buildRuntime(validateConfig({ devices: renamed }).devices.list[0] as never, models);
  assert.equal(after.config.name, 'Incomer');
  assert.deepEqual(after.seriesIds, before.seriesIds);
  assert.equal(seriesOf(after, 'VAB'), 'modbus:1_mb_VAB');
});

test('unknown models and measurement keys are refused with the path; measurements: null → default selection', () => {
  const cfg = validateConfig({}).devices;
  assert.throws(
    () => addDevice(cfg, { name: 'X', model: 'nope', location: tcp(1) }, models),
    (e) => hasCode(e, ErrorCodes.INVALID_ARGUMENT) && e.details[0]?.path === '/model',
  );
  assert.throws(
    () =>
      addDevice(
        cfg,
        { name: 'X', model: 'test-meter', location: tcp(1), measurements: ['VAB', 'Nope'] },
        models,
      ),
    (e) => hasCode(e, ErrorCodes.INVALID_ARGUMENT) && e.details[0]?.path === '/measurements/1',
  );
  const { next } = addDevice(
    cfg,
    { name: 'X', model: 'test-meter', location: tcp(1), measurements: ['VAB'] },
    models,
  );
  const back = updateDevice(next, 1, { measurements: null }, models);
  assert.equal(back.list[0]?.measurements, undefined);
  assert.throws(
    () => updateDevice(next, 99, { name: 'Y' }, models),
    (e) => hasCode(e, ErrorCodes.NOT_FOUND),
  );
});

test('default selection: everything but identity texts and settings; live plan: everything but settings', () => {
  const d = buildRuntime(
    validateConfig({
      devices: { nextId: 2, list: [{ id: 1, name: 'm', model: 'test-meter', location: tcp(1) }] },
    }).devices.list[0] as never,
    models,
  );
  assert.deepEqual(
    d.measurements.map((c) => c.key),
    ['VAB', 'VBC', 'VCA', 'VAN', 'VBN', 'VCN', 'F', 'EAct', 'PTot', 'Status'],
  );
  const live = d.livePlan.flatMap((r) => r.items.map((i) => i.c.key));
  assert.ok(live.includes('Model') && !live.includes('CtRatio'));
  assert.equal(d.problem, undefined);
});
