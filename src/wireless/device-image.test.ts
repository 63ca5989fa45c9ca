// The virtual servers' register images come from the model files only:
// every built-in model (the wireless families and the generic meters) is
// mapped register for register, holds its invalid markers before any value,
// and encodes values exactly as the independent model-driven simulator does
// (sim/devices/model-bank.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeMeasurement, SIM_INVALID } from '../../sim/devices/model-bank.js';
import { plausibleValue, seededRandom } from '../../sim/devices/values.js';
import { ModelCatalog } from '../devices/models/index.js';
import { dateTimeToEpochMs, registerCount } from '../protocol/modbus/index.js';
import { DeviceImage } from './device-image.js';

const catalog = ModelCatalog.open();

test('every built-in model: mapped registers, markers first, values encoded like the simulator', () => {
  const random = seededRandom(8);
  let checked = 0;
  for (const model of catalog.list()) {
    const image = new DeviceImage(model);
    for (const m of model.measurements) {
      const n = m.type === 'string' ? (m.registers ?? 1) : registerCount({ type: m.type });
      const table = m.table ?? 'holding';
      const words = image.read(table, m.address, n);
      assert.ok(words, `${model.id}.${m.key} mapped`);
      if (m.overlap !== true) {
        const expected = (() => {
          try {
            return encodeMeasurement(m, SIM_INVALID);
          } catch {
            return new Array<number>(n).fill(0); // no marker: zeros
          }
        })();
        assert.deepEqual(words, expected, `${model.id}.${m.key} starts invalid`);
      }
      const v = plausibleValue(m, random);
      const value = typeof v === 'object' ? dateTimeToEpochMs(v) : v;
      if (value === null) continue;
      assert.ok(image.set(m.key, value), `${model.id}.${m.key} encodable`);
      assert.deepEqual(image.read(table, m.address, n), encodeMeasurement(m, v), `${model.id}.${m.key}`);
      checked++;
    }
    assert.equal(image.read('holding', 0xfffe, 2), undefined, 'unmapped registers');
  }
  assert.ok(checked > 900, `${checked} measurements checked`);
});

test('set(null) writes the marker; unencodable values write it too; writable() tiles whole rw measurements', () => {
  const model = catalog.require('pte63-powertag-a9');
  const image = new DeviceImage(model);
  assert.equal(image.set('PTot', 1234.5), true);
  assert.deepEqual(image.read('holding', 3059, 2), [0x449a, 0x5000]);
  assert.equal(image.get('PTot'), 1234.5);
  assert.equal(image.set('PTot', null), true);
  assert.deepEqual(image.read('holding', 3059, 2), [0xffc0, 0]);
  assert.equal(image.set('VirtAddr', 70000), false, 'out of UINT16');
  assert.deepEqual(image.read('holding', 31025, 1), [0xffff]);
  assert.equal(image.set('NoSuchKey', 1), false);
  assert.deepEqual(
    image.writable(3259, 4)?.map((c) => c.key),
    ['EActDelRecPartSet'],
  );
  assert.deepEqual(
    image.writable(3259, 12)?.map((c) => c.key),
    undefined,
    'the registers between two rw measurements are read-only',
  );
  assert.equal(image.writable(3255, 4), undefined, 'read-only counter');
  assert.equal(image.writable(3259, 2), undefined, 'half a measurement');
  assert.equal(image.hasInputTable, false);
});
