/**
 * History queries against brute force on the same points (issue 9, item 3):
 * downsampling (min/max/avg/last per bucket), energy per interval from
 * counters with resets, two periods side by side, consumption per device,
 * usage and zone with top-5 + others, calendar buckets across DST changes,
 * and the CSV export read back. The data is the realistic generator's, with
 * written chunks, chunks still in memory, and a clock step backwards.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Value } from 'typebox/value';
import { generateSeries, panelSeries } from '../../sim/meter-data.js';
import { HistorySchema } from '../../src/config/schema-history.js';
import { type HistorySettings, HistoryStore } from '../../src/history/index.js';
import { bucketEdges } from '../../src/history/queries/edges.js';

const T0 = Date.UTC(2026, 2, 1); // March: the DST change of Europe/Paris is inside
const MIN = 60_000;
const DAYS = 40;
const COUNT = DAYS * 1440;

interface Truth {
  t: number[];
  v: number[];
  q: number[];
}

const truth = new Map<string, Truth>();
let store: HistoryStore;

before(() => {
  const s = Value.Default(HistorySchema, {}) as HistorySettings;
  store = HistoryStore.open({
    path: ':memory:',
    settings: { ...s, reserveFreeBytes: 0, chunk: { ...s.chunk, maxPoints: 500 } },
  });
  const list = panelSeries({ meters: 7, sensors: 1, start: T0, step: MIN, count: COUNT, seed: 3 });
  for (const p of list) {
    const g = generateSeries({ ...p.options, resetRate: 2e-4 });
    const kind = p.kind === 'active-energy' ? 'counter' : 'gauge';
    const m = Number(/^modbus:(\d+)/.exec(p.id)?.[1] ?? 0);
    store.defineSeries(p.id, {
      device: p.device,
      unit: p.unit,
      kind,
      usage: `usage-${m % 6}`,
      zone: `zone-${m % 2}`,
    });
    const tr: Truth = { t: [], v: [], q: [] };
    for (let i = 0; i < g.length; i++) {
      store.append(p.id, g.t[i] as number, g.v[i] as number, g.q[i] as number);
      tr.t.push(g.t[i] as number);
      tr.v.push(g.v[i] as number);
      tr.q.push(g.q[i] as number);
    }
    truth.set(p.id, tr);
    if (p.id === 'modbus:1_mb_VAN') store.flush(); // the others partly stay in memory
  }
  // a clock step backwards on one counter: 100 more readings timed 2 hours back
  const e = truth.get('modbus:2_mb_EA') as Truth;
  const lastT = e.t.at(-1) as number;
  let lastV = e.v.at(-1) as number;
  for (let i = 0; i < 100; i++) {
    lastV += 7;
    store.append('modbus:2_mb_EA', lastT - 120 * MIN + i * MIN, lastV);
    e.t.push(lastT - 120 * MIN + i * MIN);
    e.v.push(lastV);
    e.q.push(0);
  }
});
after(() => store.stop());

const good = (v: number, q: number) => q === 0 && Number.isFinite(v);

function bruteBuckets(tr: Truth, edges: number[]) {
  const out = edges
    .slice(0, -1)
    .map(() => ({ count: 0, min: Infinity, max: -Infinity, sum: 0, lastT: -Infinity, last: 0 }));
  tr.t.forEach((t, i) => {
    const b = edges.findIndex((e, k) => k < edges.length - 1 && t >= e && t < (edges[k + 1] as number));
    const v = tr.v[i] as number;
    if (b < 0 || !good(v, tr.q[i] as number)) return;
    const o = out[b] as (typeof out)[number];
    o.count++;
    o.sum += v;
    o.min = Math.min(o.min, v);
    o.max = Math.max(o.max, v);
    if (t >= o.lastT) {
      o.lastT = t;
      o.last = v;
    }
  });
  return out;
}

function bruteEnergy(tr: Truth, edges: number[]): number[] {
  const out = edges.slice(0, -1).map(() => 0);
  let prev: number | undefined;
  tr.t.forEach((t, i) => {
    const v = tr.v[i] as number;
    if (!good(v, tr.q[i] as number)) return;
    if (prev !== undefined) {
      const b = edges.findIndex((e, k) => k < edges.length - 1 && t >= e && t < (edges[k + 1] as number));
      if (b >= 0) out[b] = (out[b] as number) + (v >= prev ? v - prev : v);
    }
    prev = v;
  });
  return out;
}

const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));

describe('downsampling', () => {
  for (const id of ['modbus:1_mb_VAN', 'modbus:3_mb_IA', 'wireless:1_zd_T']) {
    test(`${id}: min/max/avg/last per bucket equal brute force (uneven ranges, 1–997 buckets)`, () => {
      const tr = truth.get(id) as Truth;
      for (const [from, to, count] of [
        [T0, T0 + COUNT * MIN, 997],
        [T0 + 12_345_678, T0 + 20 * 86_400_000 + 77, 13],
        [T0 - 86_400_000, T0 + 3 * 86_400_000, 1],
      ] as const) {
        const edges = bucketEdges({ from, to }, { count });
        const got = store.reader.downsample(id, { from, to }, { count });
        const want = bruteBuckets(tr, edges);
        got.forEach((b, i) => {
          const w = want[i] as (typeof want)[number];
          assert.equal(b.count, w.count, `bucket ${i} count`);
          if (w.count === 0) {
            assert.equal(b.avg, null);
            return;
          }
          assert.equal(b.min, w.min);
          assert.equal(b.max, w.max);
          assert.equal(b.last, w.last);
          assert.ok(close(b.avg as number, w.sum / w.count), `bucket ${i} avg`);
        });
      }
    });
  }
});

describe('energy', () => {
  test('per day in Europe/Paris (a 23-hour day at the DST change), resets handled, equals brute force', () => {
    for (const id of ['modbus:1_mb_EA', 'modbus:2_mb_EA', 'modbus:5_mb_EA']) {
      const range = { from: T0, to: T0 + (DAYS - 1) * 86_400_000 };
      const got = store.reader.energy(id, range, { unit: 'day', timeZone: 'Europe/Paris' });
      const edges = got.map((b) => b.start).concat(range.to);
      assert.ok(
        got.some((b) => b.end - b.start === 23 * 3_600_000),
        'the spring-forward day has 23 hours',
      );
      const want = bruteEnergy(truth.get(id) as Truth, edges);
      for (const [i, b] of got.entries()) {
        assert.ok(close(b.energy, want[i] as number), `${id} day ${i}: ${b.energy} vs ${want[i]}`);
      }
    }
  });
  test('clock step backwards inside the range: no fake reset, the 100 late readings add 700 Wh', () => {
    const tr = truth.get('modbus:2_mb_EA') as Truth;
    const lastT = tr.t[tr.t.length - 101] as number;
    const [all] = store.reader.energy(
      'modbus:2_mb_EA',
      { from: lastT - 200 * MIN, to: lastT + MIN },
      { count: 1 },
    );
    const before = bruteEnergy({ t: tr.t.slice(0, -100), v: tr.v.slice(0, -100), q: tr.q.slice(0, -100) }, [
      lastT - 200 * MIN,
      lastT + MIN,
    ]);
    assert.ok(close(all?.energy as number, (before[0] as number) + 700));
  });
});

test('two periods side by side: week 2 against week 1, bucket by bucket', () => {
  const a = { from: T0 + 7 * 86_400_000, to: T0 + 14 * 86_400_000 };
  const rows = store.reader.compare('modbus:4_mb_EA', a, T0, { unit: 'day', timeZone: 'UTC' }, 'energy');
  assert.equal(rows.length, 7);
  const weekA = store.reader.energy('modbus:4_mb_EA', a, { unit: 'day' });
  const weekB = store.reader.energy('modbus:4_mb_EA', { from: T0, to: T0 + 7 * 86_400_000 }, { unit: 'day' });
  rows.forEach((r, i) => {
    assert.equal(r.a.value, weekA[i]?.energy);
    assert.equal(r.b.value, weekB[i]?.energy);
    assert.equal(r.b.start, T0 + i * 86_400_000);
  });
  const avg = store.reader.compare('modbus:4_mb_VAN', a, T0, { count: 7 }, 'avg');
  assert.ok(avg.every((r) => typeof r.a.value === 'number' && typeof r.b.value === 'number'));
});

test('consumption by device, usage and zone: top 5 + others, shares add up to 1', () => {
  const range = { from: T0, to: T0 + 10 * 86_400_000 };
  const byDevice = store.reader.breakdown(range, 'device');
  assert.equal(byDevice.top.length, 5);
  assert.equal(byDevice.others?.series, 2);
  const sum = byDevice.top.reduce((a, r) => a + r.energy, 0) + (byDevice.others?.energy ?? 0);
  assert.ok(close(sum, byDevice.total));
  assert.ok(close(byDevice.top.reduce((a, r) => a + r.share, 0) + (byDevice.others?.share ?? 0), 1));
  for (let i = 1; i < 5; i++)
    assert.ok((byDevice.top[i - 1]?.energy as number) >= (byDevice.top[i]?.energy as number));
  const m1 = store.reader.energy('modbus:1_mb_EA', range, { count: 1 })[0]?.energy;
  const row = [...byDevice.top, byDevice.others].find((r) => r?.group === 'meter-1');
  if (row) assert.equal(row.energy, m1);
  const byZone = store.reader.breakdown(range, 'zone');
  assert.deepEqual(byZone.top.map((r) => r.group).sort(), ['zone-0', 'zone-1']);
  assert.equal(byZone.others, null);
  assert.ok(close(byZone.total, byDevice.total));
  assert.equal(store.reader.breakdown(range, 'usage', { top: 3 }).top.length, 3);
});

test('CSV export reads back to the same points (values exact, specials spelled out)', () => {
  const id = 'modbus:6_mb_PF';
  const range = { from: T0 + 86_400_000, to: T0 + 3 * 86_400_000 };
  const text = [...store.reader.csv([id], range)].join('');
  const lines = text.trimEnd().split('\r\n');
  assert.equal(lines[0], 'timestamp,time_ms,series,value,quality');
  const raw = store.reader.raw(id, range);
  assert.equal(lines.length - 1, raw.length);
  lines.slice(1).forEach((line, i) => {
    const [iso, ms, series, value, q] = line.split(',');
    assert.equal(Date.parse(iso as string), raw.t[i]);
    assert.equal(Number(ms), raw.t[i]);
    assert.equal(series, id);
    assert.ok(Object.is(Number(value), raw.v[i]), `${value} vs ${raw.v[i]}`);
    assert.equal(Number(q), raw.q[i]);
  });
});
