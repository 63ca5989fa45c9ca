/**
 * Data of the history benchmark: a switchboard from the realistic generator
 * (sim/meter-data.ts) — meters with voltage, current, power, power factor,
 * frequency and energy counters, ambient sensors — sampled every minute,
 * with its missing samples and invalid readings, and a walk over it in time
 * order (every series' point of a minute, then the next minute), the order a
 * datalogger writes in.
 */
import { generateSeries, type PanelSeries, panelSeries, type Series } from '../../sim/meter-data.js';

export const MINUTE = 60_000;
export const BENCH_START = Date.UTC(2025, 0, 1);

export interface BenchData {
  list: PanelSeries[];
  series: Series[];
  points: number;
  slots: number;
}

export function benchData(opts: { meters: number; sensors: number; days: number; seed?: number }): BenchData {
  const slots = opts.days * 1440;
  const list = panelSeries({
    meters: opts.meters,
    sensors: opts.sensors,
    start: BENCH_START,
    step: MINUTE,
    count: slots,
    seed: opts.seed ?? 1,
  });
  const series = list.map((p) => generateSeries(p.options));
  return { list, series, points: series.reduce((a, s) => a + s.length, 0), slots };
}

/** Calls `visit(seriesIndex, pointIndex)` for every point, minute by minute. */
export function walkInTimeOrder(data: BenchData, visit: (k: number, i: number) => void): void {
  const next = new Int32Array(data.series.length);
  for (let slot = 0; slot < data.slots; slot++) {
    const end = BENCH_START + (slot + 1) * MINUTE;
    for (let k = 0; k < data.series.length; k++) {
      const s = data.series[k] as Series;
      let i = next[k] as number;
      while (i < s.length && (s.t[i] as number) < end) visit(k, i++);
      next[k] = i;
    }
  }
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0
    ? Number.NaN
    : s.length % 2
      ? (s[m] as number)
      : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** Wall and CPU milliseconds of `fn`. */
export function timed<T>(fn: () => T): { value: T; ms: number; cpuMs: number } {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = fn();
  const ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { value, ms, cpuMs: (c.user + c.system) / 1000 };
}
