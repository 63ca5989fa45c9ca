/**
 * Realistic meter data for benchmarks, tests and the demo's back-filled
 * history — not smooth synthetic curves. One seed is one device: every
 * measurement asked with the same seed comes from the same simulated load, so
 * voltage, current, power, power factor and the energy counter agree.
 *
 * The load (W) of a device is
 *   rated × daily/weekly shape of its profile (office, residential, industrial)
 *         × seasonal factor (more in winter) × slow random drift (AR(1))
 *   + appliances switching on and off (Markov chains, a few minutes to hours)
 *   × fast multiplicative noise;
 * voltage sags with the load and drifts, frequency wanders around 50 Hz,
 * the energy counter integrates the load in whole Wh and only grows, except
 * for a rare reset to 0 (a partial counter reset by a user).
 *
 * Values are reported like meters report them: with the measurement's
 * decimal resolution (0.1 V, 0.001 A, 1 W, 0.001 PF, 0.01 Hz, 1 Wh, 0.01 °C,
 * 0.001 RH) as float32 registers (the reference's wireless sensors), or as
 * float64 decimals (scaled integer registers); 'float32-raw' gives float32
 * values without decimal rounding, the worst case for compression. Samples go
 * missing during communication outages (shared by all measurements of the
 * device); rare invalid readings are NaN with quality INVALID.
 */

export const QUALITY = { GOOD: 0, INVALID: 1, COMM_ERROR: 2 } as const;

export const KINDS = {
  voltage: { unit: 'V', decimals: 1, counter: false },
  current: { unit: 'A', decimals: 3, counter: false },
  'active-power': { unit: 'kW', decimals: 3, counter: false },
  'power-factor': { unit: '', decimals: 3, counter: false },
  frequency: { unit: 'Hz', decimals: 2, counter: false },
  'active-energy': { unit: 'Wh', decimals: 0, counter: true },
  temperature: { unit: '°C', decimals: 2, counter: false },
  humidity: { unit: '', decimals: 3, counter: false },
} as const;

export type MeasurementKind = keyof typeof KINDS;
export type LoadProfile = 'office' | 'residential' | 'industrial';
export type Representation = 'float32-decimal' | 'float64-decimal' | 'float32-raw';

export interface SeriesOptions {
  kind: MeasurementKind;
  /** Time of the first sample slot (ms since the epoch). */
  start: number;
  /** Sampling period (ms). */
  step: number;
  /** Number of sample slots; missing samples make the series shorter. */
  count: number;
  /** The device: same seed, same load. */
  seed: number;
  profile?: LoadProfile;
  ratedPowerW?: number;
  /** Phase 0–2 for voltage and current (imbalance and noise differ per phase). */
  phase?: number;
  /** Probability that a communication outage starts at a slot (default 0.001). */
  missingRate?: number;
  /** Mean outage length in slots (default 5). */
  meanOutageSlots?: number;
  /** Probability of an invalid reading (NaN, quality INVALID; default 0.0002). */
  invalidRate?: number;
  /** Counters: probability of a reset to 0 at a slot (default 1e-5). */
  resetRate?: number;
  /** Default 'float32-decimal' ('float64-decimal' for the energy counter, an INT64 register). */
  representation?: Representation;
  /** Standard deviation of timestamp jitter in ms (default 0: scheduled sample times). */
  jitterMs?: number;
  /** Local time offset of the device's daily curves, minutes east of UTC (default 60). */
  utcOffsetMinutes?: number;
}

export interface Series {
  t: Float64Array;
  v: Float64Array;
  q: Uint8Array;
  length: number;
}

/** sfc32, seeded through splitmix32: small, fast and good enough for simulation. */
export function prng(seed: number): () => number {
  let s = seed >>> 0;
  const mix = () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = mix();
  let b = mix();
  let c = mix();
  let d = mix();
  return () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4_294_967_296;
  };
}

/** Standard normal numbers from a uniform source (Box–Muller). */
export function gaussian(random: () => number): () => number {
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) {
      const s = spare;
      spare = undefined;
      return s;
    }
    const u = 1 - random();
    const r = Math.sqrt(-2 * Math.log(u));
    const a = 2 * Math.PI * random();
    spare = r * Math.sin(a);
    return r * Math.cos(a);
  };
}

// Hourly shape (fraction of rated power) for working days and weekends.
const SHAPES: Record<LoadProfile, { work: readonly number[]; rest: readonly number[] }> = {
  office: {
    work: [
      0.16, 0.15, 0.15, 0.15, 0.16, 0.2, 0.35, 0.62, 0.86, 0.92, 0.93, 0.9, 0.78, 0.84, 0.9, 0.88, 0.8, 0.62,
      0.42, 0.28, 0.22, 0.2, 0.18, 0.17,
    ],
    rest: [
      0.15, 0.15, 0.14, 0.14, 0.14, 0.15, 0.16, 0.17, 0.2, 0.22, 0.23, 0.23, 0.22, 0.22, 0.21, 0.2, 0.2, 0.19,
      0.18, 0.17, 0.17, 0.16, 0.16, 0.15,
    ],
  },
  residential: {
    work: [
      0.22, 0.18, 0.16, 0.15, 0.16, 0.22, 0.45, 0.62, 0.48, 0.32, 0.28, 0.3, 0.34, 0.3, 0.27, 0.28, 0.36,
      0.58, 0.86, 0.96, 0.88, 0.7, 0.48, 0.3,
    ],
    rest: [
      0.25, 0.2, 0.17, 0.16, 0.16, 0.18, 0.24, 0.36, 0.52, 0.6, 0.58, 0.6, 0.66, 0.58, 0.5, 0.48, 0.52, 0.66,
      0.88, 0.95, 0.86, 0.7, 0.5, 0.33,
    ],
  },
  industrial: {
    work: [
      0.3, 0.3, 0.29, 0.29, 0.3, 0.45, 0.82, 0.86, 0.88, 0.88, 0.87, 0.85, 0.8, 0.84, 0.86, 0.86, 0.85, 0.84,
      0.83, 0.82, 0.8, 0.62, 0.38, 0.31,
    ],
    rest: [
      0.28, 0.27, 0.27, 0.27, 0.27, 0.28, 0.3, 0.31, 0.32, 0.32, 0.32, 0.31, 0.3, 0.3, 0.29, 0.29, 0.29, 0.29,
      0.28, 0.28, 0.28, 0.28, 0.28, 0.28,
    ],
  },
};

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function shapeAt(profile: LoadProfile, localMs: number): number {
  const day = Math.floor(localMs / DAY);
  const weekday = (day + 4) % 7; // 1970-01-01 was a Thursday; 0 = Sunday
  const table = weekday === 0 || weekday === 6 ? SHAPES[profile].rest : SHAPES[profile].work;
  const h = (localMs - day * DAY) / HOUR;
  const i = Math.floor(h);
  const a = table[i] as number;
  const b = table[(i + 1) % 24] as number;
  return a + (b - a) * (h - i);
}

function seasonal(localMs: number): number {
  const dayOfYear = (localMs / DAY) % 365.2425;
  return 1 + 0.15 * Math.cos((2 * Math.PI * (dayOfYear - 15)) / 365.2425);
}

interface Appliance {
  power: number;
  pOn: number;
  pOff: number;
  on: boolean;
}

function appliances(random: () => number, rated: number, step: number): Appliance[] {
  const perSlot = (meanMinutes: number) => Math.min(1, step / (meanMinutes * 60_000));
  return Array.from({ length: 4 }, () => ({
    power: rated * (0.04 + 0.2 * random()),
    pOn: perSlot(30 + 600 * random()),
    pOff: perSlot(5 + 120 * random()),
    on: false,
  }));
}

/** The device's load in W at each slot, plus the local time used for shapes. */
function simulateLoad(opts: SeriesOptions): Float64Array {
  const random = prng(opts.seed * 7919 + 1);
  const normal = gaussian(random);
  const profile =
    opts.profile ?? (['office', 'residential', 'industrial'] as const)[opts.seed % 3] ?? 'office';
  const rated = opts.ratedPowerW ?? 2000 + (opts.seed % 17) * 1700;
  const offset = (opts.utcOffsetMinutes ?? 60) * 60_000;
  const devices = appliances(random, rated, opts.step);
  const load = new Float64Array(opts.count);
  let drift = 0;
  for (let i = 0; i < opts.count; i++) {
    const local = opts.start + i * opts.step + offset;
    drift = 0.995 * drift + 0.01 * normal();
    let w = rated * shapeAt(profile, local) * seasonal(local) * (1 + drift);
    for (const d of devices) {
      if (d.on ? random() < d.pOff : random() < d.pOn) d.on = !d.on;
      if (d.on) w += d.power;
    }
    load[i] = Math.max(0, w * (1 + 0.015 * normal()));
  }
  return load;
}

/** Which slots have a sample: outages are per device (same for every measurement). */
function presence(opts: SeriesOptions): Uint8Array {
  const random = prng(opts.seed * 104_729 + 3);
  const rate = opts.missingRate ?? 0.001;
  const mean = Math.max(1, opts.meanOutageSlots ?? 5);
  const present = new Uint8Array(opts.count).fill(1);
  for (let i = 0; i < opts.count; i++) {
    if (random() >= rate) continue;
    const len = Math.ceil(-Math.log(1 - random()) * mean);
    present.fill(0, i, Math.min(opts.count, i + len));
    i += len;
  }
  return present;
}

type Model = (i: number, load: number) => number;

/** Room temperature (follows the load and the season) and relative humidity (daily swing), with drift. */
function ambientModel(opts: SeriesOptions, rated: number, normal: () => number): Model {
  let ar = 0;
  if (opts.kind === 'temperature') {
    return (i, load) => {
      ar = 0.995 * ar + 0.02 * normal();
      const local = opts.start + i * opts.step;
      return 20.5 + 1.5 * (load / rated) - 2 * (seasonal(local) - 1) * 10 + ar * 3 + 0.02 * normal();
    };
  }
  return (i) => {
    ar = 0.997 * ar + 0.002 * normal();
    const local = opts.start + i * opts.step;
    return Math.min(0.95, Math.max(0.1, 0.45 + 0.06 * Math.sin((2 * Math.PI * local) / DAY) + ar));
  };
}

function kindModel(opts: SeriesOptions, rated: number): Model {
  const random = prng(opts.seed * 31 + (opts.phase ?? 0) * 1009 + Object.keys(KINDS).indexOf(opts.kind) + 11);
  const normal = gaussian(random);
  const phase = opts.phase ?? 0;
  const share = 1 / 3 + (phase - 1) * 0.04; // a slightly unbalanced three-phase load
  let ar = 0;
  const voltage = (load: number) => {
    ar = 0.98 * ar + 0.12 * normal();
    return 231 + phase * 0.7 + ar - 4 * (load / rated) + 0.15 * normal();
  };
  const pf = (load: number) => Math.min(0.999, Math.max(0.5, 0.8 + 0.15 * (load / rated) + 0.004 * normal()));
  switch (opts.kind) {
    case 'voltage':
      return (_i, load) => voltage(load);
    case 'current':
      return (_i, load) => ((load * share) / (voltage(load) * pf(load))) * (1 + 0.004 * normal());
    case 'active-power':
      return (_i, load) => load / 1000;
    case 'power-factor':
      return (_i, load) => pf(load);
    case 'frequency':
      return () => {
        ar = 0.9 * ar + 0.006 * normal();
        return 50 + ar + 0.004 * normal();
      };
    case 'temperature':
    case 'humidity':
      return ambientModel(opts, rated, normal);
    case 'active-energy':
      return () => 0; // integrated separately
  }
}

function represent(x: number, decimals: number, how: Representation): number {
  if (how === 'float32-raw') return Math.fround(x);
  const n = Math.round(x * 10 ** decimals);
  const v = n / 10 ** decimals;
  return how === 'float32-decimal' ? Math.fround(v) : v;
}

/** One measurement of one device over `count` slots, as the datalogger records it. */
export function generateSeries(opts: SeriesOptions): Series {
  const load = simulateLoad(opts);
  const present = presence(opts);
  const rated = opts.ratedPowerW ?? 2000 + (opts.seed % 17) * 1700;
  const spec = KINDS[opts.kind];
  const how = opts.representation ?? (spec.counter ? 'float64-decimal' : 'float32-decimal');
  const model = kindModel(opts, rated);
  const random = prng(opts.seed * 65_537 + Object.keys(KINDS).indexOf(opts.kind));
  const normal = gaussian(random);
  const out: Series = {
    t: new Float64Array(opts.count),
    v: new Float64Array(opts.count),
    q: new Uint8Array(opts.count),
    length: 0,
  };
  let energy = 1e6 + opts.seed * 12_345;
  for (let i = 0; i < opts.count; i++) {
    const w = load[i] as number;
    let x = model(i, w);
    if (spec.counter) {
      energy += (w * opts.step) / HOUR;
      if (random() < (opts.resetRate ?? 1e-5)) energy = 0;
      x = Math.floor(energy);
    }
    if (!present[i]) continue;
    const k = out.length++;
    const jitter = opts.jitterMs ? Math.round(Math.abs(normal()) * opts.jitterMs) : 0;
    out.t[k] = opts.start + i * opts.step + Math.min(jitter, opts.step / 2);
    const invalid = random() < (opts.invalidRate ?? 0.0002);
    out.v[k] = invalid ? Number.NaN : represent(x, spec.decimals, how);
    out.q[k] = invalid ? QUALITY.INVALID : QUALITY.GOOD;
  }
  return out;
}

export interface PanelSeries {
  /** Stable measurement id, e.g. `modbus:1_mb_VAN`. */
  id: string;
  device: string;
  kind: MeasurementKind;
  unit: string;
  options: SeriesOptions;
}

const METER: ReadonlyArray<[code: string, kind: MeasurementKind, phase: number]> = [
  ['VAN', 'voltage', 0],
  ['VBN', 'voltage', 1],
  ['VCN', 'voltage', 2],
  ['IA', 'current', 0],
  ['IB', 'current', 1],
  ['IC', 'current', 2],
  ['P', 'active-power', 0],
  ['PF', 'power-factor', 0],
  ['F', 'frequency', 0],
  ['EA', 'active-energy', 0],
];

/**
 * A switchboard: `meters` three-phase meters (10 measurements each) and
 * `sensors` ambient sensors (temperature and humidity), all sampled every
 * `step` ms for `count` slots. 50 meters at one minute ≈ the reference's
 * 500 points a minute.
 */
export function panelSeries(opts: {
  meters: number;
  sensors?: number;
  start: number;
  step: number;
  count: number;
  seed?: number;
}): PanelSeries[] {
  const base = opts.seed ?? 1;
  const list: PanelSeries[] = [];
  const common = { start: opts.start, step: opts.step, count: opts.count };
  for (let m = 1; m <= opts.meters; m++) {
    const seed = base * 1000 + m;
    for (const [code, kind, phase] of METER) {
      const options: SeriesOptions = { ...common, kind, seed, phase };
      list.push({
        id: `modbus:${m}_mb_${code}`,
        device: `meter-${m}`,
        kind,
        unit: KINDS[kind].unit,
        options,
      });
    }
  }
  return [...list, ...sensorSeries(opts.sensors ?? 0, base, common)];
}

function sensorSeries(count: number, base: number, common: Pick<SeriesOptions, 'start' | 'step' | 'count'>) {
  const list: PanelSeries[] = [];
  for (let s = 1; s <= count; s++) {
    const seed = base * 1000 + 500 + s;
    for (const [code, kind] of [
      ['T', 'temperature'],
      ['RH', 'humidity'],
    ] as const) {
      const options: SeriesOptions = { ...common, kind, seed };
      list.push({
        id: `wireless:${s}_zd_${code}`,
        device: `sensor-${s}`,
        kind,
        unit: KINDS[kind].unit,
        options,
      });
    }
  }
  return list;
}
