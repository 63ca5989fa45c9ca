/**
 * Modbus TCP (MBAP) header: transaction id (u16), protocol id (u16, 0 for
 * Modbus), length (u16, = unit id + PDU bytes), unit id (u8); then the PDU.
 * Valid lengths are 2..254 (a PDU of 1..253 bytes), SEC-H1.
 */
import {
  assertIntRange,
  assertU8,
  assertU16,
  copyBytes,
  invalidArgument,
  readU16,
  writeU16,
} from './bytes.js';
import { Limits } from './function-codes.js';

export const MBAP_HEADER_LENGTH = 7;
export const MBAP_LENGTH_MIN = 2;
export const MBAP_LENGTH_MAX = Limits.PDU_MAX + 1;
export const MODBUS_PROTOCOL_ID = 0;

export interface MbapHeader {
  transactionId: number;
  protocolId: number;
  /** Bytes following the length field: unit id + PDU. */
  length: number;
  unitId: number;
}

export interface TcpAdu {
  transactionId: number;
  unitId: number;
  pdu: Uint8Array;
}

export function encodeMbapHeader(h: MbapHeader): Uint8Array {
  assertU16(h.transactionId, 'mbap.transactionId');
  assertU16(h.protocolId, 'mbap.protocolId');
  assertU16(h.length, 'mbap.length');
  assertU8(h.unitId, 'mbap.unitId');
  const out = new Uint8Array(MBAP_HEADER_LENGTH);
  writeU16(out, 0, h.transactionId);
  writeU16(out, 2, h.protocolId);
  writeU16(out, 4, h.length);
  out[6] = h.unitId;
  return out;
}

/** Decodes the 7 header bytes; fails only when fewer than 7 bytes are given. Length is not judged here. */
export function decodeMbapHeader(
  bytes: Uint8Array,
): { ok: true; header: MbapHeader } | { ok: false; reason: string } {
  if (bytes.length < MBAP_HEADER_LENGTH)
    return { ok: false, reason: `MBAP header needs 7 bytes, got ${bytes.length}` };
  return {
    ok: true,
    header: {
      transactionId: readU16(bytes, 0),
      protocolId: readU16(bytes, 2),
      length: readU16(bytes, 4),
      unitId: bytes[6] ?? 0,
    },
  };
}

/** MBAP header + PDU. Throws INVALID_ARGUMENT unless the PDU is 1..253 bytes. */
export function encodeTcpAdu(adu: TcpAdu): Uint8Array {
  assertIntRange(adu.pdu.length, 1, Limits.PDU_MAX, 'tcp-adu.pdu.length');
  const out = new Uint8Array(MBAP_HEADER_LENGTH + adu.pdu.length);
  writeTcpAdu(out, 0, adu.transactionId, adu.unitId, adu.pdu);
  return out;
}

/**
 * Writes one ADU (MBAP header + PDU, 7 + pdu.length bytes) into `out` at
 * `offset` and returns the offset after it: several frames can be written back
 * to back into one buffer, with no per-frame allocation and no concatenation.
 * Same checks as `encodeTcpAdu` (INVALID_ARGUMENT), and `out` must hold the frame.
 */
export function writeTcpAdu(
  out: Uint8Array,
  offset: number,
  transactionId: number,
  unitId: number,
  pdu: Uint8Array,
): number {
  const n = pdu.length;
  if (n < 1 || n > Limits.PDU_MAX) assertIntRange(n, 1, Limits.PDU_MAX, 'tcp-adu.pdu.length');
  if ((transactionId & 0xffff) !== transactionId) assertU16(transactionId, 'mbap.transactionId');
  if ((unitId & 0xff) !== unitId) assertU8(unitId, 'mbap.unitId');
  const end = offset + MBAP_HEADER_LENGTH + n;
  if (!(Number.isInteger(offset) && offset >= 0 && end <= out.length)) {
    throw invalidArgument(
      `a frame of ${end - offset} bytes does not fit at ${offset} in ${out.length}`,
      'out',
    );
  }
  out[offset] = transactionId >>> 8;
  out[offset + 1] = transactionId & 0xff;
  out[offset + 2] = 0; // protocol id 0 (Modbus)
  out[offset + 3] = 0;
  out[offset + 4] = (n + 1) >>> 8;
  out[offset + 5] = (n + 1) & 0xff;
  out[offset + 6] = unitId;
  out.set(pdu, offset + MBAP_HEADER_LENGTH);
  return end;
}

/** Decodes exactly one complete ADU (no trailing bytes). For streams use TcpFrameParser. */
export function decodeTcpAdu(bytes: Uint8Array): { ok: true; adu: TcpAdu } | { ok: false; reason: string } {
  const h = decodeMbapHeader(bytes);
  if (!h.ok) return h;
  const { length, protocolId } = h.header;
  if (protocolId !== MODBUS_PROTOCOL_ID) return { ok: false, reason: `protocol id ${protocolId} is not 0` };
  if (length < MBAP_LENGTH_MIN || length > MBAP_LENGTH_MAX)
    return { ok: false, reason: `MBAP length ${length}` };
  if (bytes.length !== 6 + length)
    return { ok: false, reason: `ADU of ${bytes.length} bytes, MBAP says ${6 + length}` };
  const { transactionId, unitId } = h.header;
  return { ok: true, adu: { transactionId, unitId, pdu: copyBytes(bytes, MBAP_HEADER_LENGTH) } };
}
