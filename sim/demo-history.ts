/**
 * Back-filled history for `wattgate demo` (PRODUCT X4): several weeks of
 * realistic samples (sim/meter-data.ts: daily and weekly load curves, noise,
 * outages, an energy counter that only grows) for the demo's datalogger
 * meters, written into the history store before Wattgate starts, with the
 * same series ids the acquisition then continues (`modbus:<id>_mb_<key>`).
 * Power is generated in kW and stored in W like the demo meter model reads it.
 */
import type { HistoryConfig } from '../src/config/schema-history.js';
import { HistoryStore } from '../src/history/store.js';
import { generateSeries, type MeasurementKind } from './meter-data.js';

/** Which generator each measurement key takes, its unit, and the factor to the model's unit (kW → W). */
export const BACKFILL_KEYS: ReadonlyArray<
  [key: string, kind: MeasurementKind, unit: string, factor: number]
> = [
  ['VLNAvg', 'voltage', 'V', 1],
  ['VAN', 'voltage', 'V', 1],
  ['IAvg', 'current', 'A', 1],
  ['IA', 'current', 'A', 1],
  ['PTot', 'active-power', 'W', 1000],
  ['PF', 'power-factor', '', 1],
  ['Freq', 'frequency', 'Hz', 1],
  ['EActDelTot', 'active-energy', 'Wh', 1],
  ['T', 'temperature', '°C', 1],
  ['RH', 'humidity', '', 1],
];

export interface BackfillDevice {
  id: number;
  name: string;
  usage: string;
  zone: string;
  /** The model's measurement keys: those in BACKFILL_KEYS are back-filled. */
  keys: readonly string[];
}

export interface BackfillOptions {
  path: string;
  settings: HistoryConfig;
  devices: readonly BackfillDevice[];
  /** End of the back-filled period (ms); samples stop one step before it. */
  now: number;
  days: number;
  stepMs: number;
}

/** Writes the back-filled samples; returns how many points were stored. */
export function backfillHistory(o: BackfillOptions): number {
  const store = HistoryStore.open({ path: o.path, settings: o.settings });
  let points = 0;
  try {
    const count = Math.floor((o.days * 86_400_000) / o.stepMs);
    const start = Math.floor(o.now / o.stepMs) * o.stepMs - count * o.stepMs;
    for (const d of o.devices) {
      for (const [key, kind, unit, factor] of BACKFILL_KEYS.filter(([k]) => d.keys.includes(k))) {
        const id = `modbus:${d.id}_mb_${key}`;
        store.defineSeries(id, {
          name: `${d.name} ${key}`,
          device: d.name,
          measurement: key,
          unit,
          kind: kind === 'active-energy' ? 'counter' : 'gauge',
          usage: d.usage,
          zone: d.zone,
        });
        const s = generateSeries({
          kind,
          start,
          step: o.stepMs,
          count,
          seed: 7000 + d.id,
          profile: 'office',
        });
        for (let i = 0; i < s.length; i++) {
          store.append(id, s.t[i] as number, (s.v[i] as number) * factor, s.q[i] as number);
        }
        points += s.length;
      }
    }
    store.flush();
  } finally {
    store.stop();
  }
  return points;
}
