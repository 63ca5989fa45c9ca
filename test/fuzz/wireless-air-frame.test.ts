/**
 * Property-based tests of the simulated radio's air-frame codec
 * (sim/wireless/air-frame.ts), the parser the simulator driver runs on every
 * frame: random bytes never throw; valid frames round-trip exactly; any
 * single-byte change or truncation of a valid frame is refused (CRC) or, if
 * it still parses, never throws; the values of a parsed frame always satisfy
 * the documented rules (measurement keys, printable texts, finite numbers).
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import fc from 'fast-check';
import {
  type AirFrame,
  AirFrameTypes,
  decodeAirFrame,
  encodeAirFrame,
} from '../../sim/wireless/air-frame.js';
import { crc16Modbus } from '../../src/protocol/modbus/crc16.js';
import type { FrameValue } from '../../src/wireless/driver.js';
import { CaseCounter, fuzzRuns } from '../fixtures/modbus/arbitraries.js';

const RUNS = fuzzRuns(5000);
const counter = new CaseCounter('wireless-air-frame');
const started = performance.now();
after(() => counter.report(started, performance.now()));

function check<T>(arb: fc.Arbitrary<T>, predicate: (v: T) => void): void {
  fc.assert(fc.property(arb, predicate), { numRuns: RUNS });
  counter.add(RUNS);
}

const KEY = /^[A-Za-z][A-Za-z0-9_]{0,31}$/;
const keyArb = fc.stringMatching(KEY);
const valueArb: fc.Arbitrary<FrameValue> = fc.oneof(
  fc.constant(null),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  fc.stringMatching(/^[\x20-\x7e]{0,40}$/),
);
const frameArb: fc.Arbitrary<AirFrame> = fc.record({
  type: fc.constantFrom(AirFrameTypes.REPORT, AirFrameTypes.COMMAND, AirFrameTypes.ACK),
  rfId: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
  seq: fc.integer({ min: 0, max: 255 }),
  periodS: fc.integer({ min: 0, max: 0xffff }),
  values: fc.dictionary(keyArb, valueArb, { maxKeys: 20 }),
});

function wellFormed(values: Readonly<Record<string, FrameValue>>): void {
  for (const [k, v] of Object.entries(values)) {
    assert.match(k, KEY);
    if (typeof v === 'number') assert.ok(Number.isFinite(v));
    if (typeof v === 'string') assert.match(v, /^[\x20-\x7e]*$/);
    if (typeof v === 'bigint') assert.equal(BigInt.asIntN(64, v), v);
  }
}

test('random bytes never throw, and what parses is well formed', () => {
  check(fc.uint8Array({ maxLength: 300 }), (bytes) => {
    const r = decodeAirFrame(bytes);
    if (r.ok) wellFormed(r.frame.values);
  });
});

test('valid frames round-trip exactly', () => {
  check(frameArb, (frame) => {
    const r = decodeAirFrame(encodeAirFrame(frame));
    assert.ok(r.ok, r.ok ? '' : r.reason);
    assert.equal(r.frame.type, frame.type);
    assert.equal(r.frame.rfId, frame.rfId);
    assert.equal(r.frame.seq, frame.seq);
    assert.equal(r.frame.periodS, frame.periodS);
    assert.deepEqual({ ...r.frame.values }, { ...frame.values });
  });
});

test('a changed byte or a truncation of a valid frame is refused or parses well formed, never throws', () => {
  const mutated = fc.tuple(frameArb, fc.nat(), fc.integer({ min: 1, max: 255 }), fc.boolean());
  check(mutated, ([frame, at, xor, truncate]) => {
    const bytes = encodeAirFrame(frame);
    const i = at % bytes.length;
    const bad = truncate ? bytes.subarray(0, i) : bytes.map((b, k) => (k === i ? b ^ xor : b));
    const r = decodeAirFrame(bad);
    if (r.ok) wellFormed(r.frame.values);
    // CRC-16 detects every single-byte error.
    if (!truncate) assert.equal(r.ok, false);
  });
});

test('entries that break the rules are refused even with a correct CRC', () => {
  const frame = { type: 1, rfId: 1n, seq: 0, periodS: 5, values: { PTot: 1.5 } } as const;
  const good = encodeAirFrame(frame);
  const withCrc = (b: Uint8Array) => {
    const out = Uint8Array.from(b);
    const crc = crc16Modbus(out, 0, out.length - 2);
    out[out.length - 2] = crc & 0xff;
    out[out.length - 1] = crc >>> 8;
    return out;
  };
  assert.ok(decodeAirFrame(withCrc(good)).ok);
  const badKey = Uint8Array.from(good);
  badKey[17] = 0x31; // key starts with a digit
  assert.deepEqual(decodeAirFrame(withCrc(badKey)), { ok: false, reason: 'entry key' });
  const badTag = Uint8Array.from(good);
  badTag[16 + 1 + 4] = 9;
  assert.deepEqual(decodeAirFrame(withCrc(badTag)), { ok: false, reason: 'entry tag' });
  const nan = Uint8Array.from(good);
  nan.set([0x7f, 0xf8, 0, 0, 0, 0, 0, 0], 16 + 1 + 4 + 1);
  assert.deepEqual(decodeAirFrame(withCrc(nan)), { ok: false, reason: 'entry number' });
  const trailing = withCrc(Uint8Array.from([...good.subarray(0, good.length - 2), 0, 0, 0]));
  assert.deepEqual(decodeAirFrame(trailing), { ok: false, reason: 'trailing bytes' });
  assert.throws(() => encodeAirFrame({ ...frame, values: { '1x': 1 } }), RangeError);
});
