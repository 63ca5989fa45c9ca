/**
 * History benchmark (`npm run bench:history`, issue 9): the realistic
 * generator's switchboard (bench/support/history-data.ts) at one-minute
 * resolution for a year, written to the history store and, in the same run,
 * to a naive one-row-per-point table (bench/support/history-naive.ts):
 * - bytes per point on disk (database + WAL after a checkpoint), goal ≤ 2;
 * - ingest points/s (appends in time order, flushed in batches), goal ≥ 500 000;
 * - one measurement over one year (525 600 slots) downsampled to 1 000
 *   buckets, median of --runs after warm-up (wall and CPU), goal ≤ 20 ms;
 * each with the baseline and the ratio. Also: bytes per point by measurement
 * (chunk payload), the payload of the same data as raw float32 noise and
 * with jittered timestamps (codec only), and — with --steady-hours — the
 * WAL pages a flush writes at 500 points a minute and the power-loss window
 * that follows. Benchmarks print, they never assert timing.
 *
 *   npm run bench:history -- [--meters 2] [--sensors 2] [--days 365] [--runs 15]
 *                            [--steady-hours 0] [--keep]
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Value } from 'typebox/value';
import { generateSeries } from '../sim/meter-data.js';
import { HistorySchema } from '../src/config/schema-history.js';
import { openDatabase } from '../src/db/database.js';
import { allocColumns, encodeChunk } from '../src/history/codec/chunk-codec.js';
import { type HistorySettings, HistoryStore } from '../src/history/index.js';
import {
  BENCH_START,
  type BenchData,
  benchData,
  MINUTE,
  median,
  timed,
  walkInTimeOrder,
} from './support/history-data.js';
import { openNaive } from './support/history-naive.js';
import { steadyState } from './support/history-steady.js';

const GOALS = { bytesPerPoint: 2, pointsPerS: 500_000, queryMs: 20 };
const BUCKETS = 1000;
const QUERY_SERIES = 'modbus:1_mb_VAN';

function options() {
  const { values } = parseArgs({
    options: {
      meters: { type: 'string', default: '2' },
      sensors: { type: 'string', default: '2' },
      days: { type: 'string', default: '365' },
      runs: { type: 'string', default: '15' },
      'steady-hours': { type: 'string', default: '0' },
      keep: { type: 'boolean', default: false },
    },
  });
  const int = (v: string, min: number, max: number, name: string) => {
    const n = Number(v);
    if (!(Number.isInteger(n) && n >= min && n <= max)) throw new Error(`--${name} must be ${min}..${max}`);
    return n;
  };
  return {
    meters: int(values.meters, 1, 100, 'meters'),
    sensors: int(values.sensors, 0, 100, 'sensors'),
    days: int(values.days, 1, 3 * 366, 'days'),
    runs: int(values.runs, 3, 200, 'runs'),
    steadyHours: int(values['steady-hours'], 0, 24 * 14, 'steady-hours'),
    keep: values.keep,
  };
}

const fileBytes = (path: string) =>
  [path, `${path}-wal`].reduce((a, p) => {
    try {
      return a + statSync(p).size;
    } catch {
      return a;
    }
  }, 0);

function ingestStore(data: BenchData, path: string, settings: HistorySettings) {
  const store = HistoryStore.open({ path, settings });
  const ids = data.list.map((p) => p.id);
  const r = timed(() => {
    walkInTimeOrder(data, (k, i) => {
      const s = data.series[k];
      store.append(ids[k] as string, s?.t[i] as number, s?.v[i] as number, s?.q[i] as number);
    });
    store.flush();
  });
  store.checkpoint();
  return { store, ms: r.ms, cpuMs: r.cpuMs, bytes: fileBytes(path) };
}

function ingestNaive(data: BenchData, path: string, batch: number) {
  const naive = openNaive(path);
  let rows: Array<[number, number, number, number]> = [];
  const r = timed(() => {
    walkInTimeOrder(data, (k, i) => {
      const s = data.series[k];
      rows.push([k + 1, s?.t[i] as number, s?.v[i] as number, s?.q[i] as number]);
      if (rows.length >= batch) {
        naive.insertBatch(rows);
        rows = [];
      }
    });
    naive.insertBatch(rows);
  });
  naive.db.pragma('wal_checkpoint(TRUNCATE)');
  return { naive, ms: r.ms, cpuMs: r.cpuMs, bytes: fileBytes(path) };
}

function queryBoth(store: HistoryStore, naive: ReturnType<typeof openNaive>, data: BenchData, runs: number) {
  const k = data.list.findIndex((p) => p.id === QUERY_SERIES);
  const from = BENCH_START;
  const to = BENCH_START + data.slots * MINUTE;
  const ours = () => store.reader.downsample(QUERY_SERIES, { from, to }, { count: BUCKETS });
  const theirs = () => naive.downsample(k + 1, from, to, BUCKETS);
  for (let i = 0; i < 3; i++) {
    ours();
    theirs();
  }
  const a: Array<{ ms: number; cpuMs: number }> = [];
  const b: Array<{ ms: number; cpuMs: number }> = [];
  for (let i = 0; i < runs; i++) {
    a.push(timed(ours));
    b.push(timed(theirs));
  }
  const mine = ours();
  const base = theirs();
  const agree = base.every((r) => {
    const m = mine[r.b];
    return (
      m &&
      m.count === r.count &&
      m.min === r.min &&
      m.max === r.max &&
      m.last === r.last &&
      Math.abs((m.avg ?? 0) - r.avg) < 1e-6
    );
  });
  const slots = data.slots;
  return {
    points: mine.reduce((x, m) => x + m.count, 0),
    slots,
    agree: agree && base.length === mine.filter((m) => m.count > 0).length,
    ours: { ms: median(a.map((x) => x.ms)), cpuMs: median(a.map((x) => x.cpuMs)) },
    naive: { ms: median(b.map((x) => x.ms)), cpuMs: median(b.map((x) => x.cpuMs)) },
  };
}

/** Chunk payload per measurement kind, from the written chunk rows. */
function payloadByKind(path: string, data: BenchData): Map<string, { bytes: number; points: number }> {
  const db = openDatabase({ path, profile: 'history' });
  const rows = db
    .prepare(
      'SELECT s.id AS id, sum(length(c.data)) AS bytes, sum(c.count) AS points FROM chunks c JOIN series s ON s.key = c.series GROUP BY s.id',
    )
    .all() as Array<{ id: string; bytes: number; points: number }>;
  db.close();
  const out = new Map<string, { bytes: number; points: number }>();
  for (const r of rows) {
    const kind = data.list.find((p) => p.id === r.id)?.kind ?? '?';
    const acc = out.get(kind) ?? { bytes: 0, points: 0 };
    acc.bytes += r.bytes;
    acc.points += r.points;
    out.set(kind, acc);
  }
  return out;
}

/** Codec-only payload of the first meter's series under another representation or with jitter. */
function variantPayload(
  data: BenchData,
  change: { representation?: 'float32-raw'; jitterMs?: number },
): number {
  let bytes = 0;
  let points = 0;
  const cols = allocColumns(1024);
  for (const p of data.list.slice(0, 10)) {
    const s = generateSeries({ ...p.options, ...change });
    for (let i = 0; i < s.length; i += 1024) {
      const n = Math.min(1024, s.length - i);
      cols.t.set(s.t.subarray(i, i + n));
      cols.v.set(s.v.subarray(i, i + n));
      cols.q.set(s.q.subarray(i, i + n));
      cols.n = n;
      bytes += encodeChunk(cols).length;
    }
    points += s.length;
  }
  return bytes / points;
}

const fmt = (x: number, d = 2) => x.toFixed(d);
const goal = (ok: boolean) => (ok ? 'meets goal' : 'MISSES goal');

async function main(): Promise<void> {
  const opts = options();
  const dir = mkdtempSync(join(tmpdir(), 'wattgate-bench-history-'));
  const settings: HistorySettings = {
    ...(Value.Default(HistorySchema, {}) as HistorySettings),
    reserveFreeBytes: 0,
  };
  try {
    const gen = timed(() => benchData(opts));
    const data = gen.value;
    process.stderr.write(
      `generated ${data.points} points (${data.list.length} series × ${data.slots} minutes) in ${fmt(gen.ms / 1000, 1)} s\n`,
    );
    const ours = ingestStore(data, join(dir, 'history.db'), settings);
    process.stderr.write(`history store: ${fmt(ours.ms / 1000, 1)} s\n`);
    const base = ingestNaive(data, join(dir, 'naive.db'), settings.flushPoints);
    process.stderr.write(`naive table: ${fmt(base.ms / 1000, 1)} s\n`);
    const q = queryBoth(ours.store, base.naive, data, opts.runs);
    const kinds = payloadByKind(join(dir, 'history.db'), data);
    const raw32 = variantPayload(data, { representation: 'float32-raw' });
    const jitter = variantPayload(data, { jitterMs: 40 });
    const asIs = variantPayload(data, {});
    ours.store.stop();
    base.naive.close();
    const steady =
      opts.steadyHours > 0 ? steadyState(join(dir, 'steady.db'), settings, opts.steadyHours) : undefined;
    report(opts, data, { ours, base, q }, { kinds, raw32, jitter, asIs, steady });
  } finally {
    if (!opts.keep) rmSync(dir, { recursive: true, force: true });
    else console.log(`kept ${dir}`);
  }
}

type Extra = {
  kinds: Map<string, { bytes: number; points: number }>;
  raw32: number;
  jitter: number;
  asIs: number;
  steady: ReturnType<typeof steadyState> | undefined;
};

interface Measured {
  ours: { ms: number; cpuMs: number; bytes: number };
  base: { ms: number; cpuMs: number; bytes: number };
  q: ReturnType<typeof queryBoth>;
}

function printTable(opts: ReturnType<typeof options>, data: BenchData, m: Measured) {
  const { ours, base, q } = m;
  const n = data.points;
  const bpp = { ours: ours.bytes / n, naive: base.bytes / n };
  const pps = { ours: (n / ours.ms) * 1000, naive: (n / base.ms) * 1000 };
  const head = `${data.list.length} series (${opts.meters} meters, ${opts.sensors} sensors), ${opts.days} days at 1 minute`;
  console.log(`\nhistory benchmark — ${head}, ${n} points; ${cpus().length} CPUs`);
  console.log('                          history store      naive table        ratio');
  const row = (label: string, a: string, b: string, ratio: string, note: string) =>
    console.log(`${label.padEnd(26)}${a.padEnd(19)}${b.padEnd(19)}${ratio}   (${note})`);
  row(
    'bytes/point on disk',
    fmt(bpp.ours, 3),
    fmt(bpp.naive),
    `${fmt(bpp.naive / bpp.ours, 1)}× smaller`,
    `${goal(bpp.ours <= GOALS.bytesPerPoint)} ≤ ${GOALS.bytesPerPoint}`,
  );
  const cpu = `CPU ${fmt(ours.cpuMs / 1000, 1)} s vs ${fmt(base.cpuMs / 1000, 1)} s`;
  row(
    'ingest points/s',
    fmt(pps.ours, 0),
    fmt(pps.naive, 0),
    `${fmt(pps.ours / pps.naive, 1)}× faster`,
    `${goal(pps.ours >= GOALS.pointsPerS)} ≥ ${GOALS.pointsPerS}; ${cpu}`,
  );
  const qNote = `CPU ${fmt(q.ours.cpuMs)} vs ${fmt(q.naive.cpuMs)} ms; ${q.points} points of ${q.slots} slots; results agree: ${q.agree}`;
  row(
    `${opts.days} d → ${BUCKETS} buckets, ms`,
    fmt(q.ours.ms),
    fmt(q.naive.ms),
    `${fmt(q.naive.ms / q.ours.ms, 1)}× faster`,
    `${goal(q.ours.ms <= GOALS.queryMs)} ≤ ${GOALS.queryMs}; ${qNote}`,
  );
  return { bpp, pps };
}

function printExtras(x: Extra): void {
  console.log('\nchunk payload by measurement (bytes/point, before SQLite pages and indexes):');
  for (const [kind, v] of x.kinds) console.log(`  ${kind.padEnd(15)} ${fmt(v.bytes / v.points, 3)}`);
  console.log(
    `payload of meter 1 as recorded ${fmt(x.asIs, 3)}; as raw float32 noise (no decimal resolution) ${fmt(x.raw32, 3)}; with ±40 ms timestamp jitter ${fmt(x.jitter, 3)}`,
  );
  const s = x.steady;
  if (!s) return;
  const per = `${fmt(s.pagesPerFlush, 2)} WAL pages (${fmt(s.bytesPerFlush / 1024, 0)} KiB) a flush`;
  console.log(
    `\nsteady state, ${s.series} series at 1/min, flush every ${s.flushMs / 1000} s, ${s.hours} h simulated: ${per}; a checkpoint (fsync) every ${fmt(s.secondsPerCheckpoint / 60, 1)} min → power-loss window ≤ that`,
  );
}

function report(opts: ReturnType<typeof options>, data: BenchData, m: Measured, x: Extra): void {
  const { bpp, pps } = printTable(opts, data, m);
  printExtras(x);
  const q = m.q;
  const json = {
    points: data.points,
    bytesPerPoint: { ours: bpp.ours, naive: bpp.naive, ratio: bpp.naive / bpp.ours },
    pointsPerS: { ours: pps.ours, naive: pps.naive, ratio: pps.ours / pps.naive },
    queryMs: {
      ours: q.ours.ms,
      naive: q.naive.ms,
      ratio: q.naive.ms / q.ours.ms,
      oursCpu: q.ours.cpuMs,
      agree: q.agree,
    },
    payload: { asIs: x.asIs, raw32: x.raw32, jitter40ms: x.jitter },
    ...(x.steady ? { steady: x.steady } : {}),
  };
  console.log(`BENCH_JSON ${JSON.stringify(json)}`);
}

await main();
