/**
 * Predicts the length of an RTU frame (address + PDU + CRC) from its first
 * bytes, so a serial stream can be delimited without timing. Requests (slave
 * side) and responses (master side) differ: e.g. FC 3 requests are 8 bytes,
 * FC 3 responses 5 + byte count. Answers:
 * - `need n`: undecidable before n bytes are available;
 * - `exact n`: the frame is n bytes (a value > 256 means the bytes cannot be a frame);
 * - `invalid`: the bytes cannot start a frame (function code 0; on the request
 *   side also codes ≥ 0x80, which no master sends);
 * - `search min..max`: the length is not in the header (unknown function codes,
 *   FC 8 sub-function 0 "return query data" replies, FC 43 with another MEI
 *   type): the frame is the shortest candidate whose CRC checks. A false CRC
 *   match has a probability of 1/65536 per candidate length. The parser only
 *   searches for the reply a master is waiting for (`RtuFrameParser.expect`);
 *   otherwise it uses `fallback` (a usual length) or treats the bytes as garbage,
 *   so that garbage cannot stall the stream until 256 bytes have arrived.
 *
 * A FC 8 request is taken as 8 bytes (sub-function + one data word, the form
 * every sub-function uses; "return query data" with more data is not delimited).
 */
import { readU16 } from './bytes.js';

export type FrameLength =
  | { kind: 'need'; bytes: number }
  | { kind: 'exact'; length: number }
  | { kind: 'search'; min: number; max: number; fallback: number | null }
  | { kind: 'invalid' };

const MAX = 256;
const need = (bytes: number): FrameLength => ({ kind: 'need', bytes });
const exact = (length: number): FrameLength => ({ kind: 'exact', length });
const search = (min: number, fallback: number | null = null): FrameLength => ({
  kind: 'search',
  min,
  max: MAX,
  fallback,
});
const INVALID: FrameLength = { kind: 'invalid' };

/** Fixed request lengths (whole ADU) by function code. */
const REQUEST_FIXED: Readonly<Record<number, number>> = {
  1: 8,
  2: 8,
  3: 8,
  4: 8,
  5: 8,
  6: 8,
  7: 4,
  11: 4,
  12: 4,
  17: 4,
  22: 10,
  24: 6,
};
/** Request lengths = base + byte at `at`. */
const REQUEST_COUNTED: Readonly<Record<number, { at: number; base: number }>> = {
  15: { at: 6, base: 9 },
  16: { at: 6, base: 9 },
  20: { at: 2, base: 5 },
  21: { at: 2, base: 5 },
  23: { at: 10, base: 13 },
  100: { at: 2, base: 5 },
};
const RESPONSE_FIXED: Readonly<Record<number, number>> = {
  5: 8,
  6: 8,
  7: 5,
  11: 8,
  15: 8,
  16: 8,
  22: 10,
};
/** Responses `address, fc, byte count, data, crc`. */
const RESPONSE_BYTE_COUNT = new Set([1, 2, 3, 4, 12, 17, 20, 21, 23, 100]);

function counted(b: Uint8Array, off: number, avail: number, at: number, base: number): FrameLength {
  return avail <= at ? need(at + 1) : exact(base + (b[off + at] ?? 0));
}

function diagnosticsResponse(b: Uint8Array, off: number, avail: number): FrameLength {
  if (avail < 4) return need(4);
  return readU16(b, off + 2) === 0 ? search(8, 8) : exact(8);
}

export function predictRequestLength(b: Uint8Array, off: number, avail: number): FrameLength {
  if (avail < 2) return need(2);
  const fc = b[off + 1] ?? 0;
  if (fc === 0 || fc & 0x80) return INVALID;
  const fixed = REQUEST_FIXED[fc];
  if (fixed !== undefined) return exact(fixed);
  const c = REQUEST_COUNTED[fc];
  if (c) return counted(b, off, avail, c.at, c.base);
  if (fc === 8) return exact(8);
  if (fc === 43) {
    if (avail < 3) return need(3);
    return b[off + 2] === 14 ? exact(7) : search(5);
  }
  return search(4);
}

/** FC 43/14 response: 8 header bytes, then objects (id, length, value), then CRC. */
function deviceIdResponse(b: Uint8Array, off: number, avail: number): FrameLength {
  if (avail < 8) return need(8);
  const count = b[off + 7] ?? 0;
  let pos = 8;
  for (let i = 0; i < count; i++) {
    if (avail < pos + 2) return need(pos + 2);
    pos += 2 + (b[off + pos + 1] ?? 0);
    if (pos > MAX) return exact(pos + 2);
  }
  return exact(pos + 2);
}

export function predictResponseLength(b: Uint8Array, off: number, avail: number): FrameLength {
  if (avail < 2) return need(2);
  const fc = b[off + 1] ?? 0;
  if (fc === 0 || fc === 0x80) return INVALID;
  if (fc & 0x80) return exact(5);
  const fixed = RESPONSE_FIXED[fc];
  if (fixed !== undefined) return exact(fixed);
  if (RESPONSE_BYTE_COUNT.has(fc)) return counted(b, off, avail, 2, 5);
  if (fc === 8) return diagnosticsResponse(b, off, avail);
  if (fc === 24) return avail < 4 ? need(4) : exact(6 + readU16(b, off + 2));
  if (fc === 43) {
    if (avail < 3) return need(3);
    return b[off + 2] === 14 ? deviceIdResponse(b, off, avail) : search(5);
  }
  return search(4);
}
