/**
 * The ring and the staging log's retention, run inside a flush transaction
 * (docs/history.md, "Ring" and "Publication"):
 * - capacity: the oldest chunks (creation order) are deleted while the stored
 *   points exceed the point capacity, or the pages in use exceed the byte
 *   capacity; whole chunks, oldest first;
 * - low disk: before writing, chunks are deleted until the free pages inside
 *   the file can hold the flush, so the file stops growing;
 * - staging: rows whose points are all sealed and acknowledged by every
 *   registered publisher are deleted; rows kept for publishers beyond the
 *   backlog limit are dropped — after the `unpublished-dropped` alarm.
 */
import type Database from 'better-sqlite3';
import type { HistorySettings } from './settings.js';
import type { Statements } from './statements.js';
import type { HistoryAlarmKind, StoreCounters } from './types.js';

export type RaiseAlarm = (
  kind: HistoryAlarmKind,
  active: boolean,
  message: string,
  details?: Record<string, unknown>,
) => void;

export interface RingContext {
  db: Database.Database;
  st: Statements;
  counters: StoreCounters;
  settings: HistorySettings;
  alarm: RaiseAlarm;
}

export interface Evicted {
  points: number;
  chunks: number;
}

/** Deletes the oldest chunks until at least `points` points or `bytes` blob bytes are gone. */
export function evictOldest(ctx: RingContext, want: { points?: number; bytes?: number }): Evicted {
  const out: Evicted = { points: 0, chunks: 0 };
  let bytes = 0;
  let last = 0;
  const enough = () => out.points >= (want.points ?? 0) && bytes >= (want.bytes ?? 0);
  while (!enough()) {
    const rows = ctx.st.oldestChunks.all(last) as Array<{ seq: number; count: number; bytes: number }>;
    if (rows.length === 0) break;
    for (const r of rows) {
      last = r.seq;
      out.points += r.count;
      out.chunks++;
      bytes += r.bytes + 64;
      if (enough()) break;
    }
  }
  if (out.chunks > 0) ctx.st.deleteChunksThrough.run(last);
  ctx.counters.chunkPoints -= out.points;
  ctx.counters.chunks -= out.chunks;
  return out;
}

function pages(db: Database.Database): { used: number; free: number; size: number } {
  const count = db.pragma('page_count', { simple: true }) as number;
  const free = db.pragma('freelist_count', { simple: true }) as number;
  const size = db.pragma('page_size', { simple: true }) as number;
  return { used: count - free, free, size };
}

/**
 * Low disk: makes room inside the file for a flush of `bytes`, so the file
 * need not grow: the oldest chunks are deleted for what the free pages cannot
 * hold, plus 16 pages for the rows that do not pack into partly used pages —
 * in one pass. Space freed inside partly used pages does not show in the free
 * list but is reused by the rows this flush writes; evicting again until the
 * free list grows (as before issue 14) deleted far more than needed.
 */
export function makeRoom(ctx: RingContext, bytes: number): Evicted {
  const p = pages(ctx.db);
  const missing = bytes + 16 * p.size - p.free * p.size;
  return missing > 0 ? evictOldest(ctx, { bytes: missing }) : { points: 0, chunks: 0 };
}

/** Enforces the configured capacity after the flush's rows are written. */
export function enforceCapacity(ctx: RingContext, unsealed: number): Evicted {
  const cap = ctx.settings.capacity;
  if (cap.mode === 'points') {
    const over = ctx.counters.chunkPoints + unsealed - cap.points;
    return over > 0 ? evictOldest(ctx, { points: over }) : { points: 0, chunks: 0 };
  }
  const total: Evicted = { points: 0, chunks: 0 };
  for (let round = 0; round < 8; round++) {
    const p = pages(ctx.db);
    const over = p.used * p.size - cap.bytes;
    if (over <= 0) break;
    const e = evictOldest(ctx, { bytes: over });
    total.points += e.points;
    total.chunks += e.chunks;
    if (e.chunks === 0) break;
  }
  return total;
}

function deleteStagingBefore(ctx: RingContext, limit: number): number {
  const n = (ctx.st.stagingPointsBefore.get(limit) as { n: number }).n;
  ctx.st.deleteStagingBefore.run(limit);
  ctx.counters.stagingPoints -= n;
  ctx.counters.prunedThrough = Math.max(ctx.counters.prunedThrough, limit - 1);
  return n;
}

/** Drops the oldest backlog rows beyond the limit (alarm first); raises/clears the lag alarm. */
function limitBacklog(ctx: RingContext, oldestNeeded: number, publishers: readonly string[]): void {
  const { backlogPoints, lagAlarmRatio } = ctx.settings.publication;
  if (ctx.counters.stagingPoints < lagAlarmRatio * backlogPoints) {
    ctx.alarm('publisher-lag', false, 'publication backlog back under its alarm level');
    return;
  }
  const rows = ctx.st.stagingCounts.all(oldestNeeded) as Array<{ commitNo: number; points: number }>;
  let backlog = rows.reduce((a, r) => a + r.points, 0);
  if (backlog >= lagAlarmRatio * backlogPoints) {
    ctx.alarm('publisher-lag', true, 'publishers are behind: their backlog nears its limit', {
      backlogPoints: backlog,
      limit: backlogPoints,
      publishers,
    });
  }
  let cut = 0;
  let dropped = 0;
  for (const r of rows) {
    if (backlog <= backlogPoints) break;
    backlog -= r.points;
    dropped += r.points;
    cut = r.commitNo;
  }
  if (cut === 0) return;
  ctx.alarm('unpublished-dropped', true, 'unpublished points dropped: the publication backlog is full', {
    fromPosition: ctx.counters.prunedThrough + 1,
    throughPosition: cut,
    points: dropped,
    publishers,
  });
  deleteStagingBefore(ctx, cut + 1);
  ctx.counters.droppedThrough = Math.max(ctx.counters.droppedThrough, cut);
}

/**
 * Deletes staging rows no longer needed: older than `oldestNeeded` (all their
 * points are in chunks) and acknowledged by every publisher (`minAck`).
 */
export function pruneStaging(
  ctx: RingContext,
  oldestNeeded: number,
  acks: ReadonlyMap<string, number>,
): void {
  const minAck = acks.size === 0 ? Number.POSITIVE_INFINITY : Math.min(...acks.values());
  const limit = Math.min(oldestNeeded, minAck + 1, ctx.counters.commit + 1);
  if (limit > ctx.counters.prunedThrough + 1) deleteStagingBefore(ctx, limit);
  if (acks.size > 0) limitBacklog(ctx, Math.min(oldestNeeded, ctx.counters.commit + 1), [...acks.keys()]);
}
