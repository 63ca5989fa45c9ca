/**
 * Response PDUs: `encodeResponse` for servers and `decodeResponse(pdu, request)`
 * for clients and the gateway, which checks a downstream reply against the
 * request it answers (function code, counts, echoes, transmission number).
 * An exception reply (`fc | 0x80`, 2 bytes) decodes to `kind: 'exception'`.
 * Never throws on input bytes.
 */
import { copyBytes } from './bytes.js';
import { EXCEPTION_FLAG } from './function-codes.js';
import * as bits from './pdu-bits.js';
import * as diag from './pdu-diagnostics.js';
import { decodeException, encodeExceptionResponse } from './pdu-exception.js';
import * as ident from './pdu-identification.js';
import * as regs from './pdu-registers.js';
import { encodeRaw } from './pdu-request.js';
import { responseFail } from './pdu-result.js';
import type { DecodeResponseResult, ModbusRequest, ModbusResponse } from './pdu-types.js';
import * as vendor from './pdu-vendor.js';

/** Encodes a response; throws WattgateError INVALID_ARGUMENT on out-of-range fields. */
export function encodeResponse(res: ModbusResponse): Uint8Array {
  switch (res.kind) {
    case 'read-bits':
      return bits.encodeReadBitsResponse(res);
    case 'read-registers':
      return regs.encodeReadRegistersResponse(res);
    case 'write-single-coil':
      return bits.encodeWriteSingleCoilResponse(res);
    case 'write-single-register':
      return regs.encodeWriteSingleRegister(res);
    case 'diagnostics':
      return diag.encodeDiagnosticsResponse(res);
    case 'write-multiple-coils':
      return bits.encodeWriteMultipleCoilsResponse(res);
    case 'write-multiple-registers':
      return regs.encodeWriteMultipleRegistersResponse(res);
    case 'report-server-id':
      return diag.encodeReportServerIdResponse(res);
    case 'mask-write-register':
      return regs.encodeMaskWriteRegister(res);
    case 'read-write-registers':
      return regs.encodeReadWriteRegistersResponse(res);
    case 'read-device-identification':
      return ident.encodeReadDeviceIdResponse(res);
    case 'vendor-read-scattered':
      return vendor.encodeVendorReadScatteredResponse(res);
    case 'exception':
      return encodeExceptionResponse(res);
    case 'raw':
      return encodeRaw(res.pdu);
  }
}

function decodeForRequest(pdu: Uint8Array, req: ModbusRequest): DecodeResponseResult {
  switch (req.kind) {
    case 'read-bits':
      return bits.decodeReadBitsResponse(pdu, req);
    case 'read-registers':
      return regs.decodeReadRegistersResponse(pdu, req);
    case 'write-single-coil':
      return bits.decodeWriteSingleCoilResponse(pdu, req);
    case 'write-single-register':
      return regs.decodeWriteSingleRegisterResponse(pdu, req);
    case 'diagnostics':
      return diag.decodeDiagnosticsResponse(pdu, req);
    case 'write-multiple-coils':
      return bits.decodeWriteMultipleCoilsResponse(pdu, req);
    case 'write-multiple-registers':
      return regs.decodeWriteMultipleRegistersResponse(pdu, req);
    case 'report-server-id':
      return diag.decodeReportServerIdResponse(pdu);
    case 'mask-write-register':
      return regs.decodeMaskWriteRegisterResponse(pdu, req);
    case 'read-write-registers':
      return regs.decodeReadWriteRegistersResponse(pdu, req);
    case 'read-device-identification':
      return ident.decodeReadDeviceIdResponse(pdu, req);
    case 'vendor-read-scattered':
      return vendor.decodeVendorReadScatteredResponse(pdu, req);
    case 'raw':
      return { ok: true, response: { kind: 'raw', fc: req.fc, pdu: copyBytes(pdu) } };
  }
}

/** Decodes an untrusted response PDU against the request it should answer. */
export function decodeResponse(pdu: Uint8Array, request: ModbusRequest): DecodeResponseResult {
  const fc = pdu[0];
  if (fc === undefined) return responseFail('empty PDU');
  if (fc === (request.fc | EXCEPTION_FLAG)) return decodeException(pdu);
  if (fc !== request.fc) return responseFail(`function code ${fc} answers a request with ${request.fc}`);
  if (pdu.length > 253) return responseFail(`PDU of ${pdu.length} bytes > 253`);
  return decodeForRequest(pdu, request);
}
