/**
 * The series a store knows, in memory: the integer key that chunk rows use,
 * the metadata for grouping, and the write state — the open chunk builder,
 * builders sealed since the last flush, and the series indexes (`next`: the
 * index the next point gets; `sealed`: points before it are in chunk rows).
 *
 * Appending applies the chunk rules: a builder is sealed before a point that
 * is older than its last point (a clock step backwards), when it is full, or
 * when the point lies more than `maxSpanMs` after its first point.
 */
import { ErrorCodes, WattgateError } from '../shared/errors.js';
import { ChunkBuilder } from './builder.js';
import { MAX_ABS_TIME } from './codec/chunk-codec.js';
import { SERIES_ID_PATTERN, type SeriesMeta } from './types.js';

export interface SeriesState {
  key: number;
  id: string;
  meta: SeriesMeta;
  /** The series row exists in the database. */
  persisted: boolean;
  metaDirty: boolean;
  next: number;
  sealed: number;
  maxSpan: number;
  open: ChunkBuilder | undefined;
  pending: ChunkBuilder[];
  /** Monotonic time of the last append (idle sealing). */
  lastAppend: number;
}

export interface ChunkRules {
  maxPoints: number;
  maxSpanMs: number;
}

const ID_RE = new RegExp(SERIES_ID_PATTERN);
const META_KEYS = ['name', 'device', 'measurement', 'unit', 'kind', 'usage', 'zone'] as const;

function invalid(message: string): WattgateError {
  return new WattgateError(ErrorCodes.INVALID_ARGUMENT, message);
}

/** A point the store accepts: integer ms within ±2^50, a number, a flag 0–255. */
export function checkPoint(t: number, value: number, quality: number): void {
  if (!(Number.isInteger(t) && Math.abs(t) <= MAX_ABS_TIME)) {
    throw invalid(`timestamp ${t} is not an integer ms within ±2^50`);
  }
  if (typeof value !== 'number') throw invalid('value must be a number');
  if (!(quality >= 0 && quality <= 255 && (quality | 0) === quality))
    throw invalid(`quality ${quality} is not 0–255`);
}

export function checkSeriesId(id: unknown): asserts id is string {
  if (typeof id !== 'string' || !ID_RE.test(id)) {
    throw invalid(
      `invalid series id ${JSON.stringify(String(id)).slice(0, 140)} (expected ${SERIES_ID_PATTERN})`,
    );
  }
}

/** Keeps the known metadata keys with string values (kind: gauge | counter). */
export function cleanMeta(raw: unknown): SeriesMeta {
  const out: Record<string, string | number> = {};
  if (typeof raw !== 'object' || raw === null) return out;
  for (const k of META_KEYS) {
    const v = (raw as Record<string, unknown>)[k];
    if (typeof v === 'string' && v.length <= 200) out[k] = v;
  }
  const period = (raw as { periodMinutes?: unknown }).periodMinutes;
  if (Number.isInteger(period) && (period as number) > 0 && (period as number) <= 1440)
    out.periodMinutes = period as number;
  if (out.kind !== undefined && out.kind !== 'gauge' && out.kind !== 'counter') delete out.kind;
  return out as SeriesMeta;
}

export function newSeries(key: number, id: string, meta: SeriesMeta, persisted: boolean): SeriesState {
  return {
    key,
    id,
    meta,
    persisted,
    metaDirty: false,
    next: 0,
    sealed: 0,
    maxSpan: 0,
    open: undefined,
    pending: [],
    lastAppend: 0,
  };
}

/** Appends one point to the series' open builder, sealing it first when a rule says so. */
export function appendPoint(
  s: SeriesState,
  t: number,
  v: number,
  q: number,
  rules: ChunkRules,
): ChunkBuilder {
  let b = s.open;
  if (b && (t < b.tLast || b.n >= rules.maxPoints || t - b.tFirst > rules.maxSpanMs)) {
    s.pending.push(b);
    b = undefined;
  }
  if (!b) {
    b = new ChunkBuilder(s.next, Math.min(64, rules.maxPoints));
    s.open = b;
  }
  b.push(t, v, q);
  s.next++;
  return b;
}

/** Seals the open builder (idle series, shutdown): it is written at the next flush. */
export function sealOpen(s: SeriesState): void {
  if (s.open && s.open.n > 0) s.pending.push(s.open);
  s.open = undefined;
}

/** Builders in insertion order: sealed-not-yet-written, then the open one. */
export function memoryBuilders(s: SeriesState): ChunkBuilder[] {
  return s.open ? [...s.pending, s.open] : s.pending;
}

/**
 * Seals the open builder of every series that got no point for `idleMs`
 * (monotonic), so the staging log can shrink; `idle` remembers where each
 * series stood when it was last seen moving.
 */
export function sealIdle(
  series: Iterable<SeriesState>,
  idle: Map<SeriesState, { next: number; since: number }>,
  now: number,
  idleMs: number,
  markDirty: (s: SeriesState) => void,
): void {
  for (const s of series) {
    if (!s.open) continue;
    const seen = idle.get(s);
    if (!seen || seen.next !== s.next) idle.set(s, { next: s.next, since: now });
    else if (now - seen.since >= idleMs) {
      sealOpen(s);
      markDirty(s);
      idle.delete(s);
    }
  }
}
