import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateConfig } from '../config/validate.js';
import { serialLineConfig } from './serial-line-config.js';

test('SERIAL_LINE_DEFAULTS are the schema defaults', () => {
  const cfg = validateConfig({ modbus: { serialLines: [{ name: 'L', path: '/dev/ttyS0' }] } });
  assert.deepEqual(cfg.modbus.serialLines[0], serialLineConfig({ name: 'L', path: '/dev/ttyS0' }));
});
