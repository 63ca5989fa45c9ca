/**
 * An open chunk in memory: the points of one series appended since its last
 * sealed chunk, in insertion order and (by construction) in time order — the
 * store seals the builder before a point that is older than its last one, so
 * a clock step backwards starts a new chunk that overlaps the older ones in
 * time instead of rewriting them.
 *
 * `staged` counts the leading points already written to the staging log (so
 * they survive a crash); `firstCommit` is the commit holding the first one.
 */
import { allocColumns, type Columns } from './codec/chunk-codec.js';

export class ChunkBuilder {
  cols: Columns;
  /** Series index of the first point. */
  readonly idx: number;
  staged = 0;
  firstCommit: number | undefined;

  constructor(idx: number, capacity = 64) {
    this.idx = idx;
    this.cols = allocColumns(capacity);
  }

  get n(): number {
    return this.cols.n;
  }

  get tFirst(): number {
    return this.cols.t[0] as number;
  }

  get tLast(): number {
    return this.cols.t[this.cols.n - 1] as number;
  }

  push(t: number, v: number, q: number): void {
    const c = this.cols;
    if (c.n === c.t.length) this.#grow();
    const at = this.cols.n++;
    this.cols.t[at] = t;
    this.cols.v[at] = v;
    this.cols.q[at] = q;
  }

  /** Points [from, n) as their own columns (copies). */
  slice(from: number): Columns {
    const c = this.cols;
    return {
      t: c.t.slice(from, c.n),
      v: c.v.slice(from, c.n),
      q: c.q.slice(from, c.n),
      n: c.n - from,
    };
  }

  /** The used part of the columns (views, no copy). */
  view(): Columns {
    const c = this.cols;
    return { t: c.t.subarray(0, c.n), v: c.v.subarray(0, c.n), q: c.q.subarray(0, c.n), n: c.n };
  }

  #grow(): void {
    const old = this.cols;
    const next = allocColumns(old.t.length * 2);
    next.t.set(old.t);
    next.v.set(old.v);
    next.q.set(old.q);
    next.n = old.n;
    this.cols = next;
  }
}

/** Concatenates column sets (for a staging group spanning several builders). */
export function concatColumns(parts: readonly Columns[]): Columns {
  const n = parts.reduce((a, p) => a + p.n, 0);
  const out = allocColumns(n);
  let at = 0;
  for (const p of parts) {
    out.t.set(p.t.subarray(0, p.n), at);
    out.v.set(p.v.subarray(0, p.n), at);
    out.q.set(p.q.subarray(0, p.n), at);
    at += p.n;
  }
  out.n = n;
  return out;
}
