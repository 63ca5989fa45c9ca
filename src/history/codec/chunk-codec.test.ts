import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeBatch, encodeBatch } from './batch-codec.js';
import { BitReader, BitWriter, zigzag } from './bits.js';
import { allocColumns, type Columns, chunkCount, decodeChunk, encodeChunk } from './chunk-codec.js';
import { f64Words } from './words.js';

function columns(t: number[], v: number[], q?: number[]): Columns {
  const c = allocColumns(t.length);
  c.t.set(t);
  c.v.set(v);
  c.q.set(q ?? t.map(() => 0));
  c.n = t.length;
  return c;
}

/** Asserts decode(encode(c)) = c, bit for bit; returns the encoded size. */
function roundTrip(c: Columns): number {
  const bytes = encodeChunk(c);
  const d = decodeChunk(bytes);
  assert.equal(d.n, c.n);
  assert.equal(chunkCount(bytes), c.n);
  assert.deepEqual([...d.t.subarray(0, d.n)], [...c.t.subarray(0, c.n)]);
  assert.deepEqual([...d.q.subarray(0, d.n)], [...c.q.subarray(0, c.n)]);
  assert.deepEqual([...f64Words(d.v).subarray(0, 2 * d.n)], [...f64Words(c.v).subarray(0, 2 * c.n)]);
  return bytes.length;
}

const T0 = Date.UTC(2026, 0, 1);
const minutes = (n: number) => Array.from({ length: n }, (_, i) => T0 + i * 60_000);

describe('bit streams', () => {
  test('widths 0–53 and varints round-trip', () => {
    const w = new BitWriter(4);
    const values: Array<[number, number]> = [];
    for (let width = 0; width <= 53; width++) {
      const v = width === 0 ? 0 : 2 ** width - 1 - (width > 3 ? 5 : 0);
      values.push([v, width]);
      w.write(v, width);
    }
    w.writeVarint(2 ** 53 - 1);
    w.writeSignedVarint(-(2 ** 52));
    const r = new BitReader(w.finish());
    for (const [v, width] of values) assert.equal(r.read(width), v, `width ${width}`);
    assert.equal(r.readVarint(), 2 ** 53 - 1);
    assert.equal(r.readSignedVarint(), -(2 ** 52));
    assert.ok(r.intact);
  });
  test('zigzag maps signed to unsigned', () => {
    assert.deepEqual([0, -1, 1, -2, 2].map(zigzag), [0, 1, 2, 3, 4]);
  });
});

describe('chunk codec', () => {
  test('empty, one and two points', () => {
    roundTrip(columns([], []));
    roundTrip(columns([T0], [230.4]));
    roundTrip(columns([T0, T0 - 5], [Number.NaN, -0], [2, 1]));
  });
  test('regular one-minute decimals cost well under a byte a point', () => {
    const t = minutes(1024);
    const v = t.map((_, i) => Math.round(2300 + 10 * Math.sin(i / 50) + ((i * 7919) % 13)) / 10);
    const size = roundTrip(columns(t, v));
    assert.ok(size < 1024, `${size} bytes`);
  });
  test('float32 decimals, scaled integers and counters use the decimal mode', () => {
    const t = minutes(512);
    for (const v of [
      t.map((_, i) => Math.fround((2300 + (i % 17)) / 10)),
      t.map((_, i) => (1000 + (i % 29)) * 0.001),
      t.map((_, i) => 1_000_000 + i * 37 + (i % 5)),
    ]) {
      assert.ok(roundTrip(columns(t, v)) < 1200);
    }
  });
  test('noise falls back to XOR and still round-trips every bit', () => {
    const t = minutes(300);
    const v = t.map((_, i) => Math.sin(i) * 1e3 + Math.cos(i * i));
    roundTrip(columns(t, v));
  });
  test('specials: NaN payloads, ±Inf, -0, subnormals, extremes; irregular and backward times', () => {
    const special = new Float64Array(8);
    const w = f64Words(special);
    w.set([1, 0x7ff00000, 0xdead, 0xfff80000]); // signalling NaN with payload 1, negative quiet NaN with payload
    special.set(
      [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 5e-324, -Number.MAX_VALUE, 2 ** -1074 * 3],
      2,
    );
    const t = [T0, T0 + 1, T0 - 2 ** 40, 2 ** 50, -(2 ** 50), T0, T0, T0 + 7];
    const c = allocColumns(8);
    c.t.set(t);
    c.v.set(special);
    c.q.set([0, 1, 2, 255, 0, 0, 3, 3]);
    c.n = 8;
    roundTrip(c);
    // the same specials inside an otherwise decimal chunk (exceptions)
    const d = allocColumns(200);
    d.t.set(minutes(200));
    for (let i = 0; i < 200; i++) d.v[i] = (i % 50) / 10;
    d.v.set(special.subarray(0, 6), 100);
    d.n = 200;
    roundTrip(d);
  });
  test('corrupt bytes are refused, never read past the end silently', () => {
    const bytes = encodeChunk(
      columns(
        minutes(100),
        minutes(100).map((_, i) => i / 10),
      ),
    );
    assert.throws(() => decodeChunk(bytes.subarray(0, bytes.length - 8)), RangeError);
    const bad = Uint8Array.from(bytes);
    bad[0] = 0xf0;
    assert.throws(() => decodeChunk(bad), RangeError);
  });
});

test('staging batches hold groups of several series', () => {
  const groups = [
    { key: 1, idx: 0, cols: columns(minutes(3), [1, 2, 3]) },
    { key: 7, idx: 12345, cols: columns([T0], [Number.NaN], [2]) },
  ];
  const back = decodeBatch(encodeBatch(groups));
  assert.deepEqual(
    back.map((g) => [g.key, g.idx, g.cols.n, g.cols.t[0]]),
    [
      [1, 0, 3, T0],
      [7, 12345, 1, T0],
    ],
  );
  assert.ok(Number.isNaN(back[1]?.cols.v[0]));
});
