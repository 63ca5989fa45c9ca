/**
 * Vendor function code 100 (0x64) sub-code 4 of the reference panel server:
 * read up to 100 scattered registers in one transaction (PRODUCT.md G3).
 *   request  0x64, byte count (= 2 + 2n), 0x04, transmission number, n × address (u16 BE)
 *   response 0x64, byte count (= 2 + 2n), 0x04, same transmission number, n × value (u16 BE)
 * Example: addresses 0x0065 and 0x0067 → `64 06 04 XX 00 65 00 67`.
 * FC 100 with another sub-code is not interpreted (raw pass-through).
 */
import { assertIntRange, assertU8 } from './bytes.js';
import { Limits, VENDOR_SUBCODE_READ_SCATTERED } from './function-codes.js';
import { readWords, writeWords } from './pdu-registers.js';
import { badValue, lengthMismatch, requestOk, responseFail, responseOk } from './pdu-result.js';
import type {
  DecodeResponseResult,
  PartialRequestResult,
  VendorReadScatteredRequest,
  VendorReadScatteredResponse,
} from './pdu-types.js';

function encodeScattered(transmissionNumber: number, words: readonly number[], what: string): Uint8Array {
  assertU8(transmissionNumber, `${what}.transmissionNumber`);
  assertIntRange(words.length, 1, Limits.VENDOR_SCATTERED_MAX, `${what}.length`);
  const pdu = new Uint8Array(4 + 2 * words.length);
  pdu.set([0x64, 2 + 2 * words.length, VENDOR_SUBCODE_READ_SCATTERED, transmissionNumber]);
  writeWords(pdu, 4, words, what);
  return pdu;
}

export const encodeVendorReadScatteredRequest = (req: VendorReadScatteredRequest): Uint8Array =>
  encodeScattered(req.transmissionNumber, req.addresses, 'vendor-read-scattered.addresses');

export const encodeVendorReadScatteredResponse = (res: VendorReadScatteredResponse): Uint8Array =>
  encodeScattered(res.transmissionNumber, res.values, 'vendor-read-scattered.values');

/** Word count n of a well-formed 100-4 PDU, or a reason. Caller has checked pdu[2] === 4. */
function scatteredCount(pdu: Uint8Array): number | string {
  const byteCount = pdu[1] ?? 0;
  if (byteCount < 4 || byteCount % 2 !== 0) return `byte count ${byteCount} is not 2 + 2n with n ≥ 1`;
  const n = (byteCount - 2) / 2;
  if (n > Limits.VENDOR_SCATTERED_MAX) return `${n} registers > 100`;
  return lengthMismatch(pdu, 2 + byteCount, 'vendor 100-4') ?? n;
}

export function decodeVendorReadScatteredRequest(
  pdu: Uint8Array,
): PartialRequestResult<VendorReadScatteredRequest> {
  const n = scatteredCount(pdu);
  if (typeof n === 'string') return badValue(n);
  return requestOk({
    kind: 'vendor-read-scattered',
    fc: 0x64,
    transmissionNumber: pdu[3] ?? 0,
    addresses: readWords(pdu, 4, n),
  });
}

export function decodeVendorReadScatteredResponse(
  pdu: Uint8Array,
  req: VendorReadScatteredRequest,
): DecodeResponseResult {
  if (pdu.length < 3 || pdu[2] !== VENDOR_SUBCODE_READ_SCATTERED)
    return responseFail('vendor 100: sub-code is not 4');
  const n = scatteredCount(pdu);
  if (typeof n === 'string') return responseFail(n);
  if (pdu[3] !== req.transmissionNumber)
    return responseFail(`transmission number ${pdu[3]} answers another request`);
  if (n !== req.addresses.length) return responseFail(`${n} values for ${req.addresses.length} addresses`);
  return responseOk({
    kind: 'vendor-read-scattered',
    fc: 0x64,
    transmissionNumber: req.transmissionNumber,
    values: readWords(pdu, 4, n),
  });
}
