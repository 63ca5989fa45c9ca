/**
 * Exception responses: `fc | 0x80, exception code` (spec section 7).
 */
import { assertIntRange, assertU8 } from './bytes.js';
import { EXCEPTION_FLAG } from './function-codes.js';
import type { ExceptionResponse } from './pdu-types.js';

/** `fc` is the request's function code (0–255; a request fc ≥ 0x80 keeps its value). */
export function encodeException(fc: number, exception: number): Uint8Array {
  assertU8(fc, 'exception.fc');
  assertIntRange(exception, 1, 0xff, 'exception.code');
  return Uint8Array.of(fc | EXCEPTION_FLAG, exception);
}

export function encodeExceptionResponse(res: ExceptionResponse): Uint8Array {
  return encodeException(res.fc, res.exception);
}

export type DecodeExceptionResult = { ok: true; response: ExceptionResponse } | { ok: false; reason: string };

/** Decodes an exception PDU; exactly two bytes with the 0x80 flag set. */
export function decodeException(pdu: Uint8Array): DecodeExceptionResult {
  const fc = pdu[0] ?? 0;
  if ((fc & EXCEPTION_FLAG) === 0) return { ok: false, reason: 'not an exception response' };
  if (pdu.length !== 2) return { ok: false, reason: `exception PDU of ${pdu.length} bytes, expected 2` };
  return { ok: true, response: { kind: 'exception', fc: fc & 0x7f, exception: pdu[1] ?? 0 } };
}
