/**
 * Serial-line diagnostics PDUs: FC 8 diagnostics (sub-function + N×2 data
 * bytes, echoed or answered with counters) and FC 17 report server id
 * (empty request; response = byte count + device-specific bytes: server id,
 * run indicator 0x00/0xFF, additional data).
 */
import { assertIntRange, assertU16, copyBytes, invalidArgument, readU16, writeU16 } from './bytes.js';
import { Limits } from './function-codes.js';
import { badValue, lengthMismatch, requestOk, responseFail, responseOk } from './pdu-result.js';
import type {
  DecodeResponseResult,
  DiagnosticsRequest,
  DiagnosticsResponse,
  PartialRequestResult,
  ReportServerIdRequest,
  ReportServerIdResponse,
} from './pdu-types.js';

/** Diagnostics sub-function codes (spec 6.8.1). */
export const DiagnosticSubFunctions = {
  RETURN_QUERY_DATA: 0x00,
  RESTART_COMMUNICATIONS: 0x01,
  RETURN_DIAGNOSTIC_REGISTER: 0x02,
  CHANGE_ASCII_DELIMITER: 0x03,
  FORCE_LISTEN_ONLY: 0x04,
  CLEAR_COUNTERS: 0x0a,
  BUS_MESSAGE_COUNT: 0x0b,
  BUS_COMMUNICATION_ERROR_COUNT: 0x0c,
  BUS_EXCEPTION_ERROR_COUNT: 0x0d,
  SERVER_MESSAGE_COUNT: 0x0e,
  SERVER_NO_RESPONSE_COUNT: 0x0f,
  SERVER_NAK_COUNT: 0x10,
  SERVER_BUSY_COUNT: 0x11,
  BUS_CHARACTER_OVERRUN_COUNT: 0x12,
  CLEAR_OVERRUN_COUNTER: 0x14,
} as const;

const DIAG_DATA_MAX = Limits.PDU_MAX - 3;

function encodeDiagnostics(msg: DiagnosticsRequest | DiagnosticsResponse): Uint8Array {
  assertU16(msg.subFunction, 'diagnostics.subFunction');
  if (!(msg.data instanceof Uint8Array))
    throw invalidArgument('diagnostics.data must be a Uint8Array', 'data');
  assertIntRange(msg.data.length, 2, DIAG_DATA_MAX, 'diagnostics.data.length');
  if (msg.data.length % 2 !== 0) throw invalidArgument('diagnostics.data length must be even', 'data');
  const pdu = new Uint8Array(3 + msg.data.length);
  pdu[0] = 0x08;
  writeU16(pdu, 1, msg.subFunction);
  pdu.set(msg.data, 3);
  return pdu;
}

export const encodeDiagnosticsRequest = (req: DiagnosticsRequest): Uint8Array => encodeDiagnostics(req);
export const encodeDiagnosticsResponse = (res: DiagnosticsResponse): Uint8Array => encodeDiagnostics(res);

function dataProblem(pdu: Uint8Array): string | undefined {
  if (pdu.length < 5) return `diagnostics: PDU length ${pdu.length} < 5`;
  if ((pdu.length - 3) % 2 !== 0) return `diagnostics: data length ${pdu.length - 3} is odd`;
  return undefined;
}

export function decodeDiagnosticsRequest(pdu: Uint8Array): PartialRequestResult<DiagnosticsRequest> {
  const bad = dataProblem(pdu);
  if (bad) return badValue(bad);
  return requestOk({ kind: 'diagnostics', fc: 8, subFunction: readU16(pdu, 1), data: copyBytes(pdu, 3) });
}

export function decodeDiagnosticsResponse(pdu: Uint8Array, req: DiagnosticsRequest): DecodeResponseResult {
  const bad = dataProblem(pdu);
  if (bad) return responseFail(bad);
  const subFunction = readU16(pdu, 1);
  if (subFunction !== req.subFunction)
    return responseFail(`diagnostics answered for sub-function ${subFunction}`);
  return responseOk({ kind: 'diagnostics', fc: 8, subFunction, data: copyBytes(pdu, 3) });
}

export function encodeReportServerIdRequest(_req: ReportServerIdRequest): Uint8Array {
  return Uint8Array.of(0x11);
}

export function decodeReportServerIdRequest(pdu: Uint8Array): PartialRequestResult<ReportServerIdRequest> {
  const bad = lengthMismatch(pdu, 1, 'report server id');
  if (bad) return badValue(bad);
  return requestOk({ kind: 'report-server-id', fc: 0x11 });
}

export function encodeReportServerIdResponse(res: ReportServerIdResponse): Uint8Array {
  if (!(res.data instanceof Uint8Array)) throw invalidArgument('report-server-id.data must be a Uint8Array');
  assertIntRange(res.data.length, 1, Limits.PDU_MAX - 2, 'report-server-id.data.length');
  const pdu = new Uint8Array(2 + res.data.length);
  pdu[0] = 0x11;
  pdu[1] = res.data.length;
  pdu.set(res.data, 2);
  return pdu;
}

export function decodeReportServerIdResponse(pdu: Uint8Array): DecodeResponseResult {
  const byteCount = pdu[1] ?? 0;
  if (byteCount < 1) return responseFail('report server id: byte count 0');
  const bad = lengthMismatch(pdu, 2 + byteCount, 'report server id response');
  if (bad) return responseFail(bad);
  return responseOk({ kind: 'report-server-id', fc: 0x11, data: copyBytes(pdu, 2) });
}

/** Readable view of a report-server-id payload when the server id is one byte (the common case). */
export function splitServerIdData(data: Uint8Array): {
  serverId: number;
  running: boolean;
  extra: Uint8Array;
} {
  return { serverId: data[0] ?? 0, running: data[1] === 0xff, extra: copyBytes(data, 2) };
}
