/**
 * Points of a time range in order: by timestamp, equal timestamps in
 * insertion order. Without overlapping chunks this is chunk after chunk;
 * after a clock step backwards (chunks overlapping in time) the points of the
 * range are gathered in insertion order and stably sorted by time.
 */

import { ChunkBuilder } from '../builder.js';
import { type ChunkRef, overlapping } from '../chunk-source.js';
import { allocColumns, type Columns } from '../codec/chunk-codec.js';
import type { RawPoints } from '../types.js';

/** First index i with t[i] ≥ x in sorted t[0..n). */
export function lowerBound(t: Float64Array, n: number, x: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((t[mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function gatherInOrder(refs: readonly ChunkRef[], from: number, to: number, limit: number): ChunkBuilder {
  const out = new ChunkBuilder(
    0,
    Math.max(
      16,
      Math.min(
        limit,
        refs.reduce((a, r) => a + r.count, 0),
      ),
    ),
  );
  const scratch = allocColumns(1024);
  for (const r of refs) {
    const p = r.points(scratch);
    const end = lowerBound(p.t, p.n, to);
    for (let i = lowerBound(p.t, p.n, from); i < end && out.cols.n < limit; i++) {
      out.push(p.t[i] as number, p.v[i] as number, p.q[i] as number);
    }
    if (out.cols.n >= limit) break;
  }
  return out;
}

function mergeSorted(refs: readonly ChunkRef[], from: number, to: number): Columns {
  const byInsertion = [...refs].sort((a, b) => a.order - b.order);
  const all = gatherInOrder(byInsertion, from, to, Number.POSITIVE_INFINITY).cols;
  const index = Array.from({ length: all.n }, (_, i) => i);
  index.sort((a, b) => (all.t[a] as number) - (all.t[b] as number)); // stable: ties keep insertion order
  const out = allocColumns(all.n);
  index.forEach((from, to) => {
    out.t[to] = all.t[from] as number;
    out.v[to] = all.v[from] as number;
    out.q[to] = all.q[from] as number;
  });
  out.n = all.n;
  return out;
}

/** Points with from ≤ t < to, in order, at most `limit` of them. */
export function pointsInRange(refs: readonly ChunkRef[], from: number, to: number, limit: number): RawPoints {
  let cols: Columns;
  let truncated: boolean;
  if (overlapping(refs)) {
    const merged = mergeSorted(refs, from, to);
    truncated = merged.n > limit;
    cols = { ...merged, n: Math.min(merged.n, limit) };
  } else {
    cols = gatherInOrder(refs, from, to, limit + 1).cols;
    truncated = cols.n > limit;
    cols.n = Math.min(cols.n, limit);
  }
  return {
    t: cols.t.slice(0, cols.n),
    v: cols.v.slice(0, cols.n),
    q: cols.q.slice(0, cols.n),
    length: cols.n,
    truncated,
  };
}
