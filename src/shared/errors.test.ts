import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorCodes, hasCode, isInvalidConfig, isTimeout, isWattgateError, WattgateError } from './errors.js';

test('codes are stable WG_ERR_ strings and unique', () => {
  const codes = Object.values(ErrorCodes);
  assert.equal(new Set(codes).size, codes.length);
  for (const c of codes) assert.match(c, /^WG_ERR_[A-Z_]+$/);
});

test('guards match on code, not message; JSON has no stack', () => {
  const cause = new Error('inner');
  const e = new WattgateError(ErrorCodes.INVALID_CONFIG, 'bad', {
    cause,
    details: [{ path: '/modbus/server/port', message: 'must be <= 65535' }],
  });
  assert.ok(isWattgateError(e) && isInvalidConfig(e));
  assert.equal(isTimeout(e), false);
  assert.ok(hasCode(e, 'WG_ERR_INVALID_CONFIG'));
  assert.ok(!hasCode(new Error('WG_ERR_INVALID_CONFIG'), 'WG_ERR_INVALID_CONFIG'));
  assert.equal(e.cause, cause);
  assert.deepEqual(JSON.parse(JSON.stringify(e)), {
    code: 'WG_ERR_INVALID_CONFIG',
    message: 'bad',
    details: [{ path: '/modbus/server/port', message: 'must be <= 65535' }],
  });
  assert.deepEqual(new WattgateError(ErrorCodes.TIMEOUT, 't').toJSON(), {
    code: 'WG_ERR_TIMEOUT',
    message: 't',
  });
});
