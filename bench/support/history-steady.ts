/**
 * Steady state of the history store at the reference's rate (500 points a
 * minute: 50 meters × 10 measurements, one sample a minute each, spread over
 * the minute), flushed by its timer every `flushIntervalMs` under a manual
 * clock. Measures the WAL pages each flush writes (the WAL is checkpointed
 * before each flush and measured after), and from that how often the 4 MiB
 * WAL limit forces a checkpoint — the fsync that bounds what a power loss
 * can take (synchronous=NORMAL).
 */
import { statSync } from 'node:fs';
import { generateSeries, type PanelSeries, panelSeries, type Series } from '../../sim/meter-data.js';
import { HISTORY_PAGE_SIZE, WAL_CHECKPOINT_BYTES } from '../../src/history/database-file.js';
import { type HistorySettings, HistoryStore } from '../../src/history/index.js';
import { ManualClock } from '../../src/shared/clock.js';
import { BENCH_START, MINUTE } from './history-data.js';

export interface SteadyResult {
  series: number;
  hours: number;
  flushMs: number;
  flushes: number;
  pagesPerFlush: number;
  bytesPerFlush: number;
  secondsPerCheckpoint: number;
}

const walBytes = (path: string) => {
  try {
    return statSync(`${path}-wal`).size;
  } catch {
    return 0;
  }
};

/** Appends every point sampled before `at`; series k reports at second k mod 60 of each minute. */
function appendUntil(
  store: HistoryStore,
  list: PanelSeries[],
  data: Series[],
  next: Int32Array,
  at: number,
): void {
  for (let k = 0; k < list.length; k++) {
    const s = data[k] as Series;
    const offset = (k % 60) * 1000;
    let i = next[k] as number;
    while (i < s.length && (s.t[i] as number) + offset < at) {
      store.append(list[k]?.id as string, s.t[i] as number, s.v[i] as number, s.q[i] as number);
      i++;
    }
    next[k] = i;
  }
}

export function steadyState(path: string, settings: HistorySettings, hours: number): SteadyResult {
  const slots = hours * 60;
  const list = panelSeries({ meters: 50, start: BENCH_START, step: MINUTE, count: slots, seed: 9 });
  const data = list.map((p) => generateSeries(p.options));
  const clock = new ManualClock(BENCH_START);
  const store = HistoryStore.open({ path, settings, clock });
  store.start();
  const next = new Int32Array(list.length);
  const step = settings.flushIntervalMs;
  let frames = 0;
  let flushes = 0;
  for (let at = BENCH_START + step; at <= BENCH_START + slots * MINUTE; at += step) {
    appendUntil(store, list, data, next, at);
    store.checkpoint();
    clock.advance(step);
    frames += Math.max(0, walBytes(path) - 32) / (HISTORY_PAGE_SIZE + 24);
    flushes++;
  }
  store.stop();
  const pagesPerFlush = frames / flushes;
  const bytesPerFlush = pagesPerFlush * (HISTORY_PAGE_SIZE + 24);
  return {
    series: list.length,
    hours,
    flushMs: step,
    flushes,
    pagesPerFlush,
    bytesPerFlush,
    secondsPerCheckpoint: (WAL_CHECKPOINT_BYTES / bytesPerFlush) * (step / 1000),
  };
}
