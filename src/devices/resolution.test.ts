/**
 * Values at the register's resolution (resolution.ts), property-tested:
 * - integer registers: the value equals the exact decimal product computed
 *   with BigInt (an independent oracle: no floating point), and maps back to
 *   the same register;
 * - float32 registers: the value reads back as the very same float32, and no
 *   shorter decimal would (it is the shortest);
 * - known cases: 2301 × 0.1 = 230.1; the float32 nearest 230 reads 230.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { atResolution, decimalsOf, float32Digits } from './resolution.js';

const SCALES: ReadonlyArray<[number, bigint, number]> = [
  // scale, numerator, decimals: scale = numerator / 10^decimals
  [0.1, 1n, 1],
  [0.01, 1n, 2],
  [0.001, 1n, 3],
  [0.5, 5n, 1],
  [0.25, 25n, 2],
  [10, 10n, 0],
  [0.0001, 1n, 4],
];

/** raw × num / 10^d as a decimal string, exactly. */
function exact(raw: number, num: bigint, d: number): string {
  const p = BigInt(raw) * num;
  const neg = p < 0n;
  const digits = (neg ? -p : p).toString().padStart(d + 1, '0');
  const int = digits.slice(0, digits.length - d);
  const frac = digits.slice(digits.length - d).replace(/0+$/, '');
  return `${neg ? '-' : ''}${int}${frac ? `.${frac}` : ''}`;
}

test('known cases', () => {
  assert.equal(atResolution(2301, 0.1, 0, false), 230.1);
  assert.equal(2301 * 0.1, 230.10000000000002, 'the noise this removes');
  assert.equal(atResolution(Math.fround(230), 1, 0, true), 230);
  assert.equal(atResolution(Math.fround(229.9), 1, 0, true), 229.9);
  assert.equal(atResolution(Math.fround(12.345678), 1000, 0, true), 12345.678);
  assert.equal(atResolution(Number.NaN, 0.1, 0, false), Number.NaN);
  assert.equal(atResolution(7, 1, 0, false), 7);
  assert.deepEqual(
    [decimalsOf(0.1), decimalsOf(1e-7), decimalsOf(2.5e-7), decimalsOf(10), decimalsOf(-0.25)],
    [1, 7, 8, 0, 2],
  );
});

test('integer registers: the exact decimal product, and back to the same register', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: -2_147_483_648, max: 4_294_967_295 }),
      fc.constantFrom(...SCALES),
      (raw, [scale, num, d]) => {
        const v = atResolution(raw, scale, 0, false);
        assert.equal(String(v), String(Number(exact(raw, num, d))), `${raw} × ${scale}`);
        assert.equal(Math.round(v / scale), raw);
      },
    ),
    { numRuns: 5000 },
  );
});

test('float32 registers: the same float32 back, with the fewest digits', () => {
  const buf = new DataView(new ArrayBuffer(4));
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 0xffffffff }), (bits) => {
      buf.setUint32(0, bits);
      const f = buf.getFloat32(0);
      if (!Number.isFinite(f)) return;
      const v = atResolution(f, 1, 0, true);
      assert.equal(Math.fround(v), f, `bits ${bits.toString(16)}`);
      const p = float32Digits(f);
      if (p > 1) assert.notEqual(Math.fround(Number(f.toPrecision(p - 1))), f, 'shortest');
    }),
    { numRuns: 20_000 },
  );
});
