/**
 * Bit access PDUs: FC 1 read coils, FC 2 read discrete inputs, FC 5 write
 * single coil, FC 15 write multiple coils. Bits are packed LSB first.
 */
import {
  assertIntRange,
  assertU16,
  invalidArgument,
  packBits,
  readU16,
  unpackBits,
  writeU16,
} from './bytes.js';
import { Limits } from './function-codes.js';
import {
  badAddress,
  badValue,
  lengthMismatch,
  overflows,
  requestOk,
  responseFail,
  responseOk,
} from './pdu-result.js';
import type {
  DecodeResponseResult,
  PartialRequestResult,
  ReadBitsRequest,
  ReadBitsResponse,
  WriteMultipleCoilsRequest,
  WriteMultipleCoilsResponse,
  WriteSingleCoilRequest,
  WriteSingleCoilResponse,
} from './pdu-types.js';

const COIL_ON = 0xff00;
const COIL_OFF = 0x0000;

function addressAndQuantity(
  fc: number,
  address: number,
  quantity: number,
  max: number,
  what: string,
): Uint8Array {
  assertU16(address, `${what}.address`);
  assertIntRange(quantity, 1, max, `${what}.quantity`);
  if (overflows(address, quantity)) throw invalidArgument(`${what}: address + quantity > 0x10000`, what);
  const pdu = new Uint8Array(5);
  pdu[0] = fc;
  writeU16(pdu, 1, address);
  writeU16(pdu, 3, quantity);
  return pdu;
}

export function encodeReadBitsRequest(req: ReadBitsRequest): Uint8Array {
  if (req.fc !== 1 && req.fc !== 2) throw invalidArgument('read-bits fc must be 1 or 2', 'fc');
  return addressAndQuantity(req.fc, req.address, req.quantity, Limits.READ_BITS_MAX, 'read-bits');
}

export function decodeReadBitsRequest(pdu: Uint8Array): PartialRequestResult<ReadBitsRequest> {
  const bad = lengthMismatch(pdu, 5, 'read bits');
  if (bad) return badValue(bad);
  const fc = pdu[0] === 2 ? 2 : 1;
  const address = readU16(pdu, 1);
  const quantity = readU16(pdu, 3);
  if (quantity < 1 || quantity > Limits.READ_BITS_MAX) return badValue(`quantity ${quantity} not in 1..2000`);
  if (overflows(address, quantity)) return badAddress(`address ${address} + quantity ${quantity} > 0x10000`);
  return requestOk({ kind: 'read-bits', fc, address, quantity });
}

export function encodeReadBitsResponse(res: ReadBitsResponse): Uint8Array {
  assertIntRange(res.values.length, 1, Limits.READ_BITS_MAX, 'read-bits.values.length');
  const packed = packBits(res.values);
  const pdu = new Uint8Array(2 + packed.length);
  pdu[0] = res.fc;
  pdu[1] = packed.length;
  pdu.set(packed, 2);
  return pdu;
}

export function decodeReadBitsResponse(pdu: Uint8Array, req: ReadBitsRequest): DecodeResponseResult {
  const byteCount = Math.ceil(req.quantity / 8);
  if (pdu[1] !== byteCount) return responseFail(`byte count ${pdu[1]} for ${req.quantity} bits`);
  const bad = lengthMismatch(pdu, 2 + byteCount, 'read bits response');
  if (bad) return responseFail(bad);
  return responseOk({ kind: 'read-bits', fc: req.fc, values: unpackBits(pdu, 2, req.quantity) });
}

function encodeCoil(fc: 5, address: number, value: boolean): Uint8Array {
  assertU16(address, 'write-single-coil.address');
  if (typeof value !== 'boolean') throw invalidArgument('write-single-coil.value must be a boolean', 'value');
  const pdu = new Uint8Array(5);
  pdu[0] = fc;
  writeU16(pdu, 1, address);
  writeU16(pdu, 3, value ? COIL_ON : COIL_OFF);
  return pdu;
}

export const encodeWriteSingleCoilRequest = (req: WriteSingleCoilRequest): Uint8Array =>
  encodeCoil(5, req.address, req.value);
export const encodeWriteSingleCoilResponse = (res: WriteSingleCoilResponse): Uint8Array =>
  encodeCoil(5, res.address, res.value);

export function decodeWriteSingleCoilRequest(pdu: Uint8Array): PartialRequestResult<WriteSingleCoilRequest> {
  const bad = lengthMismatch(pdu, 5, 'write single coil');
  if (bad) return badValue(bad);
  const raw = readU16(pdu, 3);
  if (raw !== COIL_ON && raw !== COIL_OFF)
    return badValue(`coil value 0x${raw.toString(16)} not 0x0000/0xFF00`);
  return requestOk({ kind: 'write-single-coil', fc: 5, address: readU16(pdu, 1), value: raw === COIL_ON });
}

export function decodeWriteSingleCoilResponse(
  pdu: Uint8Array,
  req: WriteSingleCoilRequest,
): DecodeResponseResult {
  const echo = decodeWriteSingleCoilRequest(pdu);
  if (!echo.ok) return responseFail(`write single coil response: ${echo.reason}`);
  if (echo.request.address !== req.address || echo.request.value !== req.value) {
    return responseFail('write single coil response does not echo the request');
  }
  return responseOk({ kind: 'write-single-coil', fc: 5, address: req.address, value: req.value });
}

export function encodeWriteMultipleCoilsRequest(req: WriteMultipleCoilsRequest): Uint8Array {
  const n = req.values.length;
  assertU16(req.address, 'write-multiple-coils.address');
  assertIntRange(n, 1, Limits.WRITE_COILS_MAX, 'write-multiple-coils.values.length');
  if (overflows(req.address, n)) throw invalidArgument('write-multiple-coils: address + quantity > 0x10000');
  const packed = packBits(req.values);
  const pdu = new Uint8Array(6 + packed.length);
  pdu[0] = 0x0f;
  writeU16(pdu, 1, req.address);
  writeU16(pdu, 3, n);
  pdu[5] = packed.length;
  pdu.set(packed, 6);
  return pdu;
}

export function decodeWriteMultipleCoilsRequest(
  pdu: Uint8Array,
): PartialRequestResult<WriteMultipleCoilsRequest> {
  if (pdu.length < 6) return badValue(`write multiple coils: PDU length ${pdu.length} < 6`);
  const address = readU16(pdu, 1);
  const quantity = readU16(pdu, 3);
  const byteCount = pdu[5] ?? 0;
  if (quantity < 1 || quantity > Limits.WRITE_COILS_MAX)
    return badValue(`quantity ${quantity} not in 1..1968`);
  if (byteCount !== Math.ceil(quantity / 8)) return badValue(`byte count ${byteCount} for ${quantity} coils`);
  const bad = lengthMismatch(pdu, 6 + byteCount, 'write multiple coils');
  if (bad) return badValue(bad);
  if (overflows(address, quantity)) return badAddress(`address ${address} + quantity ${quantity} > 0x10000`);
  return requestOk({ kind: 'write-multiple-coils', fc: 0x0f, address, values: unpackBits(pdu, 6, quantity) });
}

export function encodeWriteMultipleCoilsResponse(res: WriteMultipleCoilsResponse): Uint8Array {
  return addressAndQuantity(0x0f, res.address, res.quantity, Limits.WRITE_COILS_MAX, 'write-multiple-coils');
}

export function decodeWriteMultipleCoilsResponse(
  pdu: Uint8Array,
  req: WriteMultipleCoilsRequest,
): DecodeResponseResult {
  const bad = lengthMismatch(pdu, 5, 'write multiple coils response');
  if (bad) return responseFail(bad);
  const address = readU16(pdu, 1);
  const quantity = readU16(pdu, 3);
  if (address !== req.address || quantity !== req.values.length) {
    return responseFail('write multiple coils response does not echo address and quantity');
  }
  return responseOk({ kind: 'write-multiple-coils', fc: 0x0f, address, quantity });
}
