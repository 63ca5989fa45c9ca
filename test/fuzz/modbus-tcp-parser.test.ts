/**
 * Property-based tests of the Modbus TCP stream parser (SEC-H1/H2/H7): the
 * same ADUs and events however the stream is chunked, exact skipping of
 * protocol-id ≠ 0 frames, a fatal event on lengths 0, 1, > 254, and no throw on
 * random or mutated streams.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import fc from 'fast-check';
import { encodeMbapHeader, encodeTcpAdu } from '../../src/protocol/modbus/mbap.js';
import { TcpFrameParser, type TcpPushResult } from '../../src/protocol/modbus/tcp-frame-parser.js';
import {
  CaseCounter,
  chunkSizesArb,
  concat,
  fuzzRuns,
  mutate,
  splitBy,
} from '../fixtures/modbus/arbitraries.js';

const RUNS = fuzzRuns(15000);
const counter = new CaseCounter('modbus-tcp-parser');
const started = performance.now();
after(() => counter.report(started, performance.now()));

function check<T>(arb: fc.Arbitrary<T>, predicate: (v: T) => void): void {
  fc.assert(fc.property(arb, predicate), { numRuns: RUNS });
  counter.add(RUNS);
}

/** Outputs of a push, in stream order, as comparable strings. */
function items(r: TcpPushResult): string[] {
  const out: string[] = [];
  let next = 0;
  const adus = (upTo: number) => {
    for (; next < upTo; next++) {
      const a = r.adus[next];
      if (a) out.push(`adu ${a.transactionId} ${a.unitId} ${Array.from(a.pdu).join(',')}`);
    }
  };
  for (const e of r.events) {
    adus(e.afterAdus);
    out.push(e.type === 'bad-length' ? `fatal ${e.length}` : `skip ${e.protocolId} ${e.transactionId}`);
  }
  adus(r.adus.length);
  return out;
}

function run(chunks: readonly Uint8Array[]): { out: string[]; parser: TcpFrameParser } {
  const parser = new TcpFrameParser();
  const out: string[] = [];
  for (const c of chunks) out.push(...items(parser.push(c)));
  return { out, parser };
}

const u16 = fc.integer({ min: 0, max: 0xffff });
const validFrame = fc
  .record({
    tid: u16,
    unit: fc.integer({ min: 0, max: 255 }),
    pdu: fc.uint8Array({ minLength: 1, maxLength: 253, size: 'max' }),
  })
  .map(({ tid, unit, pdu }) => ({
    bytes: encodeTcpAdu({ transactionId: tid, unitId: unit, pdu }),
    expect: `adu ${tid} ${unit} ${Array.from(pdu).join(',')}`,
  }));
const foreignFrame = fc
  .record({
    tid: u16,
    proto: fc.integer({ min: 1, max: 0xffff }),
    unit: fc.integer({ min: 0, max: 255 }),
    body: fc.uint8Array({ minLength: 1, maxLength: 253, size: 'max' }),
  })
  .map(({ tid, proto, unit, body }) => ({
    bytes: concat([
      encodeMbapHeader({ transactionId: tid, protocolId: proto, length: body.length + 1, unitId: unit }),
      body,
    ]),
    expect: `skip ${proto} ${tid}`,
  }));
const badLength = fc.oneof(fc.constantFrom(0, 1, 255, 256, 0xffff), fc.integer({ min: 255, max: 0xffff }));
const fatalTail = fc
  .record({ tid: u16, proto: u16, length: badLength, rest: fc.uint8Array({ maxLength: 40 }) })
  .map(({ tid, proto, length, rest }) => ({
    bytes: concat([encodeMbapHeader({ transactionId: tid, protocolId: proto, length, unitId: 1 }), rest]),
    expect: `fatal ${length}`,
  }));

const streamArb = fc.record({
  frames: fc.array(fc.oneof({ arbitrary: validFrame, weight: 4 }, { arbitrary: foreignFrame, weight: 1 }), {
    maxLength: 8,
  }),
  tail: fc.option(fatalTail),
  sizes: chunkSizesArb,
});

describe('TcpFrameParser properties', () => {
  test('every frame found exactly, whatever the chunking; protocol id ≠ 0 skipped; bad length fatal', () => {
    check(streamArb, ({ frames, tail, sizes }) => {
      const parts = [...frames, ...(tail ? [tail] : [])];
      const { out, parser } = run(splitBy(concat(parts.map((p) => p.bytes)), sizes));
      assert.deepEqual(
        out,
        parts.map((p) => p.expect),
      );
      assert.equal(parser.failed, tail !== null);
      assert.equal(parser.hasPartialFrame, false);
    });
  });
  test('random streams: no throw, and the same outputs in one chunk or many', () => {
    const bytes = fc.oneof(fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ maxLength: 600, size: 'max' }));
    check(fc.tuple(bytes, chunkSizesArb), ([stream, sizes]) => {
      assert.deepEqual(run(splitBy(stream, sizes)).out, run([stream]).out);
    });
  });
  test('mutated valid streams: no throw, chunking-independent', () => {
    const arb = fc
      .array(validFrame, { minLength: 1, maxLength: 4 })
      .chain((fs) => fc.tuple(mutate(concat(fs.map((f) => f.bytes))), chunkSizesArb));
    check(arb, ([stream, sizes]) => {
      assert.deepEqual(run(splitBy(stream, sizes)).out, run([stream]).out);
    });
  });
  test('a stream cut anywhere reports a pending partial frame', () => {
    check(fc.tuple(validFrame, fc.integer({ min: 1, max: 1000 })), ([f, cut]) => {
      const n = cut % f.bytes.length;
      if (n === 0) return;
      const p = new TcpFrameParser();
      assert.equal(p.push(f.bytes.subarray(0, n)).pending, 'new');
      assert.equal(p.push(f.bytes.subarray(n)).pending, 'none');
    });
  });
});
