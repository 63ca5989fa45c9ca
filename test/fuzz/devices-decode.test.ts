/**
 * The poller's allocation-free decoding (src/devices/decode.ts) agrees with
 * THE data-type table: for every type × byte order × word order, any register
 * contents, with or without a model-given invalid marker, and any scale,
 * `decodeMeasurement` gives null exactly when `isInvalid` says so (or a
 * DATETIME is no date), else `decodeValue` scaled at the register's resolution
 * — at any offset in a reply.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { compileMeasurement, decodeMeasurement } from '../../src/devices/decode.js';
import type { Measurement } from '../../src/devices/model-schema.js';
import { atResolution } from '../../src/devices/resolution.js';
import {
  type DataTypeName,
  type DateTimeValue,
  dateTimeToEpochMs,
  decodeValue,
  isInvalid,
} from '../../src/protocol/modbus/index.js';
import { CaseCounter, fuzzRuns } from '../fixtures/modbus/arbitraries.js';

const RUNS = fuzzRuns(20000);
const counter = new CaseCounter('devices-decode');
const started = performance.now();
after(() => counter.report(started, performance.now()));

const TYPES: DataTypeName[] = [
  'int16',
  'uint16',
  'int32',
  'uint32',
  'int64',
  'uint64',
  'float32',
  'float64',
  'bitmap16',
  'bitmap32',
  'string',
  'datetime',
];
const order = fc.constantFrom('big' as const, 'little' as const);
const word = fc.oneof(
  fc.integer({ min: 0, max: 0xffff }),
  fc.constantFrom(0, 0xffff, 0x8000, 0xffc0, 0x7fc0),
);

const caseArb = fc.record({
  type: fc.constantFrom(...TYPES),
  byteOrder: order,
  wordOrder: order,
  strRegs: fc.integer({ min: 1, max: 8 }),
  marker: fc.option(fc.array(word, { maxLength: 4 }), { nil: undefined }),
  scale: fc.option(fc.constantFrom(0.1, 10, -1, 0.001), { nil: undefined }),
  pad: fc.integer({ min: 0, max: 5 }),
  seed: fc.array(word, { minLength: 8, maxLength: 8 }),
  allInvalid: fc.boolean(),
});

function wireBytes(words: readonly number[], pad: number): Uint8Array {
  const b = new Uint8Array(2 * (words.length + pad + 1));
  words.forEach((w, i) => {
    b[2 * (pad + i)] = w >> 8;
    b[2 * (pad + i) + 1] = w & 0xff;
  });
  return b;
}

function expected(m: Measurement, words: number[]): unknown {
  const c = compileMeasurement(m, {});
  if (isInvalid(c.format, words, m.invalid)) return null;
  const v = decodeValue(c.format, words);
  if (typeof v === 'string') return v;
  if (typeof v === 'object') return dateTimeToEpochMs(v as DateTimeValue);
  // The resolution step has its own oracle (src/devices/resolution.test.ts); here it is applied as is.
  if (typeof v === 'bigint' && m.scale === undefined) return v;
  return atResolution(Number(v), m.scale ?? 1, m.offset ?? 0, m.type === 'float32');
}

test('decodeMeasurement = decodeValue + isInvalid (+ scale) for every type and order', () => {
  fc.assert(
    fc.property(caseArb, (k) => {
      const m: Measurement = {
        key: 'X',
        name: 'x',
        address: 0,
        type: k.type,
        unit: '',
        kind: 'instant',
        byteOrder: k.byteOrder,
        wordOrder: k.wordOrder,
        ...(k.type === 'string' ? { registers: k.strRegs } : {}),
        ...(k.marker === undefined ? {} : { invalid: k.marker }),
        ...(k.scale === undefined ? {} : { scale: k.scale }),
      };
      const c = compileMeasurement(m, {});
      const words = k.seed.slice(0, c.registers).map((w) => (k.allInvalid ? (k.marker?.[0] ?? 0xffff) : w));
      while (words.length < c.registers) words.push(0);
      const got = decodeMeasurement(c, wireBytes(words, k.pad), 2 * k.pad);
      const want = expected(m, words);
      if (typeof want === 'number' && Number.isNaN(want)) assert.ok(Number.isNaN(got as number));
      else assert.deepEqual(got, want, `${k.type} ${k.byteOrder}/${k.wordOrder} ${words}`);
    }),
    { numRuns: RUNS },
  );
  counter.add(RUNS);
});

test('the reference invalid markers decode as null (Float32 0xFFC00000, INT64 0x8000…, UINT16 0xFFFF)', () => {
  const cases: Array<[DataTypeName, number[]]> = [
    ['float32', [0xffc0, 0]],
    ['int64', [0x8000, 0, 0, 0]],
    ['uint16', [0xffff]],
    ['uint32', [0xffff, 0xffff]],
    ['uint64', [0xffff, 0xffff, 0xffff, 0xffff]],
    ['datetime', [0xffff, 0xffff, 0xffff, 0xffff]],
  ];
  for (const [type, words] of cases) {
    const c = compileMeasurement({ key: 'X', name: 'x', address: 0, type, unit: '', kind: 'instant' }, {});
    assert.equal(decodeMeasurement(c, wireBytes(words, 0), 0), null, type);
  }
  const s = compileMeasurement(
    { key: 'S', name: 's', address: 0, type: 'string', registers: 3, unit: '', kind: 'text' },
    {},
  );
  assert.equal(decodeMeasurement(s, wireBytes([0, 0, 0], 0), 0), null);
});
