/**
 * A decoded value at the resolution the device gives it (issue 15 item 5:
 * "values rounded to the model's resolution"), so pages, the API, history and
 * publication carry 230.1 V, not 230.10000000000002 (a register 2301 × 0.1)
 * nor 229.99998474121094 (the float32 nearest to 230.0 widened to a double):
 *
 * - an integer register scaled by `scale` and `offset`: rounded to the
 *   decimals of the scale and offset (0.1 → 1, 0.001 → 3, 0.5 → 1);
 * - a float32 register: the shortest decimal that reads back as the same
 *   float32 (what the device meant; ≤ 9 significant digits), then scaled and
 *   kept to that many significant digits;
 * - a float64, or an unscaled integer: unchanged.
 *
 * Nothing is lost: every value maps back to the same register contents.
 * Pure; tested in resolution.test.ts against the registers.
 */

/** Decimals needed to write `x` exactly in short decimal form (0 for integers, at most 12). */
export function decimalsOf(x: number): number {
  if (!Number.isFinite(x) || Number.isInteger(x)) return 0;
  const s = Math.abs(x).toString();
  const exp = /e-(\d+)$/.exec(s);
  if (exp) {
    const mantissa = s.slice(0, s.indexOf('e'));
    const dot = mantissa.indexOf('.');
    return Math.min(12, Number(exp[1]) + (dot < 0 ? 0 : mantissa.length - dot - 1));
  }
  const dot = s.indexOf('.');
  return dot < 0 ? 0 : Math.min(12, s.length - dot - 1);
}

/** Rounds `v` to `decimals` places without the binary noise of `v × 10^d / 10^d`. */
export function roundTo(v: number, decimals: number): number {
  if (!Number.isFinite(v)) return v;
  return Number(v.toFixed(decimals));
}

const f32 = new Float32Array(1);

/** The fewest significant digits (1–9) that read back as the same float32 as `v`. */
export function float32Digits(v: number): number {
  if (!Number.isFinite(v) || v === 0) return 1;
  f32[0] = v;
  const target = f32[0];
  for (let p = 1; p < 9; p++) {
    f32[0] = Number(v.toPrecision(p));
    if (f32[0] === target) return p;
  }
  return 9;
}

/** `raw × scale + offset` at the register's resolution; `float32` says the raw value came from a float32. */
export function atResolution(raw: number, scale: number, offset: number, float32: boolean): number {
  if (!Number.isFinite(raw)) return raw;
  if (float32) {
    const p = float32Digits(raw);
    const v = Number(raw.toPrecision(p)) * scale + offset;
    return scale === 1 && offset === 0 ? v : Number(v.toPrecision(Math.max(p, 1)));
  }
  if (scale === 1 && offset === 0) return raw;
  return roundTo(raw * scale + offset, Math.max(decimalsOf(scale), decimalsOf(offset)));
}
