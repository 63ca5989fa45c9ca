/**
 * Energy per interval from a cumulative counter. Chunks are walked in
 * insertion order — the order the meter was read — not time order, so a
 * clock step backwards neither fakes a counter reset nor loses energy. Each
 * good reading adds `counterStep(previous good reading, reading)` (a lower
 * reading is a reset: the counter restarted from 0) to the bucket holding the
 * reading's timestamp. The reading before the first chunk of the range comes
 * from the database (the previous chunk of the series in insertion order).
 * A chunk inside one bucket adds its stored increase without being decoded.
 */

import type { ChunkRef } from '../chunk-source.js';
import { allocColumns, type Columns } from '../codec/chunk-codec.js';
import { counterStep } from '../summary.js';
import type { EnergyBucket } from '../types.js';
import { bucketOf } from './edges.js';

export type PreviousReading = (ref: ChunkRef) => { t: number; v: number } | undefined;

interface Walk {
  energy: Float64Array;
  readings: Float64Array;
  prev: number | undefined;
}

function addChunkSummary(w: Walk, b: number, r: ChunkRef): void {
  const s = r.summary;
  if (s.good === 0) return;
  let e = s.increase;
  let readings = s.good - 1;
  if (w.prev !== undefined) {
    e += counterStep(w.prev, s.firstV);
    readings++;
  }
  w.energy[b] = (w.energy[b] as number) + e;
  w.readings[b] = (w.readings[b] as number) + readings;
  w.prev = s.lastV;
}

function addChunkPoints(w: Walk, edges: readonly number[], r: ChunkRef, scratch: Columns): void {
  const p = r.points(scratch);
  for (let i = 0; i < p.n; i++) {
    const x = p.v[i] as number;
    if (p.q[i] !== 0 || x - x !== 0) continue;
    if (w.prev !== undefined) {
      const b = bucketOf(edges, p.t[i] as number);
      if (b >= 0) {
        w.energy[b] = (w.energy[b] as number) + counterStep(w.prev, x);
        w.readings[b] = (w.readings[b] as number) + 1;
      }
    }
    w.prev = x;
  }
}

/** Energy per bucket; `refs` are the chunks of one series that touch the range. */
export function energyPerBucket(
  refs: readonly ChunkRef[],
  edges: readonly number[],
  previous: PreviousReading,
): EnergyBucket[] {
  const n = edges.length - 1;
  const w: Walk = { energy: new Float64Array(n), readings: new Float64Array(n), prev: undefined };
  const scratch = allocColumns(1024);
  const byInsertion = [...refs].sort((a, b) => a.order - b.order);
  let before: ChunkRef | undefined;
  for (const r of byInsertion) {
    const contiguous = before !== undefined && before.idx + before.count === r.idx;
    if (!contiguous) w.prev = previous(r)?.v;
    const b = bucketOf(edges, r.tFirst);
    if (b >= 0 && b === bucketOf(edges, r.tLast)) addChunkSummary(w, b, r);
    else addChunkPoints(w, edges, r, scratch);
    before = r;
  }
  return Array.from({ length: n }, (_, b) => ({
    start: edges[b] as number,
    end: edges[b + 1] as number,
    energy: w.energy[b] as number,
    readings: w.readings[b] as number,
  }));
}
