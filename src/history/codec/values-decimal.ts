/**
 * Decimal encoding of float64 values (the idea of ALP, Afroozeh et al.,
 * SIGMOD 2024): meters report numbers with a fixed decimal resolution
 * (230.4 V, 12.345 A, 1 234 567 Wh), so a chunk's values are usually
 * v = T(n, k) for small integers n and one exponent k. The integers are then
 * predicted (order 0, 1 or 2) and the residuals PFor-packed.
 *
 * Transforms T (chosen per chunk, verified value by value, so the round trip
 * is exact):
 *   1 DIV  v = n / 10^k              decimals parsed or computed by division
 *   2 F32  v = fround(n / 10^k)      float32 registers holding decimals (230.4f)
 *   3 MUL  v = n × 1e-k              raw integer registers times a scale constant
 * Values that do not fit (NaN, ±Inf, -0, noise beyond 15 decimals, |n| > 2^50)
 * are exceptions stored as raw 64 bits. With more than a quarter exceptions
 * the chunk uses XOR encoding instead.
 *
 *   transform (2 bits) · k (4 bits) · order (2 bits)
 *   exceptions: varint count, then per exception varint index gap + 64 raw bits
 *   n0 (signed varint) · order 2: n1 − n0 (signed varint)
 *   residuals (PFor of zigzag values), count − max(1, order) of them
 */
import { type BitReader, type BitWriter, unzigzag, zigzag } from './bits.js';
import { readPacked, writePacked } from './pfor.js';
import { f64Words } from './words.js';

export const DIV = 1;
export const F32 = 2;
export const MUL = 3;
const MAX_K = 15;
const LIMIT = 2 ** 50;
const POW10: readonly number[] = Array.from({ length: MAX_K + 1 }, (_, k) => 10 ** k);
const INV10: readonly number[] = Array.from({ length: MAX_K + 1 }, (_, k) => Number(`1e-${k}`));

export interface DecimalPlan {
  transform: number;
  k: number;
  order: number;
  /** Integers n (exception slots hold the previous integer, so residuals stay small). */
  ints: Float64Array;
  exceptions: number[];
}

function apply(transform: number, n: number, k: number): number {
  if (transform === DIV) return n / (POW10[k] as number);
  if (transform === F32) return Math.fround(n / (POW10[k] as number));
  return n * (INV10[k] as number);
}

/** The integer for `v` at exponent k under the transform, or undefined. */
function integerOf(transform: number, v: number, k: number): number | undefined {
  const n = Math.round(v * (POW10[k] as number)) + 0;
  return Math.abs(n) <= LIMIT && apply(transform, n, k) === v ? n : undefined;
}

function minimalK(transform: number, v: number): number {
  if (!Number.isFinite(v) || (v === 0 && 1 / v < 0)) return -1;
  for (let k = 0; k <= MAX_K; k++) if (integerOf(transform, v, k) !== undefined) return k;
  return -1;
}

function fill(plan: DecimalPlan, values: Float64Array, count: number): void {
  const { transform, k, ints, exceptions } = plan;
  let prev = 0;
  for (let i = 0; i < count; i++) {
    const v = values[i] as number;
    const n = v === 0 && 1 / v < 0 ? undefined : integerOf(transform, v, k);
    if (n === undefined) {
      exceptions.push(i);
      ints[i] = prev;
    } else {
      ints[i] = n;
      prev = n;
    }
  }
}

/** Plans a transform; undefined when it does not suit (too many exceptions). */
function planFor(transform: number, values: Float64Array, count: number): DecimalPlan | undefined {
  const hist = new Int32Array(MAX_K + 2);
  for (let i = 0; i < count; i++) {
    const k = minimalK(transform, values[i] as number);
    hist[k + 1] = (hist[k + 1] as number) + 1;
    if (i === 31 && (hist[0] as number) > 16) return undefined; // clearly not this transform
  }
  let best: DecimalPlan | undefined;
  let bestCost = Number.POSITIVE_INFINITY;
  for (let k = 0; k <= MAX_K; k++) {
    if (hist[k + 1] === 0) continue;
    const plan: DecimalPlan = { transform, k, order: 1, ints: new Float64Array(count), exceptions: [] };
    fill(plan, values, count);
    const cost = plan.exceptions.length * 72 + count * 3.33 * k;
    if (cost < bestCost) {
      best = plan;
      bestCost = cost;
    }
  }
  if (!best || best.exceptions.length * 4 > count) return undefined;
  best.order = chooseOrder(best.ints, count);
  return best;
}

function chooseOrder(ints: Float64Array, count: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  const n0 = ints[0] as number;
  for (let i = 1; i < count; i++) {
    const d = (ints[i] as number) - (ints[i - 1] as number);
    s0 += Math.abs((ints[i] as number) - n0);
    s1 += Math.abs(d);
    if (i >= 2) s2 += Math.abs(d - ((ints[i - 1] as number) - (ints[i - 2] as number)));
  }
  if (s2 < s1 && s2 < s0) return 2;
  return s0 < s1 ? 0 : 1;
}

function isFloat32(values: Float64Array, count: number): boolean {
  for (let i = 0; i < count; i++) {
    const v = values[i] as number;
    if (Number.isFinite(v) && Math.fround(v) !== v) return false;
  }
  return true;
}

/** Picks the best decimal plan for the values, or undefined (use XOR). */
export function planDecimal(values: Float64Array, count: number): DecimalPlan | undefined {
  const order = isFloat32(values, count) ? [F32, DIV, MUL] : [DIV, MUL];
  for (const transform of order) {
    const plan = planFor(transform, values, count);
    if (plan) return plan;
  }
  return undefined;
}

function residuals(ints: Float64Array, count: number, order: number): Float64Array {
  const head = Math.max(1, order);
  const out = new Float64Array(Math.max(0, count - head));
  const n0 = ints[0] as number;
  for (let i = head; i < count; i++) {
    const a = ints[i] as number;
    const b = ints[i - 1] as number;
    const r = order === 0 ? a - n0 : order === 1 ? a - b : a - 2 * b + (ints[i - 2] as number);
    out[i - head] = zigzag(r);
  }
  return out;
}

export function writeDecimal(w: BitWriter, plan: DecimalPlan, values: Float64Array, count: number): void {
  w.write(plan.transform, 2);
  w.write(plan.k, 4);
  w.write(plan.order, 2);
  w.writeVarint(plan.exceptions.length);
  const words = f64Words(values);
  let last = 0;
  for (const i of plan.exceptions) {
    w.writeVarint(i - last);
    last = i;
    w.write(words[2 * i + 1] as number, 32);
    w.write(words[2 * i] as number, 32);
  }
  const ints = plan.ints;
  w.writeSignedVarint(ints[0] as number);
  if (plan.order === 2 && count > 1) w.writeSignedVarint((ints[1] as number) - (ints[0] as number));
  const res = residuals(ints, count, plan.order);
  writePacked(w, res, 0, res.length);
}

/** Integers from the residuals (in place) and their values through the transform, in one pass. */
function rebuild(
  out: Float64Array,
  count: number,
  order: number,
  n0: number,
  d1: number,
  tf: number,
  k: number,
) {
  const head = Math.max(1, order);
  const p = POW10[k] as number;
  const inv = INV10[k] as number;
  let prev = n0;
  let delta = d1;
  for (let i = 0; i < count; i++) {
    if (i === 1 && head === 2) prev = n0 + d1;
    else if (i >= head) {
      const u = out[i] as number;
      const r = u < 2_147_483_648 ? (u >>> 1) ^ -(u & 1) : unzigzag(u);
      if (order === 0) prev = n0 + r;
      else if (order === 1) prev += r;
      else {
        delta += r;
        prev += delta;
      }
    }
    out[i] = tf === DIV ? prev / p : tf === F32 ? Math.fround(prev / p) : prev * inv;
  }
}

export function readDecimal(r: BitReader, out: Float64Array, count: number): void {
  const transform = r.read(2);
  const k = r.read(4);
  const order = r.read(2);
  if (transform === 0 || order === 3) throw new RangeError('bad decimal header');
  const nExc = r.readVarint();
  const exc = nExc > 0 ? new Float64Array(3 * nExc) : undefined;
  let at = 0;
  for (let j = 0; j < nExc; j++) {
    at += r.readVarint();
    if (at >= count) throw new RangeError('exception index past the chunk');
    (exc as Float64Array).set([at, r.read(32), r.read(32)], 3 * j);
  }
  const n0 = r.readSignedVarint();
  const d1 = order === 2 && count > 1 ? r.readSignedVarint() : 0;
  const head = Math.max(1, order);
  if (count > head) readPacked(r, out, head, count - head);
  rebuild(out, count, order, n0, d1, transform, k);
  if (!exc) return;
  const words = f64Words(out);
  for (let j = 0; j < nExc; j++) {
    const i = exc[3 * j] as number;
    words[2 * i + 1] = exc[3 * j + 1] as number;
    words[2 * i] = exc[3 * j + 2] as number;
  }
}
