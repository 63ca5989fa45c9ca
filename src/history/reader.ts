/**
 * Queries of the history store (docs/history.md, "Queries"): raw points,
 * downsampled buckets, energy per interval from counters, two periods side
 * by side, consumption per device/usage/zone (top N + others) and CSV export.
 * Every query sees written chunks and the points still in memory.
 */
import { ErrorCodes, WattgateError } from '../shared/errors.js';
import { type ChunkRef, chunksInRange, overlapping, previousGood } from './chunk-source.js';
import { allocColumns } from './codec/chunk-codec.js';
import { csvHeader, csvLines } from './queries/csv.js';
import { downsample } from './queries/downsample.js';
import { bucketEdges } from './queries/edges.js';
import { energyPerBucket } from './queries/energy.js';
import { lowerBound, pointsInRange } from './queries/points.js';
import type { SeriesState } from './series.js';
import type { Statements } from './statements.js';
import type {
  Breakdown,
  BreakdownBy,
  BreakdownRow,
  Bucket,
  BucketSpec,
  ComparedBucket,
  CompareMetric,
  EnergyBucket,
  Range,
  RawPoints,
  SeriesInfo,
} from './types.js';

export interface ReaderContext {
  st: Statements;
  series: (id: string) => SeriesState | undefined;
  all: () => Iterable<SeriesState>;
}

export const MAX_RAW_POINTS = 1_000_000;

function checkRange(r: Range): void {
  if (!(r.from < r.to) || Number.isNaN(r.from) || Number.isNaN(r.to)) {
    throw new WattgateError(ErrorCodes.INVALID_ARGUMENT, 'a range needs from < to');
  }
}

function metricOf(b: Bucket, metric: Exclude<CompareMetric, 'energy'>): number | null {
  return b[metric];
}

export class HistoryReader {
  readonly #ctx: ReaderContext;

  constructor(ctx: ReaderContext) {
    this.#ctx = ctx;
  }

  listSeries(): SeriesInfo[] {
    return [...this.#ctx.all()].map((s) => ({ id: s.id, meta: { ...s.meta } }));
  }

  /** Points with from ≤ t < to in time order (ties in insertion order), at most `limit`. */
  raw(id: string, range: Range, limit = MAX_RAW_POINTS): RawPoints {
    checkRange(range);
    const cap = Math.min(Math.max(1, Math.floor(limit)), MAX_RAW_POINTS);
    return pointsInRange(this.#refs(id, range), range.from, range.to, cap);
  }

  downsample(id: string, range: Range, spec: BucketSpec): Bucket[] {
    const edges = bucketEdges(range, spec);
    return downsample(this.#refs(id, range), edges);
  }

  energy(id: string, range: Range, spec: BucketSpec): EnergyBucket[] {
    const edges = bucketEdges(range, spec);
    const s = this.#get(id);
    const refs = chunksInRange(this.#ctx.st, s, range.from, range.to);
    return energyPerBucket(refs, edges, (r) => previousGood(this.#ctx.st, s, r.order));
  }

  /** Period a and the period of the same shape starting at `bFrom`, bucket by bucket. */
  compare(id: string, a: Range, bFrom: number, spec: BucketSpec, metric: CompareMetric): ComparedBucket[] {
    const edgesA = bucketEdges(a, spec);
    const shift = bFrom - a.from;
    const edgesB =
      'unit' in spec
        ? bucketEdges({ from: bFrom, to: bFrom + 2 * (a.to - a.from) + 32 * 86_400_000 }, spec).slice(
            0,
            edgesA.length,
          )
        : edgesA.map((e) => e + shift);
    const values = (edges: number[]): Array<number | null> => {
      const range = { from: edges[0] as number, to: edges[edges.length - 1] as number };
      if (metric === 'energy') return this.energy(id, range, { edges }).map((b) => b.energy);
      return this.downsample(id, range, { edges }).map((b) => metricOf(b, metric));
    };
    const va = values(edgesA);
    const vb = values(edgesB);
    return va.map((value, i) => ({
      index: i,
      a: { start: edgesA[i] as number, end: edgesA[i + 1] as number, value },
      b: { start: edgesB[i] as number, end: edgesB[i + 1] as number, value: vb[i] ?? null },
    }));
  }

  /** Energy of every counter series over the range, grouped; the `top` largest groups + others. */
  breakdown(range: Range, by: BreakdownBy, opts: { top?: number; unit?: string } = {}): Breakdown {
    checkRange(range);
    const groups = new Map<string, { energy: number; series: number }>();
    for (const s of this.#ctx.all()) {
      if (s.meta.kind !== 'counter' || (opts.unit !== undefined && s.meta.unit !== opts.unit)) continue;
      const [bucket] = this.energy(s.id, range, { edges: [range.from, range.to] });
      const key = s.meta[by] ?? 'unassigned';
      const g = groups.get(key) ?? { energy: 0, series: 0 };
      g.energy += bucket?.energy ?? 0;
      g.series++;
      groups.set(key, g);
    }
    const rows = [...groups].map(([group, g]) => ({ group, energy: g.energy, share: 0, series: g.series }));
    rows.sort((x, y) => y.energy - x.energy || x.group.localeCompare(y.group));
    const total = rows.reduce((a, r) => a + r.energy, 0);
    for (const r of rows) r.share = total > 0 ? r.energy / total : 0;
    const top = rows.slice(0, Math.max(1, opts.top ?? 5));
    const rest = rows.slice(top.length);
    let others: BreakdownRow | null = null;
    for (const r of rest) {
      others ??= { group: 'others', energy: 0, share: 0, series: 0 };
      others.energy += r.energy;
      others.share += r.share;
      others.series += r.series;
    }
    return { by, total, top, others };
  }

  /**
   * CSV text of the series over the range, in pieces to stream (queries/csv.ts).
   * Arguments are checked now (unknown series: NOT_FOUND), before any text.
   */
  csv(ids: readonly string[], range: Range): Iterable<string> {
    checkRange(range);
    for (const id of ids) this.#get(id);
    const linesOf = (id: string) => this.#csvOf(id, range);
    return (function* () {
      yield csvHeader();
      for (const id of ids) yield* linesOf(id);
    })();
  }

  *#csvOf(id: string, range: Range): Generator<string> {
    const refs = this.#refs(id, range);
    if (overlapping(refs)) {
      const p = pointsInRange(refs, range.from, range.to, Number.MAX_SAFE_INTEGER);
      yield* csvLines(id, { t: p.t, v: p.v, q: p.q, n: p.length }, 0, p.length);
      return;
    }
    const scratch = allocColumns(1024);
    for (const r of refs) {
      const p = r.points(scratch);
      yield* csvLines(id, p, lowerBound(p.t, p.n, range.from), lowerBound(p.t, p.n, range.to));
    }
  }

  #get(id: string): SeriesState {
    const s = this.#ctx.series(id);
    if (!s) throw new WattgateError(ErrorCodes.NOT_FOUND, `no history for series ${id}`);
    return s;
  }

  #refs(id: string, range: Range): ChunkRef[] {
    checkRange(range);
    return chunksInRange(this.#ctx.st, this.#get(id), range.from, range.to);
  }
}
