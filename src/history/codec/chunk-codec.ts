/**
 * The history chunk codec (pure: no I/O, no clock). A chunk is one series'
 * points — timestamps, float64 values and quality flags — in one byte string:
 *
 *   version (4 bits, = 1) · count (varint)
 *   timestamps  t0 (signed varint) · t1 − t0 (signed varint) ·
 *               delta-of-delta of the rest, zigzag + PFor (pfor.ts)
 *   values      mode (1 bit): 1 = decimal (values-decimal.ts), 0 = XOR (values-xor.ts)
 *   quality     run count (varint), then per run: flag (8 bits) · length (varint)
 *   zero padding to a byte boundary
 *
 * Timestamps are integer milliseconds with |t| ≤ 2^50 in any order (the
 * store keeps each chunk sorted, the codec does not need it). Every float64
 * bit pattern round-trips exactly (decimal values are verified one by one at
 * encode time, the rest are kept as raw bits). Quality flags are 0–255.
 */
import { BitReader, BitWriter, unzigzag, zigzag } from './bits.js';
import { readPacked, writePacked } from './pfor.js';
import { planDecimal, readDecimal, writeDecimal } from './values-decimal.js';
import { readXor, writeXor } from './values-xor.js';

export const CHUNK_FORMAT_VERSION = 1;
/** Largest |timestamp| the codec accepts (ms, ≈ 35 700 years). */
export const MAX_ABS_TIME = 2 ** 50;
/** Largest number of points in one chunk (a guard against corrupt counts). */
export const MAX_POINTS = 2 ** 24;

/** Points in columns; `n` of them are used (arrays may be longer). */
export interface Columns {
  t: Float64Array;
  v: Float64Array;
  q: Uint8Array;
  n: number;
}

export function allocColumns(capacity: number): Columns {
  return { t: new Float64Array(capacity), v: new Float64Array(capacity), q: new Uint8Array(capacity), n: 0 };
}

function writeTimes(w: BitWriter, t: Float64Array, n: number): void {
  if (n === 0) return;
  w.writeSignedVarint(t[0] as number);
  if (n === 1) return;
  let prevDelta = (t[1] as number) - (t[0] as number);
  w.writeSignedVarint(prevDelta);
  if (n === 2) return;
  const dods = new Float64Array(n - 2);
  for (let i = 2; i < n; i++) {
    const delta = (t[i] as number) - (t[i - 1] as number);
    dods[i - 2] = zigzag(delta - prevDelta);
    prevDelta = delta;
  }
  writePacked(w, dods, 0, n - 2);
}

function readTimes(r: BitReader, t: Float64Array, n: number): void {
  if (n === 0) return;
  const t0 = r.readSignedVarint();
  t[0] = t0;
  if (n === 1) return;
  let delta = r.readSignedVarint();
  let prev = t0 + delta;
  t[1] = prev;
  if (n === 2) return;
  if (readPacked(r, t, 2, n - 2)) {
    for (let i = 2; i < n; i++) t[i] = t0 + i * delta; // regular: every delta-of-delta is 0
    return;
  }
  for (let i = 2; i < n; i++) {
    const u = t[i] as number;
    delta += u < 2_147_483_648 ? (u >>> 1) ^ -(u & 1) : unzigzag(u);
    prev += delta;
    t[i] = prev;
  }
}

function writeQuality(w: BitWriter, q: Uint8Array, n: number): void {
  let runs = 0;
  for (let i = 0; i < n; i++) if (i === 0 || q[i] !== q[i - 1]) runs++;
  w.writeVarint(runs);
  let i = 0;
  while (i < n) {
    const flag = q[i] as number;
    let j = i + 1;
    while (j < n && q[j] === flag) j++;
    w.write(flag, 8);
    w.writeVarint(j - i);
    i = j;
  }
}

function readQuality(r: BitReader, q: Uint8Array, n: number): void {
  const runs = r.readVarint();
  let at = 0;
  for (let k = 0; k < runs; k++) {
    const flag = r.read(8);
    const len = r.readVarint();
    if (at + len > n) throw new RangeError('quality runs past the chunk');
    q.fill(flag, at, at + len);
    at += len;
  }
  if (at !== n) throw new RangeError('quality runs do not cover the chunk');
}

/** Encodes the first `cols.n` points. */
export function encodeChunk(cols: Columns): Uint8Array {
  const n = cols.n;
  const w = new BitWriter(64 + n * 2);
  w.write(CHUNK_FORMAT_VERSION, 4);
  w.writeVarint(n);
  writeTimes(w, cols.t, n);
  const plan = n > 0 ? planDecimal(cols.v, n) : undefined;
  if (plan) {
    w.write(1, 1);
    writeDecimal(w, plan, cols.v, n);
  } else {
    w.write(0, 1);
    writeXor(w, cols.v, n);
  }
  writeQuality(w, cols.q, n);
  return w.finish();
}

/** Number of points in an encoded chunk (reads the header only). */
export function chunkCount(bytes: Uint8Array): number {
  const r = new BitReader(bytes.subarray(0, 12));
  if (r.read(4) !== CHUNK_FORMAT_VERSION) throw new RangeError('unknown chunk format version');
  return r.readVarint();
}

/** Word buffer reused by every decode (decoding is synchronous and never nested). */
const scratch = { words: new Uint32Array(1024) };

function ensure(out: Columns | undefined, n: number): Columns {
  if (out && out.t.length >= n) return out;
  return allocColumns(Math.max(n, 16));
}

/**
 * Decodes a chunk into `out` (reused when large enough, else a new one is
 * returned). Throws RangeError on bytes that are not a valid chunk.
 */
export function decodeChunk(bytes: Uint8Array, out?: Columns): Columns {
  const r = new BitReader(bytes, scratch);
  if (r.read(4) !== CHUNK_FORMAT_VERSION) throw new RangeError('unknown chunk format version');
  const n = r.readVarint();
  if (n > MAX_POINTS) throw new RangeError(`chunk of ${n} points is larger than the codec allows`);
  const cols = ensure(out, n);
  cols.n = n;
  readTimes(r, cols.t, n);
  if (r.read(1) === 1) readDecimal(r, cols.v, n);
  else readXor(r, cols.v, n);
  readQuality(r, cols.q, n);
  if (!r.intact) throw new RangeError('chunk bytes end early');
  return cols;
}
