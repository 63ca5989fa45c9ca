/**
 * Property-based tests of the data-type table: decode(encode(v)) = v for every
 * type × byte order × word order, and decoding any registers never throws
 * (integers and bitmaps round-trip the registers exactly).
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import fc from 'fast-check';
import {
  type DataFormat,
  type DataTypeName,
  decodeValue,
  decodeValueFromBytes,
  encodeValue,
  encodeValueToBytes,
  isInvalid,
  registerCount,
} from '../../src/protocol/modbus/data-types.js';
import { CaseCounter, formatAndValueArb, fuzzRuns } from '../fixtures/modbus/arbitraries.js';

const RUNS = fuzzRuns(30000);
const counter = new CaseCounter('modbus-data-types');
const started = performance.now();
after(() => counter.report(started, performance.now()));

function check<T>(arb: fc.Arbitrary<T>, predicate: (v: T) => void): void {
  fc.assert(fc.property(arb, predicate), { numRuns: RUNS });
  counter.add(RUNS);
}

const order = fc.constantFrom('big' as const, 'little' as const);
const LOSSLESS: DataTypeName[] = [
  'int16',
  'uint16',
  'int32',
  'uint32',
  'int64',
  'uint64',
  'bitmap16',
  'bitmap32',
];
const ALL: DataTypeName[] = [...LOSSLESS, 'float32', 'float64', 'string', 'datetime'];

describe('data types', () => {
  test('decode(encode(v)) = v for every type × byte order × word order', () => {
    check(formatAndValueArb, ({ format, value }) => {
      const regs = encodeValue(format, value);
      assert.equal(regs.length, registerCount(format));
      assert.deepEqual(decodeValue(format, regs), value);
      assert.deepEqual(decodeValue(format, Uint16Array.from(regs)), value);
      assert.deepEqual(decodeValueFromBytes(format, encodeValueToBytes(format, value)), value);
    });
  });
  test('any registers decode without throwing; integer types round-trip the registers', () => {
    const arb = fc
      .record({
        type: fc.constantFrom(...ALL),
        byteOrder: order,
        wordOrder: order,
        registers: fc.integer({ min: 1, max: 125 }),
      })
      .chain((f) => {
        const format: DataFormat = { ...f };
        const n = registerCount(format);
        return fc.tuple(
          fc.constant(format),
          fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: n, maxLength: n }),
        );
      });
    check(arb, ([format, regs]) => {
      const v = decodeValue(format, regs);
      isInvalid(format, regs);
      if (LOSSLESS.includes(format.type)) assert.deepEqual(encodeValue(format, v), regs);
    });
  });
});
