/**
 * Samples → history (PRODUCT L3, L4): every periodic sample batch of every
 * source (acquisition, wireless, digital inputs — THE reading shape,
 * devices/reading.ts) is stored; live readings are for the monitoring pages
 * and are not history. Numbers are stored as float64; 64-bit integers
 * (energy counters) are converted to the nearest double (exact below
 * 2^53 Wh ≈ 9 × 10^15 Wh); text values (identification) are not time series
 * and are skipped. Quality maps valid/invalid/comm-error → 0/1/2; an invalid
 * or missing value is stored as NaN with its quality, so a gap is visible as
 * such. A series' metadata (series-meta.ts) is written the first time it is
 * seen and again when the lookup answers another object (a rename).
 */
import type { Quality, ReadingBatch } from '../devices/reading.js';
import type { SeriesMetaLookup } from './series-meta.js';
import type { HistoryStore } from './store.js';
import { QUALITY_COMM_ERROR, QUALITY_GOOD, QUALITY_INVALID, type SeriesMeta } from './types.js';

const QUALITY: Record<Quality, number> = {
  valid: QUALITY_GOOD,
  invalid: QUALITY_INVALID,
  'comm-error': QUALITY_COMM_ERROR,
};

export interface HistoryRecorder {
  record(batch: ReadingBatch): number;
}

export function historyRecorder(store: HistoryStore, meta: SeriesMetaLookup): HistoryRecorder {
  /** The metadata last written per series (the lookup returns the same object until it changes). */
  const known = new Map<string, SeriesMeta>();
  return {
    record(batch) {
      let stored = 0;
      for (const r of batch.readings) {
        const v = r.value;
        if (typeof v === 'string') continue;
        const m = meta(batch.origin, r.key);
        if (m && known.get(r.seriesId) !== m) {
          store.defineSeries(r.seriesId, m);
          known.set(r.seriesId, m);
        }
        const value = v === null ? Number.NaN : Number(v);
        if (store.append(r.seriesId, r.t, value, QUALITY[r.quality])) stored++;
      }
      return stored;
    },
  };
}
