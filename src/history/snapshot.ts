/**
 * A series' in-memory state as plain data, for a reader in another thread
 * (replica.ts): its key, id and metadata, its `sealed` index and largest
 * chunk span, and copies of the points not yet in chunk rows (the builders).
 * With the chunk rows of `idx < sealed` from its own database connection, a
 * replica sees exactly what the store saw when the snapshot was taken.
 */
import { ChunkBuilder } from './builder.js';
import { memoryBuilders, newSeries, type SeriesState } from './series.js';
import type { SeriesMeta } from './types.js';

export interface SeriesSnapshot {
  readonly key: number;
  readonly id: string;
  readonly meta: SeriesMeta;
  readonly persisted: boolean;
  readonly sealed: number;
  readonly next: number;
  readonly maxSpan: number;
  /** Points not yet in chunk rows, one entry per builder, in insertion order. */
  readonly memory: ReadonlyArray<{ idx: number; t: Float64Array; v: Float64Array; q: Uint8Array }>;
}

export function snapshotOf(s: SeriesState): SeriesSnapshot {
  return {
    key: s.key,
    id: s.id,
    meta: { ...s.meta },
    persisted: s.persisted,
    sealed: s.sealed,
    next: s.next,
    maxSpan: s.maxSpan,
    memory: memoryBuilders(s)
      .filter((b) => b.n > 0)
      .map((b) => {
        const c = b.slice(0);
        return { idx: b.idx, t: c.t, v: c.v, q: c.q };
      }),
  };
}

/** A series state to read from (never to write to) rebuilt from a snapshot. */
export function seriesFromSnapshot(snap: SeriesSnapshot): SeriesState {
  const s = newSeries(snap.key, snap.id, snap.meta, snap.persisted);
  s.sealed = snap.sealed;
  s.next = snap.next;
  s.maxSpan = snap.maxSpan;
  for (const m of snap.memory) {
    const b = new ChunkBuilder(m.idx, Math.max(1, m.t.length));
    for (let i = 0; i < m.t.length; i++) b.push(m.t[i] as number, m.v[i] as number, m.q[i] as number);
    s.pending.push(b);
  }
  return s;
}
