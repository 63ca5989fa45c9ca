/**
 * Property tests of the history store (issue 9 acceptance, SECURITY I5):
 * 1. the chunk codec: any timestamps (integer ms, |t| ≤ 2^50, any order,
 *    repeats, jumps), any float64 bit patterns (NaN payloads, signalling
 *    NaNs, ±Inf, -0, subnormals, decimals the decimal mode takes, noise it
 *    leaves to XOR) and any quality flags decode to exactly the same bits;
 * 2. the store: the same kinds of points appended to several series, with
 *    counter resets, clock steps backwards, flushes and reopenings at random
 *    moments, come back from a raw query bit-exact, ordered by time with
 *    ties in insertion order (a stable sort of what was appended), and a
 *    publisher reading from the start sees every point in insertion order.
 * Values travel as raw (lo, hi) words, never through a JS array of numbers,
 * so the test sees exactly what the store does to the bits.
 * Case count: WATTGATE_FUZZ_RUNS (codec) and a tenth of it (store).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { Value } from 'typebox/value';
import { HistorySchema } from '../../src/config/schema-history.js';
import { decodeBatch, encodeBatch } from '../../src/history/codec/batch-codec.js';
import {
  allocColumns,
  type Columns,
  decodeChunk,
  encodeChunk,
  MAX_ABS_TIME,
} from '../../src/history/codec/chunk-codec.js';
import { f64Words } from '../../src/history/codec/words.js';
import { type HistorySettings, HistoryStore } from '../../src/history/index.js';
import { CaseCounter, fuzzRuns } from '../fixtures/modbus/arbitraries.js';

const RUNS = fuzzRuns(3000);
const STORE_RUNS = Math.max(10, Math.floor(RUNS / 10));
const counter = new CaseCounter('history-roundtrip');
const started = performance.now();
const dir = mkdtempSync(join(tmpdir(), 'wattgate-history-fuzz-'));
after(() => {
  counter.report(started, performance.now());
  rmSync(dir, { recursive: true, force: true });
});

// ---- arbitraries -------------------------------------------------------------

interface PointsCase {
  t: number[];
  /** Values as little-endian words [lo0, hi0, lo1, hi1, …]. */
  words: number[];
  q: number[];
}

const scratch = new Float64Array(1);
const scratchWords = f64Words(scratch);
const wordsOf = (x: number): [number, number] => {
  scratch[0] = x;
  return [scratchWords[0] as number, scratchWords[1] as number];
};

const SPECIAL_WORDS: ReadonlyArray<[number, number]> = [
  [0, 0x7ff80000], // NaN
  [1, 0x7ff00000], // signalling NaN, payload 1
  [0xdeadbeef, 0xfff8abcd], // negative quiet NaN with payload
  [0, 0x7ff00000], // +Inf
  [0, 0xfff00000], // -Inf
  [0, 0x80000000], // -0
  [1, 0], // smallest subnormal
  [0xffffffff, 0x000fffff], // largest subnormal
  [0xffffffff, 0x7fefffff], // MAX_VALUE
];

type Style = 'div' | 'f32' | 'mul' | 'any';
const MUL_SCALE = [1, 0.1, 0.01, 0.001, 1e-4];

function styledValue(style: Style): fc.Arbitrary<[number, number]> {
  const n = fc.integer({ min: -(2 ** 40), max: 2 ** 40 });
  const k = fc.integer({ min: 0, max: 4 });
  const special = fc.constantFrom(...SPECIAL_WORDS);
  const raw = fc.tuple(fc.nat({ max: 0xffffffff }), fc.nat({ max: 0xffffffff }));
  const typed: Record<Style, fc.Arbitrary<[number, number]>> = {
    div: fc.tuple(n, k).map(([a, b]) => wordsOf(a / 10 ** b)),
    f32: fc.tuple(fc.integer({ min: -1e7, max: 1e7 }), k).map(([a, b]) => wordsOf(Math.fround(a / 10 ** b))),
    mul: fc.tuple(n, k).map(([a, b]) => wordsOf(a * (MUL_SCALE[b] as number))),
    any: fc.oneof(fc.double().map(wordsOf), raw),
  };
  return fc.oneof(
    { weight: 12, arbitrary: typed[style] },
    { weight: 1, arbitrary: special },
    { weight: 1, arbitrary: raw },
  );
}

function timesArb(length: number): fc.Arbitrary<number[]> {
  const step = fc.oneof(
    { weight: 8, arbitrary: fc.constant(60_000) },
    { weight: 2, arbitrary: fc.constant(0) },
    { weight: 2, arbitrary: fc.integer({ min: -3_600_000, max: 3_600_000 }) },
    { weight: 1, arbitrary: fc.integer({ min: -(2 ** 45), max: 2 ** 45 }) },
  );
  const walk = fc
    .tuple(
      fc.integer({ min: -(2 ** 48), max: 2 ** 48 }),
      fc.array(step, { minLength: length, maxLength: length }),
    )
    .map(([start, steps]) => {
      let t = start;
      return steps.map((s) => {
        t = Math.max(-MAX_ABS_TIME, Math.min(MAX_ABS_TIME, t + s));
        return t;
      });
    });
  const anywhere = fc.array(fc.integer({ min: -MAX_ABS_TIME, max: MAX_ABS_TIME }), {
    minLength: length,
    maxLength: length,
  });
  return fc.oneof({ weight: 4, arbitrary: walk }, { weight: 1, arbitrary: anywhere });
}

function pointsArb(maxLength = 300): fc.Arbitrary<PointsCase> {
  return fc
    .tuple(fc.nat({ max: maxLength }), fc.constantFrom<Style>('div', 'f32', 'mul', 'any'))
    .chain(([length, style]) =>
      fc.record({
        t: timesArb(length),
        words: fc.array(styledValue(style), { minLength: length, maxLength: length }).map((w) => w.flat()),
        q: fc.array(fc.oneof({ weight: 6, arbitrary: fc.constant(0) }, fc.nat({ max: 255 })), {
          minLength: length,
          maxLength: length,
        }),
      }),
    );
}

// ---- codec -------------------------------------------------------------------

function toColumns(c: PointsCase): Columns {
  const cols = allocColumns(c.t.length);
  cols.t.set(c.t);
  f64Words(cols.v).set(c.words);
  cols.q.set(c.q);
  cols.n = c.t.length;
  return cols;
}

function assertSame(expected: Columns, actual: Columns): void {
  assert.equal(actual.n, expected.n);
  assert.deepEqual([...actual.t.subarray(0, actual.n)], [...expected.t.subarray(0, expected.n)]);
  assert.deepEqual([...actual.q.subarray(0, actual.n)], [...expected.q.subarray(0, expected.n)]);
  assert.deepEqual(
    [...f64Words(actual.v).subarray(0, 2 * actual.n)],
    [...f64Words(expected.v).subarray(0, 2 * expected.n)],
  );
}

test('codec: decode(encode(points)) is bit-exact for any timestamps, values and flags', () => {
  fc.assert(
    fc.property(pointsArb(), (c) => {
      const cols = toColumns(c);
      assertSame(cols, decodeChunk(encodeChunk(cols)));
    }),
    { numRuns: RUNS },
  );
  counter.add(RUNS);
});

test('codec: staging batches of several groups round-trip', () => {
  const runs = Math.max(1, Math.floor(RUNS / 5));
  fc.assert(
    fc.property(fc.array(pointsArb(40), { maxLength: 5 }), (cases) => {
      const groups = cases.map((c, i) => ({ key: i + 1, idx: i * 1000, cols: toColumns(c) }));
      const back = decodeBatch(encodeBatch(groups));
      assert.equal(back.length, groups.length);
      back.forEach((g, i) => {
        assert.deepEqual([g.key, g.idx], [i + 1, i * 1000]);
        assertSame(groups[i]?.cols as Columns, g.cols);
      });
    }),
    { numRuns: runs },
  );
  counter.add(runs);
});

test('codec: damaged bytes throw RangeError or decode to something; never hang or crash', () => {
  const runs = Math.max(1, Math.floor(RUNS / 5));
  fc.assert(
    fc.property(pointsArb(60), fc.nat(), fc.nat({ max: 255 }), (c, at, xor) => {
      const bytes = encodeChunk(toColumns(c));
      const bad = Uint8Array.from(bytes);
      bad[at % bad.length] = (bad[at % bad.length] as number) ^ (xor | 1);
      for (const b of [bad, bytes.subarray(0, Math.floor(bytes.length / 2))]) {
        try {
          decodeChunk(b);
        } catch (e) {
          assert.ok(e instanceof RangeError, String(e));
        }
      }
    }),
    { numRuns: runs },
  );
  counter.add(runs);
});

// ---- store -------------------------------------------------------------------

const SERIES = ['m:1_mb_EA', 'm:1_mb_VAN', 'z:2_zd_T'] as const;

type Op = { kind: 'append'; series: number; points: PointsCase } | { kind: 'flush' } | { kind: 'reopen' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('append' as const),
      series: fc.nat({ max: 2 }),
      points: pointsArb(60),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('flush' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reopen' as const) }) },
);

/** A counter with resets: increasing values, sometimes back to a small one. */
const counterOpArb: fc.Arbitrary<Op> = fc
  .tuple(
    fc.integer({ min: 1, max: 80 }),
    fc.array(fc.nat({ max: 500 }), { minLength: 80, maxLength: 80 }),
    fc.nat(),
  )
  .map(([n, incs, seed]) => {
    let v = 1_000_000 + seed;
    const t: number[] = [];
    const words: number[] = [];
    for (let i = 0; i < n; i++) {
      v = i % 37 === 36 ? (incs[i] as number) : v + (incs[i] as number);
      t.push(1_767_225_600_000 + (seed % 1000) * 60_000 + i * 60_000);
      words.push(...wordsOf(v));
    }
    return { kind: 'append' as const, series: 0, points: { t, words, q: t.map(() => 0) } };
  });

function settingsForFuzz(): HistorySettings {
  const s = Value.Default(HistorySchema, {}) as HistorySettings;
  return { ...s, flushPoints: 50, chunk: { ...s.chunk, maxPoints: 16 }, reserveFreeBytes: 0 };
}

interface Expected {
  t: number[];
  words: number[];
  q: number[];
}

function expectedSorted(e: Expected): Expected {
  const order = e.t.map((_, i) => i).sort((a, b) => (e.t[a] as number) - (e.t[b] as number)); // stable
  return {
    t: order.map((i) => e.t[i] as number),
    words: order.flatMap((i) => [e.words[2 * i] as number, e.words[2 * i + 1] as number]),
    q: order.map((i) => e.q[i] as number),
  };
}

function checkStore(store: HistoryStore, expected: Expected[]): void {
  SERIES.forEach((id, k) => {
    const want = expectedSorted(expected[k] as Expected);
    if (want.t.length === 0) return;
    const got = store.reader.raw(id, { from: -MAX_ABS_TIME, to: MAX_ABS_TIME + 1 });
    assert.equal(got.length, want.t.length, `${id}: count`);
    assert.deepEqual([...got.t], want.t, `${id}: timestamps in order`);
    assert.deepEqual([...got.q], want.q, `${id}: quality`);
    assert.deepEqual([...f64Words(got.v)], want.words, `${id}: value bits`);
  });
}

function checkCursor(store: HistoryStore, expected: Expected[]): void {
  const seen = SERIES.map(() => ({ t: [] as number[], words: [] as number[] }));
  const cursor = { at: 0, guard: 0 };
  for (;;) {
    const r = store.readAfter(cursor.at, 97);
    assert.equal(r.gap, null);
    for (const p of r.points) {
      const k = SERIES.indexOf(p.series as (typeof SERIES)[number]);
      seen[k]?.t.push(p.t);
      seen[k]?.words.push(...wordsOf(p.value));
      assert.ok(p.position > cursor.at && p.position <= r.next);
    }
    cursor.at = r.next;
    if (!r.more || ++cursor.guard > 10_000) break;
  }
  for (const k of SERIES.keys()) assert.deepEqual(seen[k]?.t, expected[k]?.t, `cursor order of ${SERIES[k]}`);
}

let caseNo = 0;

test('store: appended points come back bit-exact and ordered, across flushes, reopenings and clock steps', () => {
  fc.assert(
    fc.property(
      fc.array(fc.oneof({ weight: 5, arbitrary: opArb }, { weight: 1, arbitrary: counterOpArb }), {
        maxLength: 12,
      }),
      (ops) => {
        const path = join(dir, `case-${++caseNo}.db`);
        const settings = settingsForFuzz();
        let store = HistoryStore.open({ path, settings });
        store.registerPublisher('fuzz', 'oldest');
        const expected: Expected[] = SERIES.map(() => ({ t: [], words: [], q: [] }));
        try {
          for (const op of ops) {
            if (op.kind === 'flush') store.flush();
            else if (op.kind === 'reopen') {
              store.stop();
              store = HistoryStore.open({ path, settings });
            } else {
              const id = SERIES[op.series] as string;
              const v = new Float64Array(op.points.t.length);
              f64Words(v).set(op.points.words);
              for (const [i, t] of op.points.t.entries())
                store.append(id, t, v[i] as number, op.points.q[i] as number);
              const e = expected[op.series] as Expected;
              e.t.push(...op.points.t);
              e.words.push(...op.points.words);
              e.q.push(...op.points.q);
            }
          }
          checkStore(store, expected);
          store.flush();
          checkCursor(store, expected);
          store.stop();
          store = HistoryStore.open({ path, settings });
          checkStore(store, expected);
        } finally {
          store.stop();
          rmSync(path, { force: true });
          rmSync(`${path}-wal`, { force: true });
          rmSync(`${path}-shm`, { force: true });
        }
      },
    ),
    { numRuns: STORE_RUNS },
  );
  counter.add(STORE_RUNS);
});
