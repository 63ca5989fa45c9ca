/**
 * Downsampling: min, max, average and last good value per bucket. A chunk
 * that lies wholly inside one bucket contributes its stored summary and is
 * not decoded; the others are decoded and walked once with a moving bucket
 * pointer (their points are sorted). Order of chunks does not matter for
 * min/max/sum/count; "last" is the good point with the greatest (time,
 * insertion order), so overlapping chunks after a clock step stay correct.
 */

import type { ChunkRef } from '../chunk-source.js';
import { allocColumns, type Columns } from '../codec/chunk-codec.js';
import type { Bucket } from '../types.js';
import { bucketOf } from './edges.js';
import { lowerBound } from './points.js';

class Acc {
  readonly count: Float64Array;
  readonly min: Float64Array;
  readonly max: Float64Array;
  readonly sum: Float64Array;
  readonly lastT: Float64Array;
  readonly lastV: Float64Array;
  readonly lastOrder: Float64Array;

  constructor(n: number) {
    this.count = new Float64Array(n);
    this.min = new Float64Array(n).fill(Number.POSITIVE_INFINITY);
    this.max = new Float64Array(n).fill(Number.NEGATIVE_INFINITY);
    this.sum = new Float64Array(n);
    this.lastT = new Float64Array(n).fill(Number.NEGATIVE_INFINITY);
    this.lastV = new Float64Array(n);
    this.lastOrder = new Float64Array(n).fill(-1);
  }

  last(b: number, t: number, v: number, order: number): void {
    const lt = this.lastT[b] as number;
    if (t > lt || (t === lt && order >= (this.lastOrder[b] as number))) {
      this.lastT[b] = t;
      this.lastV[b] = v;
      this.lastOrder[b] = order;
    }
  }
}

function addSummary(acc: Acc, b: number, r: ChunkRef): void {
  const s = r.summary;
  if (s.good === 0) return;
  acc.count[b] = (acc.count[b] as number) + s.good;
  acc.sum[b] = (acc.sum[b] as number) + s.sum;
  if (s.min < (acc.min[b] as number)) acc.min[b] = s.min;
  if (s.max > (acc.max[b] as number)) acc.max[b] = s.max;
  acc.last(b, s.lastT, s.lastV, r.order);
}

/** Adds the good points t[from, to) — all inside bucket b — to the bucket. */
function addRun(acc: Acc, b: number, p: Columns, from: number, to: number, order: number): void {
  const { t, v, q } = p;
  let count = 0;
  let sum = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let lastI = -1;
  for (let i = from; i < to; i++) {
    const x = v[i] as number;
    if (q[i] !== 0 || x - x !== 0) continue;
    count++;
    sum += x;
    if (x < min) min = x;
    if (x > max) max = x;
    lastI = i;
  }
  if (count === 0) return;
  acc.count[b] = (acc.count[b] as number) + count;
  acc.sum[b] = (acc.sum[b] as number) + sum;
  if (min < (acc.min[b] as number)) acc.min[b] = min;
  if (max > (acc.max[b] as number)) acc.max[b] = max;
  acc.last(b, t[lastI] as number, v[lastI] as number, order);
}

/** Walks the decoded points of one chunk into the buckets, one run per bucket. */
function addPoints(acc: Acc, edges: readonly number[], r: ChunkRef, scratch: Columns): void {
  const p = r.points(scratch);
  const t = p.t;
  let i = lowerBound(t, p.n, edges[0] as number);
  const end = lowerBound(t, p.n, edges[edges.length - 1] as number);
  while (i < end) {
    const b = bucketOf(edges, t[i] as number);
    const runEnd = Math.min(end, lowerBound(t, p.n, edges[b + 1] as number));
    addRun(acc, b, p, i, runEnd, r.order);
    i = runEnd;
  }
}

export function downsample(refs: readonly ChunkRef[], edges: readonly number[]): Bucket[] {
  const n = edges.length - 1;
  const acc = new Acc(n);
  const scratch = allocColumns(1024);
  for (const r of refs) {
    const b = bucketOf(edges, r.tFirst);
    if (b >= 0 && b === bucketOf(edges, r.tLast)) addSummary(acc, b, r);
    else addPoints(acc, edges, r, scratch);
  }
  const out: Bucket[] = [];
  for (let b = 0; b < n; b++) {
    const c = acc.count[b] as number;
    out.push({
      start: edges[b] as number,
      end: edges[b + 1] as number,
      count: c,
      min: c > 0 ? (acc.min[b] as number) : null,
      max: c > 0 ? (acc.max[b] as number) : null,
      avg: c > 0 ? (acc.sum[b] as number) / c : null,
      last: c > 0 ? (acc.lastV[b] as number) : null,
      lastT: c > 0 ? (acc.lastT[b] as number) : null,
    });
  }
  return out;
}
