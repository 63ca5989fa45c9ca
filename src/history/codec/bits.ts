/**
 * Bit streams for the history chunk codec (pure: no I/O, no clock). Bits are
 * written most-significant first. Values are non-negative integers below
 * 2^53 (JavaScript's safe range); widths 0–53. Widths up to 24 take the fast
 * path (one 32-bit accumulator); wider values are written in 24-bit pieces.
 *
 * Also here: zigzag mapping of signed integers (|x| ≤ 2^52) and LEB128-style
 * variable-length integers inside the bit stream (7 bits per group).
 */

const TWO_24 = 16_777_216;
const POW2: readonly number[] = Array.from({ length: 54 }, (_, i) => 2 ** i);

export function pow2(n: number): number {
  return POW2[n] as number;
}

/** Number of bits needed for `u` (0 for 0); `u` is a non-negative integer below 2^53. */
export function bitLength(u: number): number {
  if (u < 4_294_967_296) return 32 - Math.clz32(u);
  return 64 - Math.clz32(Math.floor(u / 4_294_967_296));
}

/** Maps a signed integer to an unsigned one: 0, -1, 1, -2 … → 0, 1, 2, 3 … */
export function zigzag(x: number): number {
  return x >= 0 ? 2 * x : -2 * x - 1;
}

export function unzigzag(u: number): number {
  return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
}

export class BitWriter {
  #buf: Uint8Array;
  #pos = 0;
  #acc = 0;
  #bits = 0;

  constructor(initialBytes = 256) {
    this.#buf = new Uint8Array(Math.max(16, initialBytes));
  }

  /** Writes the low `width` bits of `value` (0 ≤ value < 2^width, width ≤ 53). */
  write(value: number, width: number): void {
    if (width <= 24) {
      this.#put(value, width);
      return;
    }
    const hiWidth = width - 24;
    const hi = Math.floor(value / TWO_24);
    this.write(hi, hiWidth);
    this.#put(value - hi * TWO_24, 24);
  }

  /** Unsigned variable-length integer: 7-bit groups, low group first, high bit = more. */
  writeVarint(value: number): void {
    let v = value;
    while (v >= 128) {
      const low = v % 128;
      this.#put(128 | low, 8);
      v = (v - low) / 128;
    }
    this.#put(v, 8);
  }

  writeSignedVarint(value: number): void {
    this.writeVarint(zigzag(value));
  }

  /** Appends whole bytes; the stream must be at a byte boundary. */
  writeBytes(bytes: Uint8Array): void {
    if (this.#bits !== 0) throw new RangeError('writeBytes needs a byte boundary');
    while (this.#pos + bytes.length + 8 > this.#buf.length) this.#grow();
    this.#buf.set(bytes, this.#pos);
    this.#pos += bytes.length;
  }

  /** Pads to a byte boundary with zero bits and returns the bytes written. */
  finish(): Uint8Array {
    if (this.#bits > 0) this.#put(0, 8 - this.#bits);
    return this.#buf.slice(0, this.#pos);
  }

  #put(value: number, width: number): void {
    if (width === 0) return;
    if (this.#pos + 8 > this.#buf.length) this.#grow();
    let acc = ((this.#acc << width) | value) >>> 0;
    let bits = this.#bits + width;
    const buf = this.#buf;
    while (bits >= 8) {
      bits -= 8;
      buf[this.#pos++] = (acc >>> bits) & 255;
    }
    acc &= (1 << bits) - 1;
    this.#acc = acc;
    this.#bits = bits;
  }

  #grow(): void {
    const next = new Uint8Array(this.#buf.length * 2);
    next.set(this.#buf);
    this.#buf = next;
  }
}

/**
 * Reads a bit stream through 32-bit big-endian words (built once from the
 * bytes, into a caller's scratch array when given), so a read is two shifts
 * and no loop. Reads past the end yield zero bits and clear `intact`.
 */
export class BitReader {
  readonly #buf: Uint8Array;
  readonly #words: Uint32Array;
  #off = 0;

  constructor(buf: Uint8Array, scratch?: { words: Uint32Array }) {
    this.#buf = buf;
    const need = (buf.length >>> 2) + 3;
    let words: Uint32Array;
    if (scratch) {
      if (scratch.words.length < need) scratch.words = new Uint32Array(need * 2);
      words = scratch.words;
    } else words = new Uint32Array(need);
    const whole = buf.length & ~3;
    let i = 0;
    for (; i < whole; i += 4) {
      words[i >>> 2] =
        (((buf[i] as number) << 24) |
          ((buf[i + 1] as number) << 16) |
          ((buf[i + 2] as number) << 8) |
          (buf[i + 3] as number)) >>>
        0;
    }
    let last = 0;
    for (let k = 0; k < 4; k++) last = (last << 8) | (i + k < buf.length ? (buf[i + k] as number) : 0);
    words[i >>> 2] = last >>> 0;
    words[(i >>> 2) + 1] = 0;
    words[(i >>> 2) + 2] = 0;
    this.#words = words;
  }

  /** Reads `width` bits (≤ 53) as an unsigned integer. */
  read(width: number): number {
    if (width <= 24) return this.#take(width);
    const hi = this.read(width - 24);
    return hi * TWO_24 + this.#take(24);
  }

  readVarint(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      const byte = this.#take(8);
      result += (byte & 127) * scale;
      if (byte < 128) return result;
      scale *= 128;
    }
    throw new RangeError('varint longer than 56 bits');
  }

  readSignedVarint(): number {
    return unzigzag(this.readVarint());
  }

  /** Reads `count` values of `width` (1–24) bits into out[start…] (the hot loop of PFor). */
  unpack(out: Float64Array, start: number, count: number, width: number): void {
    const words = this.#words;
    const shiftBack = 32 - width;
    let off = this.#off;
    const end = start + count;
    for (let i = start; i < end; i++) {
      const w = off >>> 5;
      const s = off & 31;
      let v = ((words[w] as number) << s) >>> shiftBack;
      if (s > shiftBack) v |= (words[w + 1] as number) >>> (64 - s - width);
      out[i] = v;
      off += width;
    }
    this.#off = off;
  }

  /** Reads `length` whole bytes (a view); the stream must be at a byte boundary. */
  readBytes(length: number): Uint8Array {
    if ((this.#off & 7) !== 0) throw new RangeError('readBytes needs a byte boundary');
    const at = this.#off >>> 3;
    if (at + length > this.#buf.length) throw new RangeError('bytes past the end');
    this.#off += length * 8;
    return this.#buf.subarray(at, at + length);
  }

  /** True when no byte past the end was consumed (every read was backed by data). */
  get intact(): boolean {
    return this.#off <= this.#buf.length * 8;
  }

  #take(width: number): number {
    if (width === 0) return 0;
    const words = this.#words;
    const off = this.#off;
    const w = off >>> 5;
    const s = off & 31;
    const shiftBack = 32 - width;
    let v = ((words[w] as number) << s) >>> shiftBack;
    if (s > shiftBack) v |= (words[w + 1] as number) >>> (64 - s - width);
    this.#off = off + width;
    return v >>> 0;
  }
}
