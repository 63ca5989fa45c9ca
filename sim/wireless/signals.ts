/**
 * The physical signals a simulated radio sensor measures, as a function of
 * time — from the realistic meter data generator (sim/meter-data.ts: daily and
 * weekly load curves per profile, seasonal factor, appliances switching,
 * voltage sagging with the load, frequency wander, temperature and humidity),
 * plus a CO2 curve of our own (meter-data has none).
 *
 * meter-data generates series over slots; a live sensor asks for "the value
 * now", so the series are generated in blocks of one day of the sensor's
 * period (at most 20 000 slots) from the first time asked, and the next block
 * starts where the clock is when the block runs out. The load's slow random
 * drift restarts at a block boundary (a small step once a day); the daily
 * curves themselves depend on the absolute time and are continuous.
 */
import { gaussian, generateSeries, type LoadProfile, type MeasurementKind, prng } from '../meter-data.js';

const DAY = 86_400_000;
const MAX_SLOTS = 20_000;

export interface SignalOptions {
  readonly seed: number;
  readonly stepMs: number;
  readonly profile?: LoadProfile;
  readonly ratedPowerW?: number;
}

export interface Electrical {
  /** Phase-to-neutral voltages (V), phases A, B, C. */
  readonly v: readonly [number, number, number];
  /** Phase currents (A). */
  readonly i: readonly [number, number, number];
  readonly pf: number;
  readonly f: number;
}

export interface Ambient {
  readonly temperature: number;
  /** Relative humidity as a fraction (0.45 = 45 %), as the reference's registers hold it. */
  readonly humidity: number;
  readonly co2ppm: number;
}

const ELECTRICAL: ReadonlyArray<[MeasurementKind, number]> = [
  ['voltage', 0],
  ['voltage', 1],
  ['voltage', 2],
  ['current', 0],
  ['current', 1],
  ['current', 2],
  ['power-factor', 0],
  ['frequency', 0],
];
const AMBIENT: ReadonlyArray<[MeasurementKind, number]> = [
  ['temperature', 0],
  ['humidity', 0],
];

interface Block {
  readonly start: number;
  readonly count: number;
  readonly series: ReadonlyMap<string, Float64Array>;
}

export class Signals {
  readonly #opts: SignalOptions;
  readonly #kinds: ReadonlyArray<[MeasurementKind, number]>;
  #block: Block | undefined;
  readonly #co2: Co2Curve;

  constructor(opts: SignalOptions, which: 'electrical' | 'ambient') {
    this.#opts = opts;
    this.#kinds = which === 'electrical' ? ELECTRICAL : AMBIENT;
    this.#co2 = new Co2Curve(opts.seed);
  }

  electrical(t: number): Electrical {
    const x = (kind: MeasurementKind, phase = 0) => this.#value(t, kind, phase);
    return {
      v: [x('voltage', 0), x('voltage', 1), x('voltage', 2)],
      i: [x('current', 0), x('current', 1), x('current', 2)],
      pf: x('power-factor'),
      f: x('frequency'),
    };
  }

  ambient(t: number): Ambient {
    return {
      temperature: this.#value(t, 'temperature', 0),
      humidity: this.#value(t, 'humidity', 0),
      co2ppm: this.#co2.at(t),
    };
  }

  #value(t: number, kind: MeasurementKind, phase: number): number {
    const block = this.#blockFor(t);
    const slot = Math.min(block.count - 1, Math.max(0, Math.floor((t - block.start) / this.#opts.stepMs)));
    return block.series.get(`${kind}/${phase}`)?.[slot] ?? 0;
  }

  #blockFor(t: number): Block {
    const b = this.#block;
    const step = this.#opts.stepMs;
    if (b !== undefined && t >= b.start && t < b.start + b.count * step) return b;
    const start = Math.floor(t / step) * step;
    const count = Math.max(1, Math.min(MAX_SLOTS, Math.ceil(DAY / step)));
    const series = new Map<string, Float64Array>();
    for (const [kind, phase] of this.#kinds) {
      const s = generateSeries({
        kind,
        phase,
        start,
        step,
        count,
        seed: this.#opts.seed,
        missingRate: 0,
        invalidRate: 0,
        representation: 'float64-decimal',
        ...(this.#opts.profile ? { profile: this.#opts.profile } : {}),
        ...(this.#opts.ratedPowerW ? { ratedPowerW: this.#opts.ratedPowerW } : {}),
      });
      series.set(`${kind}/${phase}`, s.v);
    }
    this.#block = { start, count, series };
    return this.#block;
  }
}

/**
 * CO2 (ppm) in an occupied room: outdoor ~420 ppm, rising with occupancy on
 * working days (8:00–18:00 local, a lunch dip), with a slow random drift.
 */
class Co2Curve {
  readonly #normal: () => number;
  #drift = 0;

  constructor(seed: number) {
    this.#normal = gaussian(prng(seed * 97 + 5));
  }

  at(t: number): number {
    const local = t + 3_600_000;
    const day = Math.floor(local / DAY);
    const weekday = (day + 4) % 7;
    const h = (local - day * DAY) / 3_600_000;
    const open = weekday !== 0 && weekday !== 6 && h >= 8 && h < 18;
    const occupancy = open ? Math.sin((Math.PI * (h - 8)) / 10) * (h >= 12 && h < 13.5 ? 0.6 : 1) : 0;
    this.#drift = 0.98 * this.#drift + 3 * this.#normal();
    return Math.max(380, 420 + 650 * occupancy + this.#drift);
  }
}
