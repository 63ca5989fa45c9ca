// Unit 255's digital-input registers: the live layout covers exactly the
// registers of the invalid-marker layout (gateway-registers.ts, checked
// against Panel_Server.tsv by test/integration/modbus-gateway-unit255 and
// inputs-unit255), and recognises only whole resettable fields as writes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { digitalInputWords, digitalInputWrite } from './gateway-digital-inputs.js';
import { digitalInputFields } from './gateway-registers.js';

test('no input configured: exactly the invalid-marker layout', () => {
  const live = digitalInputWords({});
  const invalid = digitalInputFields();
  assert.deepEqual(
    live.sort((a, b) => a[0] - b[0]),
    invalid.sort((a, b) => a[0] - b[0]),
  );
});

test('writes: the three resettable fields of each input, whole, non-negative, not the marker', () => {
  assert.deepEqual(digitalInputWrite(1059, [0, 60]), {
    ok: true,
    input: 'DI1',
    field: 'operatingTime',
    value: 60,
  });
  assert.deepEqual(digitalInputWrite(1061, [0, 0]), {
    ok: true,
    input: 'DI2',
    field: 'operatingTime',
    value: 0,
  });
  assert.deepEqual(digitalInputWrite(1077, [0, 3]), {
    ok: true,
    input: 'DI2',
    field: 'operationCount',
    value: 3,
  });
  assert.deepEqual(digitalInputWrite(1111, [0, 0, 0, 7]), {
    ok: true,
    input: 'DI2',
    field: 'pulseCount',
    value: 7,
  });
  assert.deepEqual(digitalInputWrite(1107, [0, 0]), { ok: false, reason: 'not-writable' });
  assert.deepEqual(digitalInputWrite(1099, [0, 0, 0, 0]), { ok: false, reason: 'not-writable' });
  assert.deepEqual(digitalInputWrite(1107, [0x8000, 0, 0, 0]), { ok: false, reason: 'bad-value' });
  assert.deepEqual(digitalInputWrite(1107, [0xffff, 0xffff, 0xffff, 0xffff]), {
    ok: false,
    reason: 'bad-value',
  });
  assert.deepEqual(digitalInputWrite(1059, [0xffff, 0xffff]), { ok: false, reason: 'bad-value' });
});
