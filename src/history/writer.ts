/**
 * One flush = one transaction (docs/history.md, "Write path"):
 *   1. new series rows and changed metadata;
 *   2. the staging batch: every point appended since the last flush that is
 *      not sealed into a chunk in this same transaction (with registered
 *      publishers: every point), under the next commit number;
 *   3. the chunks sealed since the last flush, with their summaries, and the
 *      series' sealed index;
 *   4. the ring: eviction of the oldest chunks (ring.ts);
 *   5. staging rows no longer needed: all their points sealed, and
 *      acknowledged by every registered publisher.
 * The plan (encoding, summaries) is built before the transaction; memory is
 * updated only after the commit succeeded, so a failed write (disk full)
 * leaves everything in memory to be retried.
 */
import type { ChunkBuilder } from './builder.js';
import { concatColumns } from './builder.js';
import { type BatchGroup, encodeBatch } from './codec/batch-codec.js';
import { type Columns, encodeChunk } from './codec/chunk-codec.js';
import { type Evicted, enforceCapacity, makeRoom, pruneStaging, type RingContext } from './ring.js';
import type { SeriesState } from './series.js';
import type { Statements } from './statements.js';
import { type Summary, summarize } from './summary.js';
import type { StoreCounters } from './types.js';

export interface PlannedChunk {
  series: SeriesState;
  builder: ChunkBuilder;
  summary: Summary;
  blob: Uint8Array;
}

export interface FlushPlan {
  commit: number;
  at: number;
  series: SeriesState[];
  chunks: PlannedChunk[];
  /** Builders whose unstaged points go to staging now. */
  staged: ChunkBuilder[];
  batch: Uint8Array | undefined;
  batchPoints: number;
  /** Points stored but not sealed after this flush (open builders' staged points). */
  unsealedAfter: number;
  /** Oldest commit still needed for recovery after this flush (Infinity when none). */
  oldestNeeded: number;
  /** Bytes this flush adds (blobs + row overhead), for the low-disk check. */
  bytes: number;
}

const ROW_OVERHEAD = 96;

function unstaged(b: ChunkBuilder): Columns | undefined {
  return b.staged < b.n ? b.slice(b.staged) : undefined;
}

/** The staging group of one series (contiguous series indexes), or undefined. */
function groupOf(s: SeriesState, allPoints: boolean, staged: ChunkBuilder[]): BatchGroup | undefined {
  const builders = allPoints ? [...s.pending, ...(s.open ? [s.open] : [])] : s.open ? [s.open] : [];
  const parts: Columns[] = [];
  let idx = -1;
  for (const b of builders) {
    const part = unstaged(b);
    if (!part) continue;
    if (idx < 0) idx = b.idx + b.staged;
    parts.push(part);
    staged.push(b);
  }
  if (parts.length === 0) return undefined;
  return { key: s.key, idx, cols: parts.length === 1 ? (parts[0] as Columns) : concatColumns(parts) };
}

function openFirstCommit(s: SeriesState, commit: number, staging: boolean): number {
  const b = s.open;
  if (!b || b.n === 0) return Number.POSITIVE_INFINITY;
  if (b.firstCommit !== undefined && b.staged > 0) return b.firstCommit;
  return staging ? commit : Number.POSITIVE_INFINITY;
}

/** Encodes the sealed chunks (with summaries) and the staging batch of the plan's series. */
function encodeWork(plan: FlushPlan, publishers: boolean): void {
  const groups: BatchGroup[] = [];
  for (const s of plan.series) {
    for (const b of s.pending) {
      const cols = b.view();
      plan.chunks.push({ series: s, builder: b, summary: summarize(cols), blob: encodeChunk(cols) });
    }
    const g = groupOf(s, publishers, plan.staged);
    if (g) {
      groups.push(g);
      plan.batchPoints += g.cols.n;
    }
  }
  if (groups.length > 0) plan.batch = encodeBatch(groups);
}

export function planFlush(
  dirty: Iterable<SeriesState>,
  all: Iterable<SeriesState>,
  counters: StoreCounters,
  opts: { at: number; publishers: boolean },
): FlushPlan {
  const commit = counters.commit + 1;
  const plan: FlushPlan = {
    commit,
    at: opts.at,
    series: [...dirty],
    chunks: [],
    staged: [],
    batch: undefined,
    batchPoints: 0,
    unsealedAfter: 0,
    oldestNeeded: Number.POSITIVE_INFINITY,
    bytes: 0,
  };
  encodeWork(plan, opts.publishers);
  const stagingNow = new Set(plan.staged);
  for (const s of all) {
    const firstCommit = openFirstCommit(s, commit, s.open !== undefined && stagingNow.has(s.open));
    plan.oldestNeeded = Math.min(plan.oldestNeeded, firstCommit);
    if (s.open && firstCommit !== Number.POSITIVE_INFINITY) plan.unsealedAfter += s.open.n;
  }
  plan.bytes = (plan.batch?.length ?? 0) + ROW_OVERHEAD;
  for (const c of plan.chunks) plan.bytes += c.blob.length + ROW_OVERHEAD;
  return plan;
}

const orNull = (x: number) => (Number.isNaN(x) ? null : x);

function insertChunk(st: Statements, c: PlannedChunk): void {
  const b = c.builder;
  const s = c.summary;
  st.insertChunk.run(
    c.series.key,
    b.idx,
    b.n,
    b.tFirst,
    b.tLast,
    s.good,
    orNull(s.min),
    orNull(s.max),
    s.good > 0 ? s.sum : null,
    orNull(s.firstT),
    orNull(s.firstV),
    orNull(s.lastT),
    orNull(s.lastV),
    s.good > 0 ? s.increase : null,
    c.blob,
  );
}

/** Steps 1–3 of a flush, inside the caller's transaction. */
export function writePlan(st: Statements, plan: FlushPlan): void {
  for (const s of plan.series) {
    if (!s.persisted) st.insertSeries.run(s.key, s.id, JSON.stringify(s.meta));
    else if (s.metaDirty) st.updateMeta.run(JSON.stringify(s.meta), s.key);
  }
  if (plan.batch) st.insertStaging.run(plan.commit, plan.at, plan.batchPoints, plan.batch);
  const sealedUpTo = new Map<SeriesState, { sealed: number; span: number }>();
  for (const c of plan.chunks) {
    insertChunk(st, c);
    const prev = sealedUpTo.get(c.series) ?? { sealed: c.series.sealed, span: c.series.maxSpan };
    const span = Math.max(prev.span, c.builder.tLast - c.builder.tFirst);
    sealedUpTo.set(c.series, { sealed: c.builder.idx + c.builder.n, span });
  }
  for (const [s, v] of sealedUpTo) st.updateSealed.run(v.sealed, v.span, s.key);
}

/** Memory after a committed flush. */
export function applyPlan(plan: FlushPlan): void {
  for (const b of plan.staged) {
    if (b.staged === 0) b.firstCommit = plan.commit;
    b.staged = b.n;
  }
  for (const c of plan.chunks) {
    const s = c.series;
    s.sealed = c.builder.idx + c.builder.n;
    s.maxSpan = Math.max(s.maxSpan, c.builder.tLast - c.builder.tFirst);
  }
  for (const s of plan.series) {
    s.pending = [];
    s.persisted = true;
    s.metaDirty = false;
  }
}

export function saveCounters(st: Statements, c: StoreCounters): void {
  st.setState.run(c.commit, 'commit');
  st.setState.run(c.chunkPoints, 'chunk_points');
  st.setState.run(c.chunks, 'chunks');
  st.setState.run(c.prunedThrough, 'pruned_through');
  st.setState.run(c.droppedThrough, 'dropped_through');
  st.setState.run(c.replayFrom, 'replay_from');
}

export function loadCounters(st: Statements): StoreCounters {
  const rows = st.getState.all() as Array<{ k: string; v: number }>;
  const get = (k: string) => rows.find((r) => r.k === k)?.v ?? 0;
  return {
    commit: get('commit'),
    chunkPoints: get('chunk_points'),
    chunks: get('chunks'),
    prunedThrough: get('pruned_through'),
    droppedThrough: get('dropped_through'),
    replayFrom: get('replay_from'),
    stagingPoints: (st.stagingTotal.get() as { n: number }).n,
  };
}

/**
 * The flush transaction: room first when the disk is low, then the plan, the
 * counters, the ring and the staging retention. Returns what was evicted.
 */
export function commitFlush(
  ctx: RingContext,
  plan: FlushPlan,
  lowDisk: boolean,
  acks: ReadonlyMap<string, number>,
): Evicted {
  const { counters, st } = ctx;
  return ctx.db
    .transaction((): Evicted => {
      const room = lowDisk ? makeRoom(ctx, plan.bytes) : { points: 0, chunks: 0 };
      writePlan(st, plan);
      if (plan.batch) counters.commit = plan.commit;
      counters.stagingPoints += plan.batchPoints;
      for (const c of plan.chunks) counters.chunkPoints += c.builder.n;
      counters.chunks += plan.chunks.length;
      const cap = enforceCapacity(ctx, plan.unsealedAfter);
      pruneStaging(ctx, plan.oldestNeeded, acks);
      counters.replayFrom = Math.min(plan.oldestNeeded, counters.commit + 1);
      saveCounters(st, counters);
      return { points: room.points + cap.points, chunks: room.chunks + cap.chunks };
    })
    .immediate();
}
