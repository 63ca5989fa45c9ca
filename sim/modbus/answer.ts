/**
 * What a simulated unit answers to one request PDU, built with Wattgate's own
 * codec: FC 1–6, 8 (sub-function 0, return query data: echo), 15, 16, 22, 23
 * and 43/14. A request the codec rejects gets the exception it names; any
 * other function code (or FC 8 sub-function) gets exception 01.
 *
 * `answerReadHolding` is the fast path for FC 3: the reply ADU is copied
 * straight out of the bank's preallocated wire-format buffer.
 */
import {
  answerReadDeviceId,
  ConformityLevels,
  DiagnosticSubFunctions,
  decodeRequest,
  ExceptionCodes,
  encodeException,
  encodeResponse,
  Limits,
  type ModbusRequest,
  type ModbusResponse,
} from '../../src/protocol/modbus/index.js';
import type { UnitBank } from './bank.js';

/** Answers a request PDU for `bank` (never throws on request bytes). */
export function answerPdu(bank: UnitBank, pdu: Uint8Array): Uint8Array {
  const decoded = decodeRequest(pdu);
  if (!decoded.ok) return encodeException(decoded.functionCode, decoded.exception);
  const res = respond(bank, decoded.request);
  return res instanceof Uint8Array ? res : encodeResponse(res);
}

function illegal(fc: number): Uint8Array {
  return encodeException(fc, ExceptionCodes.ILLEGAL_FUNCTION);
}

function respond(bank: UnitBank, req: ModbusRequest): ModbusResponse | Uint8Array {
  switch (req.kind) {
    case 'read-bits':
      return { ...req, values: bank.getBits(req.fc === 1 ? 'coils' : 'discrete', req.address, req.quantity) };
    case 'read-registers': {
      const values = bank.getRegisters(req.fc === 3 ? 'holding' : 'input', req.address, req.quantity);
      return { kind: 'read-registers', fc: req.fc, values };
    }
    case 'write-single-coil':
      bank.setBits('coils', req.address, [req.value]);
      return { ...req };
    case 'write-single-register':
      bank.setRegisters('holding', req.address, [req.value]);
      return { ...req };
    case 'write-multiple-coils':
      bank.setBits('coils', req.address, req.values);
      return { kind: req.kind, fc: req.fc, address: req.address, quantity: req.values.length };
    case 'write-multiple-registers':
      bank.setRegisters('holding', req.address, req.values);
      return { kind: req.kind, fc: req.fc, address: req.address, quantity: req.values.length };
    case 'mask-write-register': {
      const [current = 0] = bank.getRegisters('holding', req.address, 1);
      bank.setRegisters('holding', req.address, [(current & req.andMask) | (req.orMask & ~req.andMask)]);
      return { ...req };
    }
    case 'read-write-registers':
      bank.setRegisters('holding', req.writeAddress, req.values);
      return {
        kind: req.kind,
        fc: req.fc,
        values: bank.getRegisters('holding', req.readAddress, req.readQuantity),
      };
    case 'diagnostics':
      if (req.subFunction !== DiagnosticSubFunctions.RETURN_QUERY_DATA) return illegal(req.fc);
      return { ...req };
    case 'read-device-identification': {
      const r = answerReadDeviceId(req, bank.identification, ConformityLevels.REGULAR_STREAM_INDIVIDUAL);
      return 'exception' in r ? encodeException(req.fc, r.exception) : r;
    }
    default:
      return illegal(req.fc);
  }
}

/**
 * FC 3 fast path: the whole reply ADU (MBAP + PDU) for a valid `03 addr qty`
 * request, or undefined when the request is not a plain valid FC 3 (then the
 * general path answers it, exceptions included).
 */
export function answerReadHolding(
  bank: UnitBank,
  tid: number,
  unitId: number,
  pdu: Uint8Array,
): Buffer | undefined {
  if (pdu.length !== 5 || pdu[0] !== 3) return undefined;
  const address = ((pdu[1] ?? 0) << 8) | (pdu[2] ?? 0);
  const quantity = ((pdu[3] ?? 0) << 8) | (pdu[4] ?? 0);
  if (quantity < 1 || quantity > Limits.READ_REGISTERS_MAX || address + quantity > Limits.ADDRESS_SPACE) {
    return undefined;
  }
  const n = 2 * quantity;
  const out = Buffer.allocUnsafe(9 + n);
  out.writeUInt16BE(tid, 0);
  out.writeUInt16BE(0, 2);
  out.writeUInt16BE(3 + n, 4);
  out[6] = unitId;
  out[7] = 3;
  out[8] = n;
  out.set(bank.holdingBytes.subarray(2 * address, 2 * address + n), 9);
  return out;
}
