/**
 * Public types of the history store: series, points, query results, the
 * publication cursor and the alarm events (docs/history.md).
 */

/** Quality flags: 0 is good; other values are kept as given (0–255). */
export const QUALITY_GOOD = 0;
export const QUALITY_INVALID = 1;
export const QUALITY_COMM_ERROR = 2;

/** Series ids are stable measurement ids such as `modbus:1_mb_VAB`. */
export const SERIES_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,127}$';

/** What the rest of Wattgate knows about a series (for grouping and display). */
export interface SeriesMeta {
  name?: string;
  device?: string;
  measurement?: string;
  unit?: string;
  /** `counter`: a cumulative register (energy); energy queries use these. */
  kind?: 'gauge' | 'counter';
  usage?: string;
  zone?: string;
  /** The device's sampling period when the series was last written (minutes; a period change shows here). */
  periodMinutes?: number;
}

export interface SeriesInfo {
  id: string;
  meta: SeriesMeta;
}

/** Points in time order, as columns (values keep every float64 bit). */
export interface RawPoints {
  t: Float64Array;
  v: Float64Array;
  q: Uint8Array;
  length: number;
  /** True when `limit` cut the answer (more points exist in the range). */
  truncated: boolean;
}

/** One bucket of a downsampled range: aggregates over the good points only. */
export interface Bucket {
  start: number;
  end: number;
  /** Good points (quality 0, finite value) in the bucket. */
  count: number;
  min: number | null;
  max: number | null;
  avg: number | null;
  /** Value and time of the latest good point. */
  last: number | null;
  lastT: number | null;
}

export interface EnergyBucket {
  start: number;
  end: number;
  /** Sum of counter increases whose later reading falls in the bucket. */
  energy: number;
  /** Readings that contributed an increase (each after a previous good reading). */
  readings: number;
}

/** Buckets: explicit sorted edges, or `count` equal buckets, or a step, or a calendar unit. */
export type BucketSpec =
  | { edges: readonly number[] }
  | { count: number }
  | { stepMs: number }
  | { unit: CalendarUnit; timeZone?: string };

export type CalendarUnit = 'hour' | 'day' | 'week' | 'month' | 'year';

export interface Range {
  from: number;
  /** Exclusive. */
  to: number;
}

export interface ComparedBucket {
  index: number;
  a: { start: number; end: number; value: number | null };
  b: { start: number; end: number; value: number | null };
}

export type CompareMetric = 'energy' | 'avg' | 'min' | 'max' | 'last';

export type BreakdownBy = 'device' | 'usage' | 'zone';

export interface BreakdownRow {
  group: string;
  energy: number;
  share: number;
  series: number;
}

export interface Breakdown {
  by: BreakdownBy;
  total: number;
  top: BreakdownRow[];
  /** Everything after the top N, or null when nothing is left. */
  others: BreakdownRow | null;
}

export interface CursorPoint {
  position: number;
  series: string;
  t: number;
  value: number;
  quality: number;
}

export interface CursorRead {
  points: CursorPoint[];
  /** Position to acknowledge once these points are published. */
  next: number;
  /** More points exist after `next`. */
  more: boolean;
  /** Positions after the requested one that are no longer kept (dropped or pruned). */
  gap: { from: number; to: number } | null;
}

export interface PublisherInfo {
  name: string;
  acked: number;
  createdAt: number;
}

export type HistoryAlarmKind =
  | 'disk-low'
  | 'write-failed'
  | 'buffer-full'
  | 'publisher-lag'
  | 'unpublished-dropped';

/** Raised (`active: true`) and cleared (`active: false`) once per episode. */
export interface HistoryAlarm {
  kind: HistoryAlarmKind;
  active: boolean;
  at: number;
  message: string;
  details: Record<string, unknown>;
}

export interface FlushResult {
  /** Commit (position) written, or the current one when nothing was written. */
  commit: number;
  points: number;
  chunks: number;
  evictedPoints: number;
}

export interface HistoryEventMap extends Record<string, unknown> {
  alarm: HistoryAlarm;
  flushed: FlushResult;
}

export interface HistoryStatus {
  points: number;
  chunks: number;
  buffered: number;
  dropped: number;
  position: number;
  capacity: { mode: 'points' | 'bytes'; points: number; bytes: number };
  usedBytes: number;
  fileBytes: number;
  series: number;
  alarms: HistoryAlarmKind[];
  publishers: PublisherInfo[];
}

/** The store's persistent counters (the `counters` row), kept in memory and saved with each flush. */
export interface StoreCounters {
  commit: number;
  chunkPoints: number;
  chunks: number;
  prunedThrough: number;
  droppedThrough: number;
  stagingPoints: number;
  /** Oldest staging commit whose points are not all in chunks: replay starts there. */
  replayFrom: number;
}
