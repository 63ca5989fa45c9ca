/**
 * FC 43 / MEI 14 Read Device Identification (spec 6.21): request, response
 * (conformity level, more-follows / next-object-id paging, objects as
 * id + length + bytes) and the server-side selection of objects per read code.
 */
import { assertIntRange, assertU8, copyBytes, invalidArgument } from './bytes.js';
import {
  type ExceptionCode,
  ExceptionCodes,
  Limits,
  MEI_READ_DEVICE_IDENTIFICATION,
  ReadDeviceIdCodes,
} from './function-codes.js';
import { badValue, lengthMismatch, requestOk, responseFail, responseOk } from './pdu-result.js';
import type {
  DecodeResponseResult,
  DeviceIdObject,
  PartialRequestResult,
  ReadDeviceIdRequest,
  ReadDeviceIdResponse,
} from './pdu-types.js';

const HEADER = 7; // fc, mei, read code, conformity, more follows, next object id, number of objects
const MORE_FOLLOWS = 0xff;

export function encodeReadDeviceIdRequest(req: ReadDeviceIdRequest): Uint8Array {
  assertIntRange(req.readCode, 1, 4, 'read-device-identification.readCode');
  assertU8(req.objectId, 'read-device-identification.objectId');
  return Uint8Array.of(0x2b, MEI_READ_DEVICE_IDENTIFICATION, req.readCode, req.objectId);
}

/** Caller has checked pdu[1] === 14. */
export function decodeReadDeviceIdRequest(pdu: Uint8Array): PartialRequestResult<ReadDeviceIdRequest> {
  const bad = lengthMismatch(pdu, 4, 'read device identification');
  if (bad) return badValue(bad);
  const readCode = pdu[2] ?? 0;
  if (readCode < 1 || readCode > 4) return badValue(`read device id code ${readCode} not in 1..4`);
  return requestOk({ kind: 'read-device-identification', fc: 0x2b, readCode, objectId: pdu[3] ?? 0 });
}

export function encodeReadDeviceIdResponse(res: ReadDeviceIdResponse): Uint8Array {
  assertIntRange(res.readCode, 1, 4, 'read-device-identification.readCode');
  assertU8(res.conformityLevel, 'read-device-identification.conformityLevel');
  assertU8(res.nextObjectId, 'read-device-identification.nextObjectId');
  assertIntRange(res.objects.length, 0, 255, 'read-device-identification.objects.length');
  let length = HEADER;
  for (const o of res.objects) {
    assertU8(o.id, 'read-device-identification.objects[].id');
    assertIntRange(o.value.length, 0, 255, 'read-device-identification.objects[].value.length');
    length += 2 + o.value.length;
  }
  if (length > Limits.PDU_MAX)
    throw invalidArgument(`read-device-identification response of ${length} bytes > 253`);
  const pdu = new Uint8Array(length);
  pdu.set([0x2b, MEI_READ_DEVICE_IDENTIFICATION, res.readCode, res.conformityLevel]);
  pdu.set([res.moreFollows ? MORE_FOLLOWS : 0, res.nextObjectId, res.objects.length], 4);
  let off = HEADER;
  for (const o of res.objects) {
    pdu[off] = o.id;
    pdu[off + 1] = o.value.length;
    pdu.set(o.value, off + 2);
    off += 2 + o.value.length;
  }
  return pdu;
}

function decodeObjects(pdu: Uint8Array, count: number): DeviceIdObject[] | string {
  const objects: DeviceIdObject[] = [];
  let off = HEADER;
  for (let i = 0; i < count; i++) {
    if (off + 2 > pdu.length) return `object ${i} header beyond the PDU`;
    const len = pdu[off + 1] ?? 0;
    if (off + 2 + len > pdu.length) return `object ${i} value beyond the PDU`;
    objects.push({ id: pdu[off] ?? 0, value: copyBytes(pdu, off + 2, off + 2 + len) });
    off += 2 + len;
  }
  return off === pdu.length ? objects : `${pdu.length - off} bytes after the last object`;
}

export function decodeReadDeviceIdResponse(pdu: Uint8Array, req: ReadDeviceIdRequest): DecodeResponseResult {
  if (pdu.length < HEADER)
    return responseFail(`read device identification response: length ${pdu.length} < 7`);
  if (pdu[1] !== MEI_READ_DEVICE_IDENTIFICATION) return responseFail(`MEI type ${pdu[1]} is not 14`);
  if (pdu[2] !== req.readCode) return responseFail(`read code ${pdu[2]} answers ${req.readCode}`);
  const more = pdu[4];
  if (more !== 0 && more !== MORE_FOLLOWS) return responseFail(`more-follows byte 0x${more?.toString(16)}`);
  const objects = decodeObjects(pdu, pdu[6] ?? 0);
  if (typeof objects === 'string') return responseFail(`read device identification response: ${objects}`);
  return responseOk({
    kind: 'read-device-identification',
    fc: 0x2b,
    readCode: req.readCode,
    conformityLevel: pdu[3] ?? 0,
    moreFollows: more === MORE_FOLLOWS,
    nextObjectId: pdu[5] ?? 0,
    objects,
  });
}

/** Highest object id of each stream category (basic 0–2, regular 0–0x7F, extended 0–0xFF). */
const CATEGORY_LAST: Readonly<Record<number, number>> = { 1: 0x02, 2: 0x7f, 3: 0xff };

/**
 * Server side: picks the objects to answer `req` from the device's `objects`
 * (id → bytes), paging with more-follows when they do not fit in one PDU.
 * Stream access restarts at object 0 when the asked id is unknown (spec 6.21);
 * individual access to an unknown id → exception 02.
 */
export function answerReadDeviceId(
  req: ReadDeviceIdRequest,
  objects: ReadonlyMap<number, Uint8Array>,
  conformityLevel: number,
): ReadDeviceIdResponse | { exception: ExceptionCode } {
  const base = {
    kind: 'read-device-identification',
    fc: 0x2b,
    readCode: req.readCode,
    conformityLevel,
  } as const;
  if (req.readCode === ReadDeviceIdCodes.INDIVIDUAL) {
    const value = objects.get(req.objectId);
    if (!value) return { exception: ExceptionCodes.ILLEGAL_DATA_ADDRESS };
    return { ...base, moreFollows: false, nextObjectId: 0, objects: [{ id: req.objectId, value }] };
  }
  const last = CATEGORY_LAST[req.readCode] ?? 0x02;
  const ids = [...objects.keys()].filter((id) => id <= last).sort((a, b) => a - b);
  const start = ids.includes(req.objectId) ? req.objectId : 0;
  const out: DeviceIdObject[] = [];
  let length = HEADER;
  for (const id of ids.filter((i) => i >= start)) {
    const value = objects.get(id) ?? new Uint8Array();
    if (length + 2 + value.length > Limits.PDU_MAX) {
      return { ...base, moreFollows: true, nextObjectId: id, objects: out };
    }
    out.push({ id, value });
    length += 2 + value.length;
  }
  return { ...base, moreFollows: false, nextObjectId: 0, objects: out };
}
