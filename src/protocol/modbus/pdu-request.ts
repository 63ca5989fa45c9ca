/**
 * Request PDUs: `encodeRequest` for clients and `decodeRequest` for servers and
 * the gateway, which validates every known public code locally (SEC-H2, G3):
 * FC 0 and FC ≥ 0x80 → exception 01; lengths (a PDU is at most 253 bytes),
 * quantities and byte counts → 03;
 * address + quantity beyond 0x10000 → 02. Other codes 1–127 (and FC 43 with
 * another MEI type, FC 100 with another sub-code) come back as `raw`, for the
 * caller to forward unchanged or to answer 01. Never throws on input bytes.
 */
import { copyBytes, invalidArgument } from './bytes.js';
import {
  EXCEPTION_FLAG,
  ExceptionCodes,
  Limits,
  MEI_READ_DEVICE_IDENTIFICATION,
  VENDOR_SUBCODE_READ_SCATTERED,
} from './function-codes.js';
import * as bits from './pdu-bits.js';
import * as diag from './pdu-diagnostics.js';
import * as ident from './pdu-identification.js';
import * as regs from './pdu-registers.js';
import { badValue } from './pdu-result.js';
import type { DecodeRequestResult, ModbusRequest, PartialRequestResult } from './pdu-types.js';
import * as vendor from './pdu-vendor.js';

type RequestDecoder = (pdu: Uint8Array) => PartialRequestResult<ModbusRequest>;

function raw(pdu: Uint8Array): PartialRequestResult<ModbusRequest> {
  return { ok: true, request: { kind: 'raw', fc: pdu[0] ?? 0, pdu: copyBytes(pdu) } };
}

function decodeEncapsulated(pdu: Uint8Array): PartialRequestResult<ModbusRequest> {
  if (pdu.length < 2) return badValue('FC 43 without MEI type');
  return pdu[1] === MEI_READ_DEVICE_IDENTIFICATION ? ident.decodeReadDeviceIdRequest(pdu) : raw(pdu);
}

function decodeVendor(pdu: Uint8Array): PartialRequestResult<ModbusRequest> {
  if (pdu.length < 3 || pdu[2] !== VENDOR_SUBCODE_READ_SCATTERED) return raw(pdu);
  return vendor.decodeVendorReadScatteredRequest(pdu);
}

const DECODERS: Readonly<Record<number, RequestDecoder>> = {
  1: bits.decodeReadBitsRequest,
  2: bits.decodeReadBitsRequest,
  3: regs.decodeReadRegistersRequest,
  4: regs.decodeReadRegistersRequest,
  5: bits.decodeWriteSingleCoilRequest,
  6: regs.decodeWriteSingleRegisterRequest,
  8: diag.decodeDiagnosticsRequest,
  15: bits.decodeWriteMultipleCoilsRequest,
  16: regs.decodeWriteMultipleRegistersRequest,
  17: diag.decodeReportServerIdRequest,
  22: regs.decodeMaskWriteRegisterRequest,
  23: regs.decodeReadWriteRegistersRequest,
  43: decodeEncapsulated,
  100: decodeVendor,
};

/** Validates and decodes an untrusted request PDU (function code first). */
export function decodeRequest(pdu: Uint8Array): DecodeRequestResult {
  const fc = pdu[0];
  if (fc === undefined) {
    return { ok: false, functionCode: 0, exception: ExceptionCodes.ILLEGAL_FUNCTION, reason: 'empty PDU' };
  }
  if (fc === 0 || (fc & EXCEPTION_FLAG) !== 0) {
    const reason = `function code ${fc} is not a request code`;
    return { ok: false, functionCode: fc, exception: ExceptionCodes.ILLEGAL_FUNCTION, reason };
  }
  if (pdu.length > Limits.PDU_MAX) {
    const reason = `PDU of ${pdu.length} bytes > 253`;
    return { ok: false, functionCode: fc, exception: ExceptionCodes.ILLEGAL_DATA_VALUE, reason };
  }
  const decoder = DECODERS[fc];
  const result = decoder ? decoder(pdu) : raw(pdu);
  return result.ok ? result : { ...result, functionCode: fc };
}

/** Encodes a request; throws WattgateError INVALID_ARGUMENT on out-of-range fields. */
export function encodeRequest(req: ModbusRequest): Uint8Array {
  switch (req.kind) {
    case 'read-bits':
      return bits.encodeReadBitsRequest(req);
    case 'read-registers':
      return regs.encodeReadRegistersRequest(req);
    case 'write-single-coil':
      return bits.encodeWriteSingleCoilRequest(req);
    case 'write-single-register':
      return regs.encodeWriteSingleRegister(req);
    case 'diagnostics':
      return diag.encodeDiagnosticsRequest(req);
    case 'write-multiple-coils':
      return bits.encodeWriteMultipleCoilsRequest(req);
    case 'write-multiple-registers':
      return regs.encodeWriteMultipleRegistersRequest(req);
    case 'report-server-id':
      return diag.encodeReportServerIdRequest(req);
    case 'mask-write-register':
      return regs.encodeMaskWriteRegister(req);
    case 'read-write-registers':
      return regs.encodeReadWriteRegistersRequest(req);
    case 'read-device-identification':
      return ident.encodeReadDeviceIdRequest(req);
    case 'vendor-read-scattered':
      return vendor.encodeVendorReadScatteredRequest(req);
    case 'raw':
      return encodeRaw(req.pdu);
  }
}

/** Pass-through: a raw PDU (1–253 bytes) is sent exactly as received. */
export function encodeRaw(pdu: Uint8Array): Uint8Array {
  if (!(pdu instanceof Uint8Array) || pdu.length < 1 || pdu.length > 253) {
    throw invalidArgument('raw PDU must be 1..253 bytes', 'pdu');
  }
  return copyBytes(pdu);
}
