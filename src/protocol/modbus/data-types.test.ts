import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { hasCode } from '../../shared/errors.js';
import { hexToBytes } from './bytes.js';
import { dateTimeFromEpochMs, dateTimeToEpochMs, decodeDateTime, isValidDateTime } from './data-datetime.js';
import {
  DATA_TYPE_NAMES,
  DataTypes,
  decodeValue,
  decodeValueFromBytes,
  encodeValue,
  encodeValueToBytes,
  isInvalid,
  registerCount,
} from './data-types.js';

describe('data-type table', () => {
  test('register counts', () => {
    const counts = Object.fromEntries(
      DATA_TYPE_NAMES.filter((t) => t !== 'string').map((t) => [t, registerCount({ type: t })]),
    );
    assert.deepEqual(counts, {
      int16: 1,
      uint16: 1,
      int32: 2,
      uint32: 2,
      int64: 4,
      uint64: 4,
      float32: 2,
      float64: 4,
      bitmap16: 1,
      bitmap32: 2,
      datetime: 4,
    });
    assert.equal(registerCount({ type: 'string', registers: 16 }), 16);
    assert.throws(
      () => registerCount({ type: 'string' }),
      (e) => hasCode(e, 'WG_ERR_INVALID_ARGUMENT'),
    );
    assert.equal(DataTypes.datetime.reference, 'DATE-TIME');
  });
});

describe('reference examples (Modbus_Tables.tsv)', () => {
  test('INT64 energy in registers 3208–3211 = 0, 0, 0x0017, 0x9692 → 1545874 Wh', () => {
    assert.equal(decodeValue({ type: 'int64' }, [0, 0, 0x17, 0x9692]), 1545874n);
  });
  test('Float32 -1.5 = 0xBFC00000', () => {
    assert.equal(decodeValue({ type: 'float32' }, [0xbfc0, 0x0000]), -1.5);
    assert.deepEqual(encodeValue({ type: 'float32' }, -1.5), [0xbfc0, 0]);
  });
  test('invalid markers', () => {
    assert.ok(isInvalid({ type: 'float32' }, [0xffc0, 0x0000]));
    assert.ok(isInvalid({ type: 'int64' }, [0x8000, 0, 0, 0]));
    assert.ok(isInvalid({ type: 'uint64' }, [0xffff, 0xffff, 0xffff, 0xffff]));
    assert.ok(isInvalid({ type: 'uint16' }, [0xffff]));
    assert.ok(isInvalid({ type: 'uint32' }, [0xffff, 0xffff]));
    assert.ok(isInvalid({ type: 'datetime' }, [0xffff, 0xffff, 0xffff, 0xffff]));
    assert.ok(isInvalid({ type: 'string', registers: 6 }, [0, 0, 0, 0, 0, 0]));
    assert.ok(isInvalid({ type: 'int64', wordOrder: 'little' }, [0, 0, 0, 0x8000]));
    assert.ok(!isInvalid({ type: 'int64' }, [0, 0, 0, 0x8000]));
    assert.ok(!isInvalid({ type: 'uint16' }, [0xfffe]));
    assert.ok(!isInvalid({ type: 'bitmap16' }, [0]), 'bitmap 0 = no alarm, not invalid by default');
    assert.ok(isInvalid({ type: 'bitmap16' }, [0], [0]), 'a model may declare its own marker');
    assert.ok(isInvalid({ type: 'float64' }, encodeValue({ type: 'float64' }, Number.NaN)));
  });
  test('DATETIME register 116: 2024-03-05 14:07:31.250', () => {
    const regs = [24, (3 << 8) | 5, (14 << 8) | 7, 31250];
    const dt = { year: 2024, month: 3, day: 5, hour: 14, minute: 7, millisecond: 31250 };
    assert.deepEqual(decodeValue({ type: 'datetime' }, regs), dt);
    assert.deepEqual(encodeValue({ type: 'datetime' }, dt), regs);
    assert.equal(dateTimeToEpochMs(dt), Date.UTC(2024, 2, 5, 14, 7, 31, 250));
    assert.deepEqual(dateTimeFromEpochMs(Date.UTC(2024, 2, 5, 14, 7, 31, 250)), dt);
    assert.deepEqual(
      decodeDateTime([0xff80 | 24, 0xf0e0 | (3 << 8) | 5, 0xe0c0 | (14 << 8) | 7, 31250]),
      dt,
      'reserved bits ignored',
    );
    assert.equal(isValidDateTime(decodeDateTime([0xffff, 0xffff, 0xffff, 0xffff])), false);
    assert.equal(dateTimeToEpochMs({ ...dt, month: 2, day: 30 }), null);
    assert.throws(() => encodeValue({ type: 'datetime' }, { ...dt, month: 13 }));
  });
});

describe('byte and word orders', () => {
  const v = 0x11223344;
  test('uint32 in the four orders', () => {
    assert.deepEqual(encodeValue({ type: 'uint32' }, v), [0x1122, 0x3344]);
    assert.deepEqual(encodeValue({ type: 'uint32', wordOrder: 'little' }, v), [0x3344, 0x1122]);
    assert.deepEqual(encodeValue({ type: 'uint32', byteOrder: 'little' }, v), [0x2211, 0x4433]);
    assert.deepEqual(
      encodeValue({ type: 'uint32', byteOrder: 'little', wordOrder: 'little' }, v),
      [0x4433, 0x2211],
    );
  });
  test('int16, int32 signs; from bytes', () => {
    assert.equal(decodeValue({ type: 'int16' }, [0xffff]), -1);
    assert.equal(decodeValue({ type: 'int32' }, Uint16Array.of(0xffff, 0xfffe)), -2);
    assert.equal(decodeValueFromBytes({ type: 'uint16' }, hexToBytes('00 12 34'), 1), 0x1234);
    assert.deepEqual(encodeValueToBytes({ type: 'int16', byteOrder: 'little' }, 0x0102), hexToBytes('02 01'));
  });
  test('float64 and uint64', () => {
    assert.deepEqual(encodeValue({ type: 'float64' }, 1), [0x3ff0, 0, 0, 0]);
    assert.equal(decodeValue({ type: 'uint64', wordOrder: 'little' }, [1, 0, 0, 0]), 1n);
  });
});

describe('strings', () => {
  test('NUL and space padding, byte order', () => {
    const f = { type: 'string' as const, registers: 4 };
    assert.deepEqual(encodeValue(f, 'PAS60'), [0x5041, 0x5336, 0x3000, 0]);
    assert.equal(decodeValue(f, [0x5041, 0x5336, 0x3000, 0]), 'PAS60');
    assert.equal(decodeValue(f, [0x5041, 0x5336, 0x3020, 0x2020]), 'PAS60', 'space padding trimmed');
    assert.equal(decodeValue(f, [0x4100, 0x4242, 0x4242, 0x4242]), 'A', 'stops at the first NUL');
    assert.equal(decodeValue({ ...f, byteOrder: 'little' }, [0x4150, 0x3653, 0x0030, 0]), 'PAS60');
    assert.throws(
      () => encodeValue(f, '123456789'),
      (e) => hasCode(e, 'WG_ERR_INVALID_ARGUMENT'),
    );
    assert.throws(
      () => encodeValue(f, 'é€'),
      (e) => hasCode(e, 'WG_ERR_INVALID_ARGUMENT'),
    );
  });
});

describe('encoders refuse wrong kinds and ranges; decoders refuse wrong counts', () => {
  const bad: Array<[string, () => unknown]> = [
    ['uint16 65536', () => encodeValue({ type: 'uint16' }, 65536)],
    ['int16 1.5', () => encodeValue({ type: 'int16' }, 1.5)],
    ['int64 as number', () => encodeValue({ type: 'int64' }, 1)],
    ['uint64 negative', () => encodeValue({ type: 'uint64' }, -1n)],
    ['int64 2^63', () => encodeValue({ type: 'int64' }, 2n ** 63n)],
    ['float32 string', () => encodeValue({ type: 'float32' }, 'x')],
    ['3 registers for int32', () => decodeValue({ type: 'int32' }, [1, 2, 3])],
    ['bytes too short', () => decodeValueFromBytes({ type: 'int32' }, new Uint8Array(3))],
  ];
  for (const [name, fn] of bad)
    test(name, () => assert.throws(fn, (e) => hasCode(e, 'WG_ERR_INVALID_ARGUMENT')));
});
