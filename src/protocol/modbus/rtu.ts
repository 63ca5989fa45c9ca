/**
 * Modbus RTU ADU: slave address (u8), PDU, CRC-16/MODBUS low byte first.
 * An ADU is 4..256 bytes. For byte streams use RtuFrameParser.
 */
import { assertIntRange, assertU8, copyBytes } from './bytes.js';
import { crc16Modbus, hasValidCrc } from './crc16.js';
import { Limits } from './function-codes.js';

export const RTU_ADU_MIN = 4;
export const RTU_ADU_MAX = 256;
/** Unit 0 is broadcast on a serial line (writes only, no reply). */
export const RTU_BROADCAST_ADDRESS = 0;

export interface RtuAdu {
  unitId: number;
  pdu: Uint8Array;
}

export function encodeRtuAdu(adu: RtuAdu): Uint8Array {
  assertU8(adu.unitId, 'rtu.unitId');
  assertIntRange(adu.pdu.length, 1, Limits.PDU_MAX, 'rtu.pdu.length');
  const out = new Uint8Array(adu.pdu.length + 3);
  out[0] = adu.unitId;
  out.set(adu.pdu, 1);
  const crc = crc16Modbus(out, 0, out.length - 2);
  out[out.length - 2] = crc & 0xff;
  out[out.length - 1] = crc >>> 8;
  return out;
}

export type DecodeRtuResult = { ok: true; adu: RtuAdu } | { ok: false; reason: 'length' | 'crc' };

/** Decodes exactly one ADU (address, PDU, CRC). Never throws. */
export function decodeRtuAdu(bytes: Uint8Array): DecodeRtuResult {
  if (bytes.length < RTU_ADU_MIN || bytes.length > RTU_ADU_MAX) return { ok: false, reason: 'length' };
  if (!hasValidCrc(bytes)) return { ok: false, reason: 'crc' };
  return { ok: true, adu: { unitId: bytes[0] ?? 0, pdu: copyBytes(bytes, 1, bytes.length - 2) } };
}
