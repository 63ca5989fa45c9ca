/**
 * The simulated radio's over-the-air frame (Wattgate's own format, not any
 * real radio's): what a simulated sensor transmits and what the simulator
 * driver parses before it reports a `frame` — so the driver treats radio input
 * as untrusted bytes, as a real driver must, and the parser is fuzzed
 * (test/fuzz/wireless-air-frame.test.ts). Pure; `decodeAirFrame` never throws.
 *
 *   0  'W' 'G'            magic
 *   2  version            1
 *   3  type               1 report (sensor → panel), 2 command (panel → sensor), 3 acknowledgement
 *   4  radio id           8 bytes, big-endian (EUI-64)
 *  12  sequence           u8, wraps (lost frames are counted from the gaps)
 *  13  period             u16 BE, seconds (the sensor's reporting period; 0 = unknown)
 *  15  count              u8, number of entries
 *  16  entries            key length u8 (1–32), key (ASCII, a measurement key), tag u8, payload:
 *                           tag 0 null (invalid) — no payload
 *                           tag 1 number        — float64 BE
 *                           tag 2 integer       — int64 BE (two's complement)
 *                           tag 3 text          — length u8, bytes 0x20–0x7E
 *   n  CRC-16/MODBUS      of everything before it, low byte first
 *
 * At most AIR_FRAME_MAX bytes. The decoder refuses: short or long frames, a
 * bad magic, version, type or CRC, an entry that runs past the end, trailing
 * bytes, a key that is not a measurement key (^[A-Za-z][A-Za-z0-9_]{0,31}$),
 * a key twice, an unknown tag, a non-printable text, a non-finite number.
 */
import { crc16Modbus } from '../../src/protocol/modbus/crc16.js';
import type { FrameValue } from '../../src/wireless/driver.js';

export const AIR_FRAME_MAX = 4096;
const HEADER = 16;
const VERSION = 1;
export const AirFrameTypes = { REPORT: 1, COMMAND: 2, ACK: 3 } as const;
export type AirFrameType = (typeof AirFrameTypes)[keyof typeof AirFrameTypes];

const KEY = /^[A-Za-z][A-Za-z0-9_]{0,31}$/;
const TEXT = /^[\x20-\x7e]{0,255}$/;

export interface AirFrame {
  readonly type: AirFrameType;
  readonly rfId: bigint;
  readonly seq: number;
  readonly periodS: number;
  readonly values: Readonly<Record<string, FrameValue>>;
}

export type DecodeAirFrameResult = { ok: true; frame: AirFrame } | { ok: false; reason: string };

function entrySize(key: string, value: FrameValue): number {
  const payload = value === null ? 0 : typeof value === 'string' ? 1 + value.length : 8;
  return 2 + key.length + payload;
}

function checkEntry(key: string, value: FrameValue): void {
  if (!KEY.test(key)) throw new RangeError(`air frame: bad key ${JSON.stringify(key)}`);
  if (typeof value === 'string' && !TEXT.test(value)) throw new RangeError(`air frame: bad text in ${key}`);
  if (typeof value === 'number' && !Number.isFinite(value))
    throw new RangeError(`air frame: ${key} not finite`);
  if (typeof value === 'bigint' && BigInt.asIntN(64, value) !== value) {
    throw new RangeError(`air frame: ${key} outside int64`);
  }
}

/** Encodes a frame (throws RangeError on values the format cannot carry: our own data only). */
export function encodeAirFrame(frame: AirFrame): Uint8Array {
  const entries = Object.entries(frame.values);
  if (entries.length > 255) throw new RangeError('air frame: more than 255 entries');
  for (const [k, v] of entries) checkEntry(k, v);
  const size = HEADER + entries.reduce((n, [k, v]) => n + entrySize(k, v), 0) + 2;
  if (size > AIR_FRAME_MAX) throw new RangeError(`air frame: ${size} bytes > ${AIR_FRAME_MAX}`);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  out.set([0x57, 0x47, VERSION, frame.type]);
  view.setBigUint64(4, BigInt.asUintN(64, frame.rfId));
  out[12] = frame.seq & 0xff;
  view.setUint16(13, Math.max(0, Math.min(0xffff, Math.round(frame.periodS))));
  out[15] = entries.length;
  let at = HEADER;
  for (const [key, value] of entries) at = writeEntry(out, view, at, key, value);
  const crc = crc16Modbus(out, 0, size - 2);
  out[size - 2] = crc & 0xff;
  out[size - 1] = crc >>> 8;
  return out;
}

function writeEntry(out: Uint8Array, view: DataView, at: number, key: string, value: FrameValue): number {
  out[at++] = key.length;
  for (const ch of key) out[at++] = ch.charCodeAt(0);
  if (value === null) {
    out[at++] = 0;
  } else if (typeof value === 'number') {
    out[at++] = 1;
    view.setFloat64(at, value);
    at += 8;
  } else if (typeof value === 'bigint') {
    out[at++] = 2;
    view.setBigInt64(at, value);
    at += 8;
  } else {
    out[at++] = 3;
    out[at++] = value.length;
    for (const ch of value) out[at++] = ch.charCodeAt(0);
  }
  return at;
}

type Entry = { ok: true; key: string; value: FrameValue; next: number } | { ok: false; reason: string };

function readEntry(b: Uint8Array, view: DataView, at: number, end: number): Entry {
  const keyLength = b[at] ?? 0;
  if (keyLength < 1 || keyLength > 32 || at + 2 + keyLength > end) return { ok: false, reason: 'entry key' };
  const key = String.fromCharCode(...b.subarray(at + 1, at + 1 + keyLength));
  if (!KEY.test(key)) return { ok: false, reason: 'entry key' };
  let p = at + 1 + keyLength;
  const tag = b[p++];
  if (tag === 0) return { ok: true, key, value: null, next: p };
  if (tag === 1 || tag === 2) {
    if (p + 8 > end) return { ok: false, reason: 'entry value' };
    const value = tag === 1 ? view.getFloat64(p) : view.getBigInt64(p);
    if (typeof value === 'number' && !Number.isFinite(value)) return { ok: false, reason: 'entry number' };
    return { ok: true, key, value, next: p + 8 };
  }
  if (tag !== 3) return { ok: false, reason: 'entry tag' };
  const length = b[p++] ?? 0;
  if (p + length > end) return { ok: false, reason: 'entry text' };
  const value = String.fromCharCode(...b.subarray(p, p + length));
  if (!TEXT.test(value)) return { ok: false, reason: 'entry text' };
  return { ok: true, key, value, next: p + length };
}

function checkHeader(b: Uint8Array): string | undefined {
  if (b.length < HEADER + 2 || b.length > AIR_FRAME_MAX) return 'length';
  if (b[0] !== 0x57 || b[1] !== 0x47) return 'magic';
  if (b[2] !== VERSION) return 'version';
  if (b[3] !== 1 && b[3] !== 2 && b[3] !== 3) return 'type';
  const crc = crc16Modbus(b, 0, b.length - 2);
  if (b[b.length - 2] !== (crc & 0xff) || b[b.length - 1] !== crc >>> 8) return 'crc';
  return undefined;
}

/** Decodes one frame; never throws. */
export function decodeAirFrame(bytes: Uint8Array): DecodeAirFrameResult {
  const bad = checkHeader(bytes);
  if (bad !== undefined) return { ok: false, reason: bad };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = bytes.length - 2;
  const values: Record<string, FrameValue> = Object.create(null);
  let at = HEADER;
  for (let i = 0; i < (bytes[15] ?? 0); i++) {
    const e = readEntry(bytes, view, at, end);
    if (!e.ok) return e;
    if (Object.hasOwn(values, e.key)) return { ok: false, reason: 'duplicate key' };
    values[e.key] = e.value;
    at = e.next;
  }
  if (at !== end) return { ok: false, reason: 'trailing bytes' };
  const frame: AirFrame = {
    type: bytes[3] as AirFrameType,
    rfId: view.getBigUint64(4),
    seq: bytes[12] ?? 0,
    periodS: view.getUint16(13),
    values,
  };
  return { ok: true, frame };
}
