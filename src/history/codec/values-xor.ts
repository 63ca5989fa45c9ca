/**
 * Gorilla XOR encoding of float64 values (Pelkonen et al., VLDB 2015), the
 * fallback when a chunk's values are not decimal numbers. Works on the raw
 * 64 bits, so every pattern — NaN payloads, ±Inf, -0, subnormals — round-trips.
 *
 *   first value              64 bits
 *   x = bits XOR previous:
 *     x = 0                  '0'
 *     fits previous window   '10' + meaningful bits of x
 *     otherwise              '11' + leading zeros (5 bits, ≤ 31) + length − 1 (6 bits) + bits
 *
 * Bits are handled as two unsigned 32-bit halves (hi, lo).
 */
import type { BitReader, BitWriter } from './bits.js';
import { f64Words } from './words.js';

function clz64(hi: number, lo: number): number {
  return hi !== 0 ? Math.clz32(hi) : 32 + Math.clz32(lo);
}

function ctz32(x: number): number {
  return 31 - Math.clz32(x & -x);
}

function ctz64(hi: number, lo: number): number {
  return lo !== 0 ? ctz32(lo) : 32 + ctz32(hi);
}

/** Bits [from, from + width) of the 64-bit value (width ≤ 24). */
function extract(hi: number, lo: number, from: number, width: number): number {
  const mask = (1 << width) - 1;
  if (from >= 32) return (hi >>> (from - 32)) & mask;
  if (from + width <= 32) return (lo >>> from) & mask;
  return ((hi << (32 - from)) | (lo >>> from)) & mask;
}

/** Writes bits [from, from + len) of (hi, lo), most significant first. */
function writeRange(w: BitWriter, hi: number, lo: number, from: number, len: number): void {
  let top = from + len;
  while (top > from) {
    const take = Math.min(24, top - from);
    top -= take;
    w.write(extract(hi, lo, top, take), take);
  }
}

/** Reads `len` bits into positions [from, from + len) of a 64-bit value; returns [hi, lo]. */
function readRange(r: BitReader, from: number, len: number, out: Uint32Array): void {
  let hi = 0;
  let lo = 0;
  let top = from + len;
  while (top > from) {
    const take = Math.min(24, top - from);
    top -= take;
    const v = r.read(take);
    if (top >= 32) hi |= v << (top - 32);
    else {
      lo |= v << top;
      if (top + take > 32) hi |= v >>> (32 - top);
    }
  }
  out[0] = lo >>> 0;
  out[1] = hi >>> 0;
}

export function writeXor(w: BitWriter, values: Float64Array, count: number): void {
  if (count === 0) return;
  const words = f64Words(values);
  let prevHi = words[1] as number;
  let prevLo = words[0] as number;
  w.write(prevHi, 32);
  w.write(prevLo, 32);
  let lead = -1;
  let trail = 0;
  for (let i = 1; i < count; i++) {
    const hi = words[2 * i + 1] as number;
    const lo = words[2 * i] as number;
    const xHi = (hi ^ prevHi) >>> 0;
    const xLo = (lo ^ prevLo) >>> 0;
    prevHi = hi;
    prevLo = lo;
    if (xHi === 0 && xLo === 0) {
      w.write(0, 1);
      continue;
    }
    const l = Math.min(31, clz64(xHi, xLo));
    const t = ctz64(xHi, xLo);
    if (lead >= 0 && l >= lead && t >= trail) {
      w.write(2, 2);
      writeRange(w, xHi, xLo, trail, 64 - lead - trail);
      continue;
    }
    lead = l;
    trail = t;
    const len = 64 - l - t;
    w.write(3, 2);
    w.write(l, 5);
    w.write(len - 1, 6);
    writeRange(w, xHi, xLo, t, len);
  }
}

export function readXor(r: BitReader, out: Float64Array, count: number): void {
  if (count === 0) return;
  const words = f64Words(out);
  const x = new Uint32Array(2);
  let prevHi = r.read(32);
  let prevLo = r.read(32);
  words[0] = prevLo;
  words[1] = prevHi;
  let lead = 0;
  let trail = 0;
  for (let i = 1; i < count; i++) {
    if (r.read(1) === 1) {
      if (r.read(1) === 1) {
        lead = r.read(5);
        trail = 64 - lead - (r.read(6) + 1);
        if (trail < 0) throw new RangeError('XOR window past 64 bits');
      }
      readRange(r, trail, 64 - lead - trail, x);
      prevLo = (prevLo ^ (x[0] as number)) >>> 0;
      prevHi = (prevHi ^ (x[1] as number)) >>> 0;
    }
    words[2 * i] = prevLo;
    words[2 * i + 1] = prevHi;
  }
}
