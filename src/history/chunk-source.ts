/**
 * The chunks of one series that may hold points in a time range, from the
 * database and from memory (builders not yet sealed or written), as one list
 * of `ChunkRef`s ordered by first timestamp, then insertion order. A chunk's
 * points are sorted by time; two chunks overlap in time only after a clock
 * step backwards, and queries merge such chunks by (time, insertion order).
 *
 * The database lookup is bounded below by the series' largest chunk span:
 * chunks with t_first in [from − maxSpan, to) and t_last ≥ from — and
 * above by the series' `sealed` index: only rows of points the series state
 * says are sealed (`idx < sealed`). In the store that is every row; in a
 * replica (replica.ts) whose state is a snapshot, rows written after the
 * snapshot hold points the snapshot still has in memory, and are skipped.
 */
import type { ChunkBuilder } from './builder.js';
import { type Columns, decodeChunk } from './codec/chunk-codec.js';
import { memoryBuilders, type SeriesState } from './series.js';
import type { ChunkRow, Statements } from './statements.js';
import { EMPTY_SUMMARY, type Summary, summarize } from './summary.js';

export interface ChunkRef {
  /** Insertion rank: database seq, or after every database chunk for memory chunks. */
  order: number;
  /** Series index of the first point (consecutive chunks: idx + count = next idx). */
  idx: number;
  tFirst: number;
  tLast: number;
  count: number;
  summary: Summary;
  /** Decodes (or views) the points; `scratch` is reused when large enough. */
  points(scratch?: Columns): Columns;
}

/** Orders of memory chunks start here, after any database seq (still exact doubles above it). */
const MEMORY_BASE = 2 ** 52;

function rowSummary(r: ChunkRow): Summary {
  if (r.good === 0) return { ...EMPTY_SUMMARY };
  return {
    good: r.good,
    min: r.v_min ?? Number.NaN,
    max: r.v_max ?? Number.NaN,
    sum: r.v_sum ?? 0,
    firstT: r.first_t ?? Number.NaN,
    firstV: r.first_v ?? Number.NaN,
    lastT: r.last_t ?? Number.NaN,
    lastV: r.last_v ?? Number.NaN,
    increase: r.increase ?? 0,
  };
}

function fromRow(r: ChunkRow): ChunkRef {
  return {
    order: r.seq,
    idx: r.idx,
    tFirst: r.t_first,
    tLast: r.t_last,
    count: r.count,
    summary: rowSummary(r),
    points: (scratch) => decodeChunk(r.data, scratch),
  };
}

function fromBuilder(b: ChunkBuilder, order: number): ChunkRef {
  const view = b.view();
  return {
    order,
    idx: b.idx,
    tFirst: b.tFirst,
    tLast: b.tLast,
    count: b.n,
    summary: summarize(view),
    points: () => view,
  };
}

/** Chunks of `s` with points possibly in [from, to), sorted by (tFirst, order). */
export function chunksInRange(st: Statements, s: SeriesState, from: number, to: number): ChunkRef[] {
  const refs: ChunkRef[] = [];
  if (s.persisted) {
    const rows = st.chunksInRange.all(
      s.key,
      from - s.maxSpan,
      Math.ceil(to) - 1,
      from,
      s.sealed,
    ) as ChunkRow[];
    for (const r of rows) refs.push(fromRow(r));
  }
  memoryBuilders(s).forEach((b, i) => {
    if (b.n > 0 && b.tLast >= from && b.tFirst < to) refs.push(fromBuilder(b, MEMORY_BASE + i));
  });
  refs.sort((a, b) => a.tFirst - b.tFirst || a.order - b.order);
  return refs;
}

/** The last good reading written before chunk `order` (insertion order), if any. */
export function previousGood(
  st: Statements,
  s: SeriesState,
  order: number,
): { t: number; v: number } | undefined {
  if (order >= MEMORY_BASE) {
    const builders = memoryBuilders(s);
    for (let i = order - MEMORY_BASE - 1; i >= 0; i--) {
      const sum = summarize((builders[i] as ChunkBuilder).view());
      if (sum.good > 0) return { t: sum.lastT, v: sum.lastV };
    }
  }
  if (!s.persisted) return undefined;
  const row = st.previousGood.get(s.key, Math.min(order, MEMORY_BASE), s.sealed) as
    | { last_t: number; last_v: number }
    | undefined;
  return row ? { t: row.last_t, v: row.last_v } : undefined;
}

/** True when some chunks overlap in time (a clock step backwards): queries must merge. */
export function overlapping(refs: readonly ChunkRef[]): boolean {
  let maxLast = Number.NEGATIVE_INFINITY;
  for (const r of refs) {
    if (r.tFirst <= maxLast) return true;
    maxLast = Math.max(maxLast, r.tLast);
  }
  return false;
}
