/**
 * Values of a simulated sensor's measurements by key (docs/device-models.md
 * "Keys"), from the signals at one instant: electrical quantities that agree
 * with each other (P = U·I·PF per phase, S = U·I, Q = √(S² − P²), totals are
 * sums, line-to-line voltages from the phase voltages at 120°, neutral
 * current from the phase currents), ambient quantities in the units of the
 * reference's registers (humidity and CO2 as fractions), and the constant
 * settings and states a commissioned device reports. A key not known here is
 * not reported (its register keeps the invalid marker).
 */
import type { Ambient, Electrical } from './signals.js';

export interface Derived extends Electrical {
  readonly p: readonly [number, number, number];
  readonly q: readonly [number, number, number];
  readonly s: readonly [number, number, number];
}

export function derive(x: Electrical): Derived {
  const p = [0, 1, 2].map((k) => (x.v[k] ?? 0) * (x.i[k] ?? 0) * x.pf) as [number, number, number];
  const s = [0, 1, 2].map((k) => (x.v[k] ?? 0) * (x.i[k] ?? 0)) as [number, number, number];
  const q = [0, 1, 2].map((k) => Math.sqrt(Math.max(0, (s[k] ?? 0) ** 2 - (p[k] ?? 0) ** 2))) as [
    number,
    number,
    number,
  ];
  return { ...x, p, q, s };
}

const PHASE: Readonly<Record<string, number>> = { A: 0, B: 1, C: 2 };
const sum3 = (xs: readonly number[]): number => (xs[0] ?? 0) + (xs[1] ?? 0) + (xs[2] ?? 0);

function lineToLine(x: Derived, a: number, b: number): number {
  const va = x.v[a] ?? 0;
  const vb = x.v[b] ?? 0;
  return Math.sqrt(va * va + vb * vb + va * vb);
}

function neutral(x: Derived): number {
  const [ia, ib, ic] = x.i;
  const re = ia - 0.5 * (ib + ic);
  const im = (Math.sqrt(3) / 2) * (ib - ic);
  return Math.hypot(re, im);
}

const RATED_CURRENT_A = 63;

/** Electrical keys; undefined when `key` is not one. */
export function electricalValue(key: string, x: Derived): number | undefined {
  let m = /^V([ABC])N$/.exec(key);
  if (m) return x.v[PHASE[m[1] ?? ''] ?? 0];
  m = /^V(AB|BC|CA)$/.exec(key);
  if (m) return lineToLine(x, PHASE[m[1]?.[0] ?? ''] ?? 0, PHASE[m[1]?.[1] ?? ''] ?? 0);
  m = /^I([ABC])$/.exec(key);
  if (m) return x.i[PHASE[m[1] ?? ''] ?? 0];
  m = /^([PQS])([ABC]|Tot)$/.exec(key);
  if (m) {
    const xs = m[1] === 'P' ? x.p : m[1] === 'Q' ? x.q : x.s;
    return m[2] === 'Tot' ? sum3(xs) : xs[PHASE[m[2] ?? ''] ?? 0];
  }
  if (/^PF[ABC]?$/.test(key)) return x.pf;
  switch (key) {
    case 'IN':
      return neutral(x);
    case 'Freq':
      return x.f;
    case 'OverloadRatio':
      return Math.max(...x.i) / RATED_CURRENT_A;
    case 'OvervoltRatio':
      return Math.max(...x.v) / 230;
    case 'EarthLeakRatio':
      return 0.02;
    case 'GfLevel':
      return 0.01;
    case 'ILossA':
    case 'ILossB':
    case 'ILossC':
      return 0;
    default:
      return undefined;
  }
}

/** Ambient keys; undefined when `key` is not one. */
export function ambientValue(key: string, a: Ambient): number | undefined {
  switch (key) {
    case 'T':
      return a.temperature;
    case 'RH':
      return a.humidity;
    case 'CO2':
      return a.co2ppm * 1e-6; // the register holds a fraction: 1 ppm = 0.000001
    case 'AirQuality':
      return Math.max(0, Math.min(10, Math.round((a.co2ppm - 400) / 120)));
    default:
      return undefined;
  }
}

/** Settings and states of a commissioned device that do not move. */
export const CONSTANTS: Readonly<Record<string, number>> = {
  PFConv: 0,
  PhaseSeq: 4,
  Mounting: 1,
  RatedI: RATED_CURRENT_A,
  RatedV: 400,
  PowerSupply: 1,
  PLoadThr: 100,
  TMax: 60,
  TMin: -20,
  RHMax: 1,
  RHMin: 0,
  HeatMode: 2,
  HeatAlmCode: 0,
  HeatAlmLevel: 0,
  CbPos: 1,
  CbTrip: 0,
  CbTripElec: 0,
  DI1Usage: 21,
  DI2Usage: 21,
  DI1Assign: 2,
  DI2Assign: 2,
  DI1Polarity: 0,
  DI2Polarity: 0,
  DI1BreakerPos: 1,
  DI2BreakerPos: 1,
  DI1Trip: 0,
  DI2Trip: 0,
  DO1Usage: 21,
  DO1Behavior: 0,
  DO1Contact: 0,
  DO1Enabled: 1,
  DO1Assign: 0,
  DO1Command: 0,
  DO1LastCmd: 0,
};

/** States that change now and then (a contact opening, a door …). */
export const TOGGLING = new Set(['DI1Level', 'DI1State', 'DI2Level', 'DI2State']);

/** Keys only the panel writes (never in a sensor's frame). */
export const PANEL_ONLY = new Set([
  'VirtAddr',
  'RfId',
  'DevName',
  'DevLabel',
  'RfValid',
  'CommOk',
  'GwPer',
  'GwRssi',
  'GwLqi',
  'PerMax',
  'RssiMin',
  'LqiMin',
]);
