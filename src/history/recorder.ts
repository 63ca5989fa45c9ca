/**
 * Acquisition samples → history (PRODUCT L3, L4). Only the periodic samples
 * (`acquisition.samples`, stamped at the start of their sampling period) are
 * stored; live polling is for the monitoring pages and is not history.
 * Numbers are stored as float64; 64-bit integers (energy counters) are
 * converted to the nearest double (exact below 2^53 Wh ≈ 9 × 10^15 Wh);
 * text values (identification) are not time series and are skipped. Quality
 * maps valid/invalid/comm-error → 0/1/2; an invalid or missing value is
 * stored as NaN with its quality, so a gap is visible as such. A series'
 * metadata (device name, unit, counter or gauge, usage, zone) is written the
 * first time it is seen and again when the lookup answers another object (a rename).
 */
import type { Quality, ReadingBatch } from '../acquisition/events.js';
import type { HistoryStore } from './store.js';
import { QUALITY_COMM_ERROR, QUALITY_GOOD, QUALITY_INVALID, type SeriesMeta } from './types.js';

const QUALITY: Record<Quality, number> = {
  valid: QUALITY_GOOD,
  invalid: QUALITY_INVALID,
  'comm-error': QUALITY_COMM_ERROR,
};

/** Must return the same object for a series until its metadata changes (it is called per reading). */
export type SeriesMetaLookup = (deviceId: number, key: string) => SeriesMeta | undefined;

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
        const m = meta(r.deviceId, r.key);
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
