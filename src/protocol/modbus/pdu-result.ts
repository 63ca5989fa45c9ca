/**
 * Shared result builders and checks for the per-family PDU codecs. Request
 * decoders answer with the exception code a server must send (03 for lengths,
 * quantities and byte counts, 02 for address overflow, as in the spec's state
 * diagrams); response decoders answer with a reason only.
 */
import { type ExceptionCode, ExceptionCodes, Limits } from './function-codes.js';
import type { DecodeResponseResult, ModbusResponse, PartialRequestResult } from './pdu-types.js';

export function requestFail<R>(exception: ExceptionCode, reason: string): PartialRequestResult<R> {
  return { ok: false, exception, reason };
}

export function badValue<R>(reason: string): PartialRequestResult<R> {
  return { ok: false, exception: ExceptionCodes.ILLEGAL_DATA_VALUE, reason };
}

export function badAddress<R>(reason: string): PartialRequestResult<R> {
  return { ok: false, exception: ExceptionCodes.ILLEGAL_DATA_ADDRESS, reason };
}

export function requestOk<R>(request: R): PartialRequestResult<R> {
  return { ok: true, request };
}

export function responseFail(reason: string): DecodeResponseResult {
  return { ok: false, reason };
}

export function responseOk(response: ModbusResponse): DecodeResponseResult {
  return { ok: true, response };
}

/** True when [address, address + quantity) leaves the 16-bit address space. */
export function overflows(address: number, quantity: number): boolean {
  return address + quantity > Limits.ADDRESS_SPACE;
}

export function lengthMismatch(pdu: Uint8Array, expected: number, what: string): string | undefined {
  return pdu.length === expected ? undefined : `${what}: PDU length ${pdu.length}, expected ${expected}`;
}
