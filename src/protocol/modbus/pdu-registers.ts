/**
 * Register access PDUs: FC 3 read holding, FC 4 read input, FC 6 write single,
 * FC 16 write multiple, FC 22 mask write, FC 23 read/write multiple registers.
 */
import { assertIntRange, assertU16, invalidArgument, readU16, writeU16 } from './bytes.js';
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
  MaskWriteRegisterRequest,
  MaskWriteRegisterResponse,
  PartialRequestResult,
  ReadRegistersRequest,
  ReadRegistersResponse,
  ReadWriteRegistersRequest,
  ReadWriteRegistersResponse,
  WriteMultipleRegistersRequest,
  WriteMultipleRegistersResponse,
  WriteSingleRegisterRequest,
  WriteSingleRegisterResponse,
} from './pdu-types.js';

/** Writes u16 words at `offset`, validating each. */
export function writeWords(pdu: Uint8Array, offset: number, values: readonly number[], what: string): void {
  values.forEach((v, i) => {
    assertU16(v, `${what}[${i}]`);
    writeU16(pdu, offset + 2 * i, v);
  });
}

export function readWords(pdu: Uint8Array, offset: number, count: number): number[] {
  const out = new Array<number>(count);
  for (let i = 0; i < count; i++) out[i] = readU16(pdu, offset + 2 * i);
  return out;
}

function encodeU16Fields(fc: number, fields: readonly number[], what: string): Uint8Array {
  const pdu = new Uint8Array(1 + 2 * fields.length);
  pdu[0] = fc;
  writeWords(pdu, 1, fields, what);
  return pdu;
}

function checkRange(address: number, quantity: number, max: number, what: string): void {
  assertU16(address, `${what}.address`);
  assertIntRange(quantity, 1, max, `${what}.quantity`);
  if (overflows(address, quantity)) throw invalidArgument(`${what}: address + quantity > 0x10000`, what);
}

export function encodeReadRegistersRequest(req: ReadRegistersRequest): Uint8Array {
  if (req.fc !== 3 && req.fc !== 4) throw invalidArgument('read-registers fc must be 3 or 4', 'fc');
  checkRange(req.address, req.quantity, Limits.READ_REGISTERS_MAX, 'read-registers');
  return encodeU16Fields(req.fc, [req.address, req.quantity], 'read-registers');
}

export function decodeReadRegistersRequest(pdu: Uint8Array): PartialRequestResult<ReadRegistersRequest> {
  const bad = lengthMismatch(pdu, 5, 'read registers');
  if (bad) return badValue(bad);
  const fc = pdu[0] === 4 ? 4 : 3;
  const address = readU16(pdu, 1);
  const quantity = readU16(pdu, 3);
  if (quantity < 1 || quantity > Limits.READ_REGISTERS_MAX)
    return badValue(`quantity ${quantity} not in 1..125`);
  if (overflows(address, quantity)) return badAddress(`address ${address} + quantity ${quantity} > 0x10000`);
  return requestOk({ kind: 'read-registers', fc, address, quantity });
}

/** FC 3/4/23 responses share the layout `fc, byte count, n × u16`. */
export function encodeRegisterValues(
  fc: number,
  values: readonly number[],
  max: number,
  what: string,
): Uint8Array {
  assertIntRange(values.length, 1, max, `${what}.values.length`);
  const pdu = new Uint8Array(2 + 2 * values.length);
  pdu[0] = fc;
  pdu[1] = 2 * values.length;
  writeWords(pdu, 2, values, `${what}.values`);
  return pdu;
}

export function decodeRegisterValues(pdu: Uint8Array, quantity: number): number[] | string {
  if (pdu[1] !== 2 * quantity) return `byte count ${pdu[1]} for ${quantity} registers`;
  const bad = lengthMismatch(pdu, 2 + 2 * quantity, 'register values');
  return bad ?? readWords(pdu, 2, quantity);
}

export const encodeReadRegistersResponse = (res: ReadRegistersResponse): Uint8Array =>
  encodeRegisterValues(res.fc, res.values, Limits.READ_REGISTERS_MAX, 'read-registers');

export function decodeReadRegistersResponse(
  pdu: Uint8Array,
  req: ReadRegistersRequest,
): DecodeResponseResult {
  const values = decodeRegisterValues(pdu, req.quantity);
  if (typeof values === 'string') return responseFail(values);
  return responseOk({ kind: 'read-registers', fc: req.fc, values });
}

export function encodeWriteSingleRegister(
  msg: WriteSingleRegisterRequest | WriteSingleRegisterResponse,
): Uint8Array {
  return encodeU16Fields(6, [msg.address, msg.value], 'write-single-register');
}

export function decodeWriteSingleRegisterRequest(
  pdu: Uint8Array,
): PartialRequestResult<WriteSingleRegisterRequest> {
  const bad = lengthMismatch(pdu, 5, 'write single register');
  if (bad) return badValue(bad);
  return requestOk({
    kind: 'write-single-register',
    fc: 6,
    address: readU16(pdu, 1),
    value: readU16(pdu, 3),
  });
}

export function decodeWriteSingleRegisterResponse(
  pdu: Uint8Array,
  req: WriteSingleRegisterRequest,
): DecodeResponseResult {
  const bad = lengthMismatch(pdu, 5, 'write single register response');
  if (bad) return responseFail(bad);
  if (readU16(pdu, 1) !== req.address || readU16(pdu, 3) !== req.value) {
    return responseFail('write single register response does not echo the request');
  }
  return responseOk({ kind: 'write-single-register', fc: 6, address: req.address, value: req.value });
}

export function encodeWriteMultipleRegistersRequest(req: WriteMultipleRegistersRequest): Uint8Array {
  const n = req.values.length;
  checkRange(req.address, n, Limits.WRITE_REGISTERS_MAX, 'write-multiple-registers');
  const pdu = new Uint8Array(6 + 2 * n);
  pdu[0] = 0x10;
  writeU16(pdu, 1, req.address);
  writeU16(pdu, 3, n);
  pdu[5] = 2 * n;
  writeWords(pdu, 6, req.values, 'write-multiple-registers.values');
  return pdu;
}

export function decodeWriteMultipleRegistersRequest(
  pdu: Uint8Array,
): PartialRequestResult<WriteMultipleRegistersRequest> {
  if (pdu.length < 6) return badValue(`write multiple registers: PDU length ${pdu.length} < 6`);
  const address = readU16(pdu, 1);
  const quantity = readU16(pdu, 3);
  const byteCount = pdu[5] ?? 0;
  if (quantity < 1 || quantity > Limits.WRITE_REGISTERS_MAX)
    return badValue(`quantity ${quantity} not in 1..123`);
  if (byteCount !== 2 * quantity) return badValue(`byte count ${byteCount} for ${quantity} registers`);
  const bad = lengthMismatch(pdu, 6 + byteCount, 'write multiple registers');
  if (bad) return badValue(bad);
  if (overflows(address, quantity)) return badAddress(`address ${address} + quantity ${quantity} > 0x10000`);
  return requestOk({
    kind: 'write-multiple-registers',
    fc: 0x10,
    address,
    values: readWords(pdu, 6, quantity),
  });
}

export function encodeWriteMultipleRegistersResponse(res: WriteMultipleRegistersResponse): Uint8Array {
  checkRange(res.address, res.quantity, Limits.WRITE_REGISTERS_MAX, 'write-multiple-registers');
  return encodeU16Fields(0x10, [res.address, res.quantity], 'write-multiple-registers');
}

export function decodeWriteMultipleRegistersResponse(
  pdu: Uint8Array,
  req: WriteMultipleRegistersRequest,
): DecodeResponseResult {
  const bad = lengthMismatch(pdu, 5, 'write multiple registers response');
  if (bad) return responseFail(bad);
  const address = readU16(pdu, 1);
  const quantity = readU16(pdu, 3);
  if (address !== req.address || quantity !== req.values.length) {
    return responseFail('write multiple registers response does not echo address and quantity');
  }
  return responseOk({ kind: 'write-multiple-registers', fc: 0x10, address, quantity });
}

export function encodeMaskWriteRegister(
  msg: MaskWriteRegisterRequest | MaskWriteRegisterResponse,
): Uint8Array {
  return encodeU16Fields(0x16, [msg.address, msg.andMask, msg.orMask], 'mask-write-register');
}

export function decodeMaskWriteRegisterRequest(
  pdu: Uint8Array,
): PartialRequestResult<MaskWriteRegisterRequest> {
  const bad = lengthMismatch(pdu, 7, 'mask write register');
  if (bad) return badValue(bad);
  const [address = 0, andMask = 0, orMask = 0] = readWords(pdu, 1, 3);
  return requestOk({ kind: 'mask-write-register', fc: 0x16, address, andMask, orMask });
}

export function decodeMaskWriteRegisterResponse(
  pdu: Uint8Array,
  req: MaskWriteRegisterRequest,
): DecodeResponseResult {
  const echo = decodeMaskWriteRegisterRequest(pdu);
  if (!echo.ok) return responseFail(`mask write register response: ${echo.reason}`);
  const r = echo.request;
  if (r.address !== req.address || r.andMask !== req.andMask || r.orMask !== req.orMask) {
    return responseFail('mask write register response does not echo the request');
  }
  return responseOk({ ...r });
}

export function encodeReadWriteRegistersRequest(req: ReadWriteRegistersRequest): Uint8Array {
  const n = req.values.length;
  checkRange(req.readAddress, req.readQuantity, Limits.RW_READ_MAX, 'read-write-registers.read');
  checkRange(req.writeAddress, n, Limits.RW_WRITE_MAX, 'read-write-registers.write');
  const pdu = new Uint8Array(10 + 2 * n);
  pdu[0] = 0x17;
  writeWords(pdu, 1, [req.readAddress, req.readQuantity, req.writeAddress, n], 'read-write-registers');
  pdu[9] = 2 * n;
  writeWords(pdu, 10, req.values, 'read-write-registers.values');
  return pdu;
}

export function decodeReadWriteRegistersRequest(
  pdu: Uint8Array,
): PartialRequestResult<ReadWriteRegistersRequest> {
  if (pdu.length < 10) return badValue(`read/write registers: PDU length ${pdu.length} < 10`);
  const [readAddress = 0, readQuantity = 0, writeAddress = 0, writeQuantity = 0] = readWords(pdu, 1, 4);
  const byteCount = pdu[9] ?? 0;
  if (readQuantity < 1 || readQuantity > Limits.RW_READ_MAX) return badValue(`read quantity ${readQuantity}`);
  if (writeQuantity < 1 || writeQuantity > Limits.RW_WRITE_MAX)
    return badValue(`write quantity ${writeQuantity}`);
  if (byteCount !== 2 * writeQuantity)
    return badValue(`byte count ${byteCount} for ${writeQuantity} registers`);
  const bad = lengthMismatch(pdu, 10 + byteCount, 'read/write registers');
  if (bad) return badValue(bad);
  if (overflows(readAddress, readQuantity)) return badAddress('read address + quantity > 0x10000');
  if (overflows(writeAddress, writeQuantity)) return badAddress('write address + quantity > 0x10000');
  const values = readWords(pdu, 10, writeQuantity);
  return requestOk({
    kind: 'read-write-registers',
    fc: 0x17,
    readAddress,
    readQuantity,
    writeAddress,
    values,
  });
}

export const encodeReadWriteRegistersResponse = (res: ReadWriteRegistersResponse): Uint8Array =>
  encodeRegisterValues(0x17, res.values, Limits.RW_READ_MAX, 'read-write-registers');

export function decodeReadWriteRegistersResponse(
  pdu: Uint8Array,
  req: ReadWriteRegistersRequest,
): DecodeResponseResult {
  const values = decodeRegisterValues(pdu, req.readQuantity);
  if (typeof values === 'string') return responseFail(values);
  return responseOk({ kind: 'read-write-registers', fc: 0x17, values });
}
