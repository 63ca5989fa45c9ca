/**
 * Property-based tests of the Modbus PDU codec (SEC-H7): round trips of every
 * request and response type, and untrusted bytes (random, or mutated spec
 * fixtures) that must never make a decoder throw.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import fc from 'fast-check';
import { decodeException, encodeException } from '../../src/protocol/modbus/pdu-exception.js';
import { decodeRequest, encodeRequest } from '../../src/protocol/modbus/pdu-request.js';
import { decodeResponse, encodeResponse } from '../../src/protocol/modbus/pdu-response.js';
import {
  CaseCounter,
  fuzzRuns,
  mutate,
  requestArb,
  requestResponseArb,
} from '../fixtures/modbus/arbitraries.js';
import { loadSpecCases } from '../fixtures/modbus/load.js';

const RUNS = fuzzRuns(20000);
const counter = new CaseCounter('modbus-pdu');
const started = performance.now();
after(() => counter.report(started, performance.now()));

function check<T>(arb: fc.Arbitrary<T>, predicate: (v: T) => void, runs = RUNS): void {
  fc.assert(fc.property(arb, predicate), { numRuns: runs });
  counter.add(runs);
}

describe('round trips', () => {
  test('decodeRequest(encodeRequest(r)) = r for every request type', () => {
    check(requestArb(), (req) => {
      assert.deepEqual(decodeRequest(encodeRequest(req)), { ok: true, request: req });
    });
  });
  test('decodeResponse(encodeResponse(r), request) = r for every response type and exceptions', () => {
    check(requestResponseArb(), ([req, res]) => {
      assert.deepEqual(decodeResponse(encodeResponse(res), req), { ok: true, response: res });
    });
  });
  test('exception PDUs', () => {
    check(fc.tuple(fc.integer({ min: 1, max: 127 }), fc.integer({ min: 1, max: 255 })), ([f, code]) => {
      assert.deepEqual(decodeException(encodeException(f, code)), {
        ok: true,
        response: { kind: 'exception', fc: f, exception: code },
      });
    });
  });
});

describe('untrusted bytes never throw', () => {
  test('random request PDUs: a result, and accepted requests re-encode to an equal request', () => {
    const pdus = fc.oneof(fc.uint8Array({ maxLength: 12 }), fc.uint8Array({ maxLength: 260, size: 'max' }));
    check(
      pdus,
      (pdu) => {
        const r = decodeRequest(pdu);
        if (!r.ok) {
          assert.ok([1, 2, 3].includes(r.exception));
          return;
        }
        if (r.request.kind !== 'raw') assert.deepEqual(decodeRequest(encodeRequest(r.request)), r);
      },
      RUNS * 2,
    );
  });
  test('random bytes with a valid function code prefix', () => {
    const known = fc.constantFrom(1, 2, 3, 4, 5, 6, 8, 15, 16, 17, 22, 23, 43, 100);
    check(fc.tuple(known, fc.uint8Array({ maxLength: 30 })), ([f, rest]) => {
      decodeRequest(Uint8Array.of(f, ...rest));
    });
  });
  test('random response bytes against any request', () => {
    check(
      fc.tuple(requestArb(), fc.uint8Array({ maxLength: 260, size: 'max' }), fc.boolean()),
      ([req, bytes, sameFc]) => {
        const pdu = bytes.slice();
        if (sameFc && pdu.length > 0) pdu[0] = req.fc;
        const r = decodeResponse(pdu, req);
        if (r.ok && r.response.kind !== 'raw') {
          assert.deepEqual(decodeResponse(encodeResponse(r.response), req).ok, true);
        }
      },
    );
  });
  test('mutated spec fixtures (bit flips, truncation, extension, random bytes)', () => {
    const cases = loadSpecCases();
    const arb = fc
      .constantFrom(...cases)
      .chain((c) => fc.tuple(fc.constant(c), mutate(c.request), mutate(c.response)));
    check(arb, ([c, req, res]) => {
      decodeRequest(req);
      decodeResponse(res, c.requestDecoded);
    });
  });
});
