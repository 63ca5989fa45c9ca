/**
 * Plausible random values for a model's measurements (tests, demo): a value
 * of the right kind for the type (bigint for 64-bit integers, text for
 * strings, a valid date-time), in a range suited to the unit, never equal to
 * the invalid marker, and exactly representable through the measurement's
 * scale for integer types (raw integer × scale). Deterministic for a given
 * `random` function.
 */

import type { Measurement, ResolvedModel } from '../../src/devices/model-schema.js';
import type { DateTimeValue } from '../../src/protocol/modbus/data-datetime.js';
import type { DataValue } from '../../src/protocol/modbus/data-types.js';

type Rand = () => number;

const RANGES: Record<string, readonly [number, number]> = {
  V: [180, 420],
  A: [0, 250],
  W: [-5000, 50000],
  VAR: [-5000, 20000],
  VA: [0, 60000],
  Hz: [49, 61],
  '°C': [-20, 90],
  dBm: [-100, -20],
  '': [0, 1],
};

const between = (r: Rand, lo: number, hi: number) => lo + (hi - lo) * r();
const int = (r: Rand, lo: number, hi: number) => Math.floor(between(r, lo, hi + 1));

function text(m: Measurement, r: Rand): string {
  const chars = 'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789-.';
  const n = int(r, 1, 2 * (m.registers ?? 1));
  let s = '';
  for (let i = 0; i < n; i++) s += chars[int(r, 0, chars.length - 1)];
  return s;
}

function dateTime(r: Rand): DateTimeValue {
  return {
    year: int(r, 2000, 2127),
    month: int(r, 1, 12),
    day: int(r, 1, 28),
    hour: int(r, 0, 23),
    minute: int(r, 0, 59),
    millisecond: int(r, 0, 59999),
  };
}

function bitmap(m: Measurement, r: Rand): number {
  if (m.bits === undefined) return int(r, 0, m.type === 'bitmap16' ? 0xfffe : 0xfffffffe);
  return m.bits.reduce((acc, b) => (r() < 0.5 ? acc + 2 ** b.bit : acc), 0);
}

const range = (m: Measurement): readonly [number, number] => RANGES[m.unit] ?? [-1000, 1000];

function integer(m: Measurement, r: Rand): number {
  const [lo, hi] = m.type.startsWith('int') ? [-30000, 30000] : [0, 60000];
  const raw =
    m.unit in RANGES && m.scale !== undefined
      ? Math.round(between(r, ...range(m)) / m.scale)
      : int(r, lo, hi);
  return raw * (m.scale ?? 1) + (m.offset ?? 0);
}

/** One plausible value for `m` (engineering units). */
export function plausibleValue(m: Measurement, r: Rand): DataValue {
  switch (m.type) {
    case 'string':
      return text(m, r);
    case 'datetime':
      return dateTime(r);
    case 'bitmap16':
    case 'bitmap32':
      return bitmap(m, r);
    case 'int64':
    case 'uint64': {
      const raw = BigInt(int(r, 0, 2_000_000_000)) * 1000n + BigInt(int(r, 0, 999));
      const scale = m.scale ?? 1;
      const offset = m.offset ?? 0;
      // Scaled counters (e.g. 0.01 kWh → Wh ×10) decode to a number: raw × scale + offset.
      return scale === 1 && offset === 0 ? raw : Number(raw) * scale + offset;
    }
    case 'int16':
    case 'uint16':
    case 'int32':
    case 'uint32':
      return m.bits !== undefined ? bitmap(m, r) : integer(m, r);
    default:
      return between(r, ...range(m));
  }
}

/** A plausible value for every measurement of the model. */
export function plausibleValues(model: ResolvedModel, r: Rand): Record<string, DataValue> {
  return Object.fromEntries(model.measurements.map((m) => [m.key, plausibleValue(m, r)]));
}

/** A small deterministic PRNG (mulberry32) for reproducible simulated values. */
export function seededRandom(seed: number): Rand {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
