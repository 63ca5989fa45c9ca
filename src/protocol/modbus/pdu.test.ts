import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { hexToBytes, loadHexCases, loadSpecCases } from '../../../test/fixtures/modbus/load.js';
import { hasCode } from '../../shared/errors.js';
import { bytesToHex } from './bytes.js';
import { ExceptionCodes, FunctionCodeNames, FunctionCodes } from './function-codes.js';
import { decodeException, encodeException } from './pdu-exception.js';
import { answerReadDeviceId } from './pdu-identification.js';
import { decodeRequest, encodeRequest } from './pdu-request.js';
import { decodeResponse, encodeResponse } from './pdu-response.js';
import type { ModbusRequest, ReadDeviceIdRequest } from './pdu-types.js';

describe('spec examples (fixtures/modbus/spec-pdus.json)', () => {
  for (const c of loadSpecCases()) {
    test(c.name, () => {
      assert.deepEqual(decodeRequest(c.request), { ok: true, request: c.requestDecoded });
      assert.equal(bytesToHex(encodeRequest(c.requestDecoded)), bytesToHex(c.request));
      assert.deepEqual(decodeResponse(c.response, c.requestDecoded), {
        ok: true,
        response: c.responseDecoded,
      });
      assert.equal(bytesToHex(encodeResponse(c.responseDecoded)), bytesToHex(c.response));
    });
  }
  test('vendor 100-4 request for 0x0065 and 0x0067 is 64 06 04 XX 00 65 00 67 (PRODUCT.md G3)', () => {
    const pdu = encodeRequest({
      kind: 'vendor-read-scattered',
      fc: 100,
      transmissionNumber: 0x5a,
      addresses: [0x65, 0x67],
    });
    assert.equal(bytesToHex(pdu), '64 06 04 5A 00 65 00 67');
  });
});

describe('malformed requests (fixtures/modbus/malformed-requests.hex)', () => {
  for (const c of loadHexCases('malformed-requests.hex')) {
    test(`line ${c.line}: ${c.input.slice(0, 60) || '(empty)'} → ${c.expected} ${c.comment}`, () => {
      const r = decodeRequest(hexToBytes(c.input));
      const [what, arg] = c.expected.split(/\s+/);
      if (what === 'exception') {
        assert.equal(r.ok, false);
        if (!r.ok) assert.equal(r.exception, Number.parseInt(arg ?? '', 16), r.reason);
      } else if (what === 'raw') {
        assert.equal(r.ok && r.request.kind, 'raw');
      } else {
        assert.equal(r.ok && r.request.kind, arg);
      }
    });
  }
});

describe('malformed responses (fixtures/modbus/malformed-responses.hex)', () => {
  for (const c of loadHexCases('malformed-responses.hex')) {
    test(`line ${c.line}: ${c.input} → ${c.expected} ${c.comment}`, () => {
      const [reqHex = '', resHex = ''] = c.input.split('|');
      const req = decodeRequest(hexToBytes(reqHex));
      assert.ok(req.ok, 'fixture request must be valid');
      const r = decodeResponse(hexToBytes(resHex), req.request);
      if (c.expected === 'fail') assert.equal(r.ok, false, JSON.stringify(r));
      else assert.equal(r.ok && r.response.kind, c.expected.split(/\s+/)[1]);
    });
  }
});

describe('every function code 0–255 (SEC-H2)', () => {
  test('gets a typed request, a raw pass-through or exception 01; never throws', () => {
    for (let f = 0; f <= 255; f++) {
      for (const tail of [[], [0, 0, 0, 1], [0, 0, 0, 1, 2, 0, 0]]) {
        const r = decodeRequest(Uint8Array.of(f, ...tail));
        if (f === 0 || f >= 0x80) assert.deepEqual([r.ok, !r.ok && r.exception], [false, 1]);
        else if (!r.ok) assert.ok([2, 3].includes(r.exception), `fc ${f}`);
        if (!r.ok) assert.equal(r.functionCode, f);
      }
    }
  });
});

describe('exceptions', () => {
  test('encode/decode, names', () => {
    assert.equal(bytesToHex(encodeException(3, ExceptionCodes.GATEWAY_PATH_UNAVAILABLE)), '83 0A');
    assert.equal(bytesToHex(encodeException(0x85, 1)), '85 01');
    assert.deepEqual(decodeException(hexToBytes('8B 0B')), {
      ok: true,
      response: { kind: 'exception', fc: 0x0b, exception: 0x0b },
    });
    assert.equal(decodeException(hexToBytes('03 02')).ok, false);
    assert.equal(
      FunctionCodeNames[FunctionCodes.READ_WRITE_MULTIPLE_REGISTERS],
      'READ_WRITE_MULTIPLE_REGISTERS',
    );
  });
});

describe('encoders refuse what a caller must never send', () => {
  const bad: Array<[string, () => Uint8Array]> = [
    ['read 0 coils', () => encodeRequest({ kind: 'read-bits', fc: 1, address: 0, quantity: 0 })],
    ['read 2001 coils', () => encodeRequest({ kind: 'read-bits', fc: 1, address: 0, quantity: 2001 })],
    ['address -1', () => encodeRequest({ kind: 'read-registers', fc: 3, address: -1, quantity: 1 })],
    ['address 65536', () => encodeRequest({ kind: 'read-registers', fc: 3, address: 65536, quantity: 1 })],
    ['126 registers', () => encodeRequest({ kind: 'read-registers', fc: 3, address: 0, quantity: 126 })],
    ['overflow', () => encodeRequest({ kind: 'read-registers', fc: 3, address: 0xffff, quantity: 2 })],
    ['value 65536', () => encodeRequest({ kind: 'write-single-register', fc: 6, address: 0, value: 65536 })],
    ['no coils', () => encodeRequest({ kind: 'write-multiple-coils', fc: 15, address: 0, values: [] })],
    [
      '124 registers',
      () =>
        encodeRequest({ kind: 'write-multiple-registers', fc: 16, address: 0, values: Array(124).fill(0) }),
    ],
    ['1.5', () => encodeRequest({ kind: 'write-multiple-registers', fc: 16, address: 0, values: [1.5] })],
    [
      'rw 122',
      () =>
        encodeRequest({
          kind: 'read-write-registers',
          fc: 23,
          readAddress: 0,
          readQuantity: 1,
          writeAddress: 0,
          values: Array(122).fill(0),
        }),
    ],
    [
      'read code 5',
      () => encodeRequest({ kind: 'read-device-identification', fc: 43, readCode: 5, objectId: 0 }),
    ],
    [
      '101 addresses',
      () =>
        encodeRequest({
          kind: 'vendor-read-scattered',
          fc: 100,
          transmissionNumber: 0,
          addresses: Array(101).fill(0),
        }),
    ],
    [
      'odd diag data',
      () => encodeRequest({ kind: 'diagnostics', fc: 8, subFunction: 0, data: Uint8Array.of(1) }),
    ],
    ['empty raw', () => encodeRequest({ kind: 'raw', fc: 65, pdu: new Uint8Array() })],
    ['exception 0', () => encodeException(3, 0)],
    [
      'bits response with 126 registers',
      () => encodeResponse({ kind: 'read-registers', fc: 3, values: Array(126).fill(0) }),
    ],
  ];
  for (const [name, fn] of bad) {
    test(name, () => assert.throws(fn, (e) => hasCode(e, 'WG_ERR_INVALID_ARGUMENT')));
  }
});

describe('answerReadDeviceId (server side of 43/14)', () => {
  const enc = (s: string) => new TextEncoder().encode(s);
  const objects = new Map([
    [0, enc('Wattgate')],
    [1, enc('WG-1')],
    [2, enc('0.1.0')],
    [3, enc('https://example.org')],
    [4, enc('x'.repeat(120))],
    [5, enc('y'.repeat(120))],
    [0x80, enc('private')],
  ]);
  const req = (readCode: number, objectId: number): ReadDeviceIdRequest => ({
    kind: 'read-device-identification',
    fc: 43,
    readCode,
    objectId,
  });
  test('basic stream returns objects 0–2', () => {
    const r = answerReadDeviceId(req(1, 0), objects, 0x83);
    assert.ok(!('exception' in r));
    assert.deepEqual(
      r.objects.map((o) => o.id),
      [0, 1, 2],
    );
    assert.equal(r.moreFollows, false);
  });
  test('regular stream pages with more-follows, and the next page continues', () => {
    const first = answerReadDeviceId(req(2, 0), objects, 0x83);
    assert.ok(!('exception' in first));
    assert.equal(first.moreFollows, true);
    assert.deepEqual(
      first.objects.map((o) => o.id),
      [0, 1, 2, 3, 4],
    );
    assert.equal(first.nextObjectId, 5);
    encodeResponse(first); // fits in 253 bytes
    const next = answerReadDeviceId(req(2, first.nextObjectId), objects, 0x83);
    assert.ok(!('exception' in next));
    assert.deepEqual([next.objects.map((o) => o.id), next.moreFollows], [[5], false]);
  });
  test('unknown stream start restarts at 0; individual unknown → 02', () => {
    const r = answerReadDeviceId(req(1, 0x42), objects, 0x83);
    assert.ok(!('exception' in r));
    assert.equal(r.objects[0]?.id, 0);
    assert.deepEqual(answerReadDeviceId(req(4, 0x42), objects, 0x83), { exception: 2 });
    const one = answerReadDeviceId(req(4, 0x80), objects, 0x83);
    assert.ok(!('exception' in one));
    assert.deepEqual(
      one.objects.map((o) => o.id),
      [0x80],
    );
  });
});

test('decodeResponse of a write against a raw request passes the PDU through', () => {
  const req: ModbusRequest = { kind: 'raw', fc: 0x14, pdu: hexToBytes('14 07 06 00 04 00 01 00 02') };
  const r = decodeResponse(hexToBytes('14 0C 05 06 0D FE 00 20 05 06 33 CD 00 40'), req);
  assert.ok(r.ok && r.response.kind === 'raw');
  assert.equal(bytesToHex(encodeResponse(r.response)), '14 0C 05 06 0D FE 00 20 05 06 33 CD 00 40');
});
