/**
 * Small byte helpers shared by the Modbus codecs: big-endian u16 access,
 * argument guards for encoders (which throw WattgateError INVALID_ARGUMENT on
 * values a caller should never pass) and hex conversion for fixtures and logs.
 */
import { ErrorCodes, WattgateError } from '../../shared/errors.js';

export function readU16(bytes: Uint8Array, offset: number): number {
  return (((bytes[offset] ?? 0) << 8) | (bytes[offset + 1] ?? 0)) >>> 0;
}

export function writeU16(bytes: Uint8Array, offset: number, value: number): void {
  bytes[offset] = (value >>> 8) & 0xff;
  bytes[offset + 1] = value & 0xff;
}

export function invalidArgument(message: string, path = ''): WattgateError {
  return new WattgateError(ErrorCodes.INVALID_ARGUMENT, message, { details: [{ path, message }] });
}

/** Throws INVALID_ARGUMENT unless `value` is an integer in [min, max]. */
export function assertIntRange(value: unknown, min: number, max: number, what: string): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalidArgument(`${what} must be an integer in ${min}..${max}, got ${String(value)}`, what);
  }
}

export const assertU8 = (v: unknown, what: string): void => assertIntRange(v, 0, 0xff, what);
export const assertU16 = (v: unknown, what: string): void => assertIntRange(v, 0, 0xffff, what);

/** `"01 03 00 6B"` or `"01036b"` → bytes. Throws INVALID_ARGUMENT on odd length or non-hex. */
export function hexToBytes(hex: string): Uint8Array {
  const clean = hex.replace(/\s+/g, '');
  if (clean.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(clean)) {
    throw invalidArgument(`not a hex string: ${hex}`, 'hex');
  }
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Bytes → `"01 03 00 6B"` (upper case, space separated). */
export function bytesToHex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) {
    if (i > 0) s += ' ';
    s += (bytes[i] ?? 0).toString(16).toUpperCase().padStart(2, '0');
  }
  return s;
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** Packs booleans LSB-first into bytes (coil/discrete-input layout), padding with zeros. */
export function packBits(values: readonly boolean[]): Uint8Array {
  const out = new Uint8Array(Math.ceil(values.length / 8));
  values.forEach((v, i) => {
    if (v) out[i >> 3] = (out[i >> 3] ?? 0) | (1 << (i & 7));
  });
  return out;
}

/** Unpacks `count` bits LSB-first from `bytes` starting at `offset`. */
export function unpackBits(bytes: Uint8Array, offset: number, count: number): boolean[] {
  const out: boolean[] = new Array<boolean>(count);
  for (let i = 0; i < count; i++) out[i] = (((bytes[offset + (i >> 3)] ?? 0) >> (i & 7)) & 1) === 1;
  return out;
}

/** Copy of bytes[start, end) as a plain Uint8Array (never a Buffer, whatever the input). */
export function copyBytes(bytes: Uint8Array, start = 0, end = bytes.length): Uint8Array {
  return new Uint8Array(bytes.subarray(start, end));
}
