/**
 * Plausibility of a candidate model (PRODUCT L2, issue 15): discovery never
 * labels a device with a model whose values come back implausible. Before a
 * model is offered, a few of its instant measurements are read from the
 * device — one voltage, the frequency, one current (`probeMeasurements`) —
 * decoded through the model, and judged here. Pure functions, no I/O.
 *
 * Rules for one value (after scale and offset, in the model's unit):
 * - `null` — the device's documented "not available" marker (the type's or
 *   the measurement's `invalid`, e.g. a Schneider meter's quiet NaN for a
 *   phase that is not wired) — says nothing either way;
 * - not a finite number (NaN other than the marker, ±Infinity) — implausible;
 * - a non-zero magnitude below 1e-9 — implausible: no meter reports a voltage,
 *   current or frequency that small; it is what a float read from the wrong
 *   registers looks like (0x00000001 decodes to 1.4e-45, a subnormal);
 * - V: 0 (not energised) or 1 V … 1,000,000 V; negative is implausible;
 * - Hz: 0 (no signal) or 40 … 70 Hz;
 * - A: magnitude at most 1,000,000 A (CT-connected meters report primary amps;
 *   some report a signed current, so the sign is free).
 * A model is rejected when at least one probed value is implausible; values
 * that are all 0 or unavailable are accepted (a meter without voltage on its
 * inputs reads 0).
 */

export interface ProbeValue {
  readonly key: string;
  readonly unit: string;
  /** Decoded value; `null` when the registers hold the documented invalid marker. */
  readonly value: number | bigint | string | null;
}

export type PlausibilityVerdict =
  | { readonly plausible: true }
  | { readonly plausible: false; readonly reasons: readonly string[] };

/** Measurement keys tried first for each probed quantity (docs/device-models.md, Keys). */
export const PROBE_KEYS: Readonly<Record<'V' | 'Hz' | 'A', readonly string[]>> = {
  V: ['VAN', 'VLNAvg', 'VAB', 'VLLAvg', 'VBN', 'VCN'],
  Hz: ['Freq'],
  A: ['IA', 'IAvg', 'IB', 'IC'],
};

export const PLAUSIBLE_LIMITS = {
  tiny: 1e-9,
  voltage: { min: 1, max: 1_000_000 },
  frequency: { min: 40, max: 70 },
  current: { max: 1_000_000 },
} as const;

const fmt = (v: number) => (Number.isFinite(v) ? String(Number(v.toPrecision(6))) : String(v));

/** Why one value is implausible, or undefined when it is plausible (or unavailable). */
export function implausibility(p: ProbeValue): string | undefined {
  if (p.value === null) return undefined;
  if (typeof p.value === 'string') return `${p.key}: text "${p.value}" where a number is expected`;
  const v = Number(p.value);
  const L = PLAUSIBLE_LIMITS;
  if (!Number.isFinite(v)) return `${p.key} = ${fmt(v)} ${p.unit}: not a finite number`;
  if (v !== 0 && Math.abs(v) < L.tiny)
    return `${p.key} = ${fmt(v)} ${p.unit}: vanishingly small, not a reading`;
  if (v === 0) return undefined;
  switch (p.unit) {
    case 'V':
      return v < L.voltage.min || v > L.voltage.max
        ? `${p.key} = ${fmt(v)} V: outside 0 or ${L.voltage.min}…${L.voltage.max} V`
        : undefined;
    case 'Hz':
      return v < L.frequency.min || v > L.frequency.max
        ? `${p.key} = ${fmt(v)} Hz: outside 0 or ${L.frequency.min}…${L.frequency.max} Hz`
        : undefined;
    case 'A':
      return Math.abs(v) > L.current.max ? `${p.key} = ${fmt(v)} A: beyond ±${L.current.max} A` : undefined;
    default:
      return undefined;
  }
}

/** The verdict on a model from the values probed on the device. */
export function judgePlausibility(values: readonly ProbeValue[]): PlausibilityVerdict {
  const reasons = values.map(implausibility).filter((r): r is string => r !== undefined);
  return reasons.length === 0 ? { plausible: true } : { plausible: false, reasons };
}

interface ProbeCandidate {
  readonly key: string;
  readonly unit: string;
  readonly kind: string;
  readonly type: string;
}

const NUMERIC = new Set(['int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64', 'float32', 'float64']);

/**
 * The measurements to probe: for V, Hz and A in turn, the first instant
 * numeric measurement with that unit, preferring the keys of PROBE_KEYS in
 * their order. At most three; none for a model without such measurements
 * (sensors, wireless devices): such a model is not judged.
 */
export function probeMeasurements<M extends ProbeCandidate>(measurements: readonly M[]): M[] {
  const out: M[] = [];
  for (const unit of ['V', 'Hz', 'A'] as const) {
    const fit = measurements.filter((m) => m.unit === unit && m.kind === 'instant' && NUMERIC.has(m.type));
    const rank = (m: M) => {
      const i = PROBE_KEYS[unit].indexOf(m.key);
      return i < 0 ? PROBE_KEYS[unit].length : i;
    };
    const best = [...fit].sort((a, b) => rank(a) - rank(b))[0];
    if (best) out.push(best);
  }
  return out;
}
