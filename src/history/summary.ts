/**
 * Chunk summaries (pure): what a query needs from a chunk that lies wholly
 * inside one bucket, so that it need not be decoded. Only good points count
 * (quality 0 and a finite value).
 *
 * The counter increase follows the usual counter semantics: each good reading
 * adds its difference to the previous good reading; a reading lower than the
 * previous one is a reset, and the counter is taken to have restarted from 0
 * (it adds its own value). Differences are taken in insertion order, which
 * inside a chunk is also time order.
 */
import type { Columns } from './codec/chunk-codec.js';

export interface Summary {
  good: number;
  min: number;
  max: number;
  sum: number;
  firstT: number;
  firstV: number;
  lastT: number;
  lastV: number;
  increase: number;
}

export const EMPTY_SUMMARY: Readonly<Summary> = {
  good: 0,
  min: Number.NaN,
  max: Number.NaN,
  sum: 0,
  firstT: Number.NaN,
  firstV: Number.NaN,
  lastT: Number.NaN,
  lastV: Number.NaN,
  increase: 0,
};

export function isGood(v: number, q: number): boolean {
  return q === 0 && v - v === 0;
}

/** The increase from reading `prev` to reading `v` (a lower reading is a reset from 0). */
export function counterStep(prev: number, v: number): number {
  return v >= prev ? v - prev : v;
}

export function summarize(cols: Columns): Summary {
  const s: Summary = { ...EMPTY_SUMMARY };
  const { t, v, q, n } = cols;
  for (let i = 0; i < n; i++) {
    const x = v[i] as number;
    if (!isGood(x, q[i] as number)) continue;
    if (s.good === 0) {
      s.min = x;
      s.max = x;
      s.firstT = t[i] as number;
      s.firstV = x;
    } else {
      if (x < s.min) s.min = x;
      if (x > s.max) s.max = x;
      s.increase += counterStep(s.lastV, x);
    }
    s.good++;
    s.sum += x;
    s.lastT = t[i] as number;
    s.lastV = x;
  }
  return s;
}
