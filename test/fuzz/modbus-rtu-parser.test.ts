/**
 * Property-based tests of the RTU codec and stream parser (SEC-H5/H7): CRC
 * detects every single-bit error, clean streams of valid frames are recovered
 * exactly however they are chunked (slave and master side), garbage between
 * frames is dropped with chunking-independent results, random bytes never
 * throw and never grow the buffer.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import fc from 'fast-check';
import { hasValidCrc } from '../../src/protocol/modbus/crc16.js';
import { decodeRequest, encodeRequest } from '../../src/protocol/modbus/pdu-request.js';
import { encodeResponse } from '../../src/protocol/modbus/pdu-response.js';
import { decodeRtuAdu, encodeRtuAdu } from '../../src/protocol/modbus/rtu.js';
import { RtuFrameParser, type RtuSide } from '../../src/protocol/modbus/rtu-frame-parser.js';
import {
  CaseCounter,
  chunkSizesArb,
  concat,
  fuzzRuns,
  requestArb,
  requestResponseArb,
  splitBy,
} from '../fixtures/modbus/arbitraries.js';

const RUNS = fuzzRuns(12000);
const counter = new CaseCounter('modbus-rtu-parser');
const started = performance.now();
after(() => counter.report(started, performance.now()));

function check<T>(arb: fc.Arbitrary<T>, predicate: (v: T) => void): void {
  fc.assert(fc.property(arb, predicate), { numRuns: RUNS });
  counter.add(RUNS);
}

const unit = fc.integer({ min: 1, max: 247 });
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function run(
  side: RtuSide,
  chunks: readonly Uint8Array[],
): { frames: string[]; dropped: number; pending: number } {
  const p = new RtuFrameParser(side);
  const frames: string[] = [];
  let dropped = 0;
  for (const c of chunks) {
    const r = p.push(c);
    for (const f of r.frames) frames.push(`${f.unitId}:${hex(f.pdu)}`);
    for (const e of r.events) dropped += e.bytes;
    assert.ok(p.pendingBytes < 256);
  }
  const pending = p.pendingBytes;
  const tail = p.onSilence();
  for (const f of tail.frames) frames.push(`silence ${f.unitId}:${hex(f.pdu)}`);
  for (const e of tail.events) dropped += e.bytes;
  assert.equal(p.pendingBytes, 0);
  return { frames, dropped, pending };
}

const requestFrames = fc.array(
  fc.tuple(unit, requestArb({ oneWordDiagnostics: true, withRaw: false })).map(([u, req]) => {
    const pdu = encodeRequest(req);
    return { bytes: encodeRtuAdu({ unitId: u, pdu }), id: `${u}:${hex(pdu)}` };
  }),
  { maxLength: 6 },
);
const responseFrames = fc.array(
  fc.tuple(unit, requestResponseArb({ oneWordDiagnostics: true, withRaw: false })).map(([u, [, res]]) => {
    const pdu = encodeResponse(res);
    return { bytes: encodeRtuAdu({ unitId: u, pdu }), id: `${u}:${hex(pdu)}` };
  }),
  { maxLength: 6 },
);

describe('RTU properties', () => {
  test('ADU round trip; CRC catches every single-bit error', () => {
    check(fc.tuple(unit, fc.uint8Array({ minLength: 1, maxLength: 253 }), fc.nat()), ([u, pdu, bit]) => {
      const adu = encodeRtuAdu({ unitId: u, pdu });
      assert.deepEqual(decodeRtuAdu(adu), { ok: true, adu: { unitId: u, pdu } });
      const flipped = adu.slice();
      const i = bit % (adu.length * 8);
      flipped[i >> 3] = (flipped[i >> 3] ?? 0) ^ (1 << (i & 7));
      assert.equal(hasValidCrc(flipped), false);
    });
  });
  test('slave side: clean request streams recovered exactly, whatever the chunking', () => {
    check(fc.tuple(requestFrames, chunkSizesArb), ([frames, sizes]) => {
      const r = run('request', splitBy(concat(frames.map((f) => f.bytes)), sizes));
      assert.deepEqual(r, { frames: frames.map((f) => f.id), dropped: 0, pending: 0 });
    });
  });
  test('master side: clean response streams recovered exactly, whatever the chunking', () => {
    check(fc.tuple(responseFrames, chunkSizesArb), ([frames, sizes]) => {
      const r = run('response', splitBy(concat(frames.map((f) => f.bytes)), sizes));
      assert.deepEqual(r, { frames: frames.map((f) => f.id), dropped: 0, pending: 0 });
    });
  });
  test('garbage between frames: chunking-independent, only CRC-valid frames, requests decodable', () => {
    const garbage = fc.uint8Array({ maxLength: 12 });
    const arb = fc.tuple(requestFrames, fc.array(garbage, { minLength: 7, maxLength: 7 }), chunkSizesArb);
    check(arb, ([frames, junk, sizes]) => {
      const parts: Uint8Array[] = [];
      frames.forEach((f, i) => {
        parts.push(junk[i] ?? new Uint8Array(), f.bytes);
      });
      parts.push(junk[6] ?? new Uint8Array());
      const stream = concat(parts);
      const whole = run('request', [stream]);
      assert.deepEqual(run('request', splitBy(stream, sizes)), whole);
      const frameBytes = whole.frames.reduce((n, f) => n + (f.length - f.indexOf(':') - 1) / 2 + 3, 0);
      for (const f of whole.frames) decodeRequest(Buffer.from(f.slice(f.indexOf(':') + 1), 'hex'));
      assert.equal(whole.dropped + frameBytes, stream.length, 'every byte is a frame byte or dropped');
      // (Recovering every inserted frame is not asserted: garbage can, with probability 2^-16 per
      // candidate, form a CRC-valid frame that swallows a real one. Clean streams are asserted above.)
    });
  });
  test('random bytes on both sides: no throw, bounded, chunking-independent', () => {
    const bytes = fc.oneof(fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ maxLength: 700, size: 'max' }));
    check(
      fc.tuple(fc.constantFrom('request' as const, 'response' as const), bytes, chunkSizesArb),
      ([side, stream, sizes]) => {
        assert.deepEqual(run(side, splitBy(stream, sizes)), run(side, [stream]));
      },
    );
  });
});
