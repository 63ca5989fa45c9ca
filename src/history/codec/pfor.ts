/**
 * Patched frame-of-reference packing (PFor) of unsigned integers below 2^53,
 * in blocks of up to 128 values. Each block stores:
 *
 *   b   (6 bits)  width of every value's low part
 *   e   (8 bits)  number of exceptions (values wider than b bits)
 *   eb  (6 bits)  width of an exception's high part (only when e > 0)
 *   count × b bits        the low b bits of every value
 *   e × (7 + eb) bits     exception index in the block, then value >> b
 *
 * The encoder picks the b that minimises the block's size, so a block of
 * regular timestamps (all delta-of-delta 0) costs 14 bits, and one missing
 * sample adds two exceptions instead of widening all 128 slots.
 */
import { type BitReader, type BitWriter, bitLength, pow2 } from './bits.js';

export const BLOCK = 128;

function chooseWidth(hist: Int32Array, maxLen: number, count: number): { b: number; eb: number } {
  let best = count * maxLen;
  let bestB = maxLen;
  let above = 0;
  for (let b = maxLen - 1; b >= 0; b--) {
    above += hist[b + 1] as number;
    const cost = count * b + 6 + above * (7 + maxLen - b);
    if (cost < best) {
      best = cost;
      bestB = b;
    }
  }
  return { b: bestB, eb: maxLen - bestB };
}

function writeBlock(w: BitWriter, values: ArrayLike<number>, start: number, count: number, hist: Int32Array) {
  hist.fill(0);
  let maxLen = 0;
  for (let i = start; i < start + count; i++) {
    const len = bitLength(values[i] as number);
    hist[len] = (hist[len] as number) + 1;
    if (len > maxLen) maxLen = len;
  }
  const { b, eb } = chooseWidth(hist, maxLen, count);
  let exceptions = 0;
  for (let len = b + 1; len <= maxLen; len++) exceptions += hist[len] as number;
  w.write(b, 6);
  w.write(exceptions, 8);
  if (exceptions > 0) w.write(eb, 6);
  const scale = pow2(b);
  const mask = b < 31 ? (1 << b) - 1 : 0;
  for (let i = start; i < start + count; i++) {
    const u = values[i] as number;
    w.write(b < 31 && u < 2_147_483_648 ? u & mask : u % scale, b);
  }
  if (exceptions === 0) return;
  for (let i = start; i < start + count; i++) {
    const u = values[i] as number;
    if (u >= scale) {
      w.write(i - start, 7);
      w.write(Math.floor(u / scale), eb);
    }
  }
}

/** Packs `count` values starting at `start`. */
export function writePacked(w: BitWriter, values: ArrayLike<number>, start: number, count: number): void {
  const hist = new Int32Array(54);
  for (let s = start; s < start + count; s += BLOCK) {
    writeBlock(w, values, s, Math.min(BLOCK, start + count - s), hist);
  }
}

/** Unpacks `count` values into `out` starting at `start`; true when they are all 0. */
export function readPacked(r: BitReader, out: Float64Array, start: number, count: number): boolean {
  let zero = true;
  for (let s = start; s < start + count; s += BLOCK) {
    const n = Math.min(BLOCK, start + count - s);
    const b = r.read(6);
    const exceptions = r.read(8);
    const eb = exceptions > 0 ? r.read(6) : 0;
    if (b !== 0 || exceptions !== 0) zero = false;
    if (b === 0) out.fill(0, s, s + n);
    else if (b <= 24) r.unpack(out, s, n, b);
    else for (let i = s; i < s + n; i++) out[i] = r.read(b);
    const scale = pow2(b);
    for (let k = 0; k < exceptions; k++) {
      const at = s + r.read(7);
      out[at] = (out[at] as number) + r.read(eb) * scale;
    }
  }
  return zero;
}
