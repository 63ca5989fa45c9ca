/**
 * The settings the history store runs with. The configuration schema's
 * `history` section (src/config/schema-history.ts, with the defaults and
 * limits) has this shape; storage/ does not import config/ (the layering rule),
 * so the shape is stated here and a test checks the two agree.
 */
export interface HistorySettings {
  capacity: { mode: 'points' | 'bytes'; points: number; bytes: number };
  flushIntervalMs: number;
  flushPoints: number;
  maxBufferedPoints: number;
  retryIntervalMs: number;
  chunk: { maxPoints: number; maxSpanMs: number; sealIdleMs: number };
  reserveFreeBytes: number;
  publication: { backlogPoints: number; lagAlarmRatio: number };
}
