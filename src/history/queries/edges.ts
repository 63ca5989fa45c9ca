/**
 * Bucket edges for bucketed queries: equal buckets, a fixed step, explicit
 * edges, or calendar units (hour, day, week from Monday, month, year) in an
 * IANA time zone — local midnight moves with daylight saving time, so days
 * are 23, 24 or 25 hours long. Bucket i is [edges[i], edges[i+1]).
 */
import { ErrorCodes, WattgateError } from '../../shared/errors.js';
import type { BucketSpec, CalendarUnit, Range } from '../types.js';

export const MAX_BUCKETS = 100_000;

function invalid(message: string): WattgateError {
  return new WattgateError(ErrorCodes.INVALID_ARGUMENT, message);
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      throw invalid(`unknown time zone ${JSON.stringify(timeZone)}`);
    }
    formatters.set(timeZone, f);
  }
  return f;
}

interface Local {
  y: number;
  m: number;
  d: number;
  h: number;
}

function localOf(ms: number, timeZone: string): Local & { offset: number } {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(ms))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  const y = parts.year ?? 1970;
  const m = parts.month ?? 1;
  const d = parts.day ?? 1;
  const h = parts.hour ?? 0;
  const asUtc = Date.UTC(y, m - 1, d, h, parts.minute ?? 0, parts.second ?? 0);
  return { y, m, d, h, offset: asUtc - (ms - (((ms % 1000) + 1000) % 1000)) };
}

/** The instant of a local wall time in the zone (the earlier one in a DST overlap). */
function instantOf(l: Local, timeZone: string): number {
  const wall = Date.UTC(l.y, l.m - 1, l.d, l.h);
  let guess = wall - localOf(wall, timeZone).offset;
  guess = wall - localOf(guess, timeZone).offset;
  return guess;
}

/** The first calendar boundary strictly after `ms`. */
function nextBoundary(ms: number, unit: CalendarUnit, timeZone: string): number {
  const l = localOf(ms, timeZone);
  const weekday = (new Date(Date.UTC(l.y, l.m - 1, l.d)).getUTCDay() + 6) % 7; // Monday = 0
  const next: Record<CalendarUnit, Local> = {
    hour: { ...l, h: l.h + 1 },
    day: { y: l.y, m: l.m, d: l.d + 1, h: 0 },
    week: { y: l.y, m: l.m, d: l.d + 7 - weekday, h: 0 },
    month: { y: l.y, m: l.m + 1, d: 1, h: 0 },
    year: { y: l.y + 1, m: 1, d: 1, h: 0 },
  };
  const at = instantOf(next[unit], timeZone);
  return at > ms ? at : ms + 3_600_000; // a skipped local hour: move on by one
}

function calendarEdges(range: Range, unit: CalendarUnit, timeZone: string): number[] {
  const edges = [range.from];
  let at = range.from;
  while (edges.length <= MAX_BUCKETS) {
    at = nextBoundary(at, unit, timeZone);
    if (at >= range.to) break;
    edges.push(at);
  }
  if (edges.length > MAX_BUCKETS) throw invalid(`more than ${MAX_BUCKETS} buckets`);
  edges.push(range.to);
  return edges;
}

function checkRange(range: Range): void {
  if (!(Number.isFinite(range.from) && Number.isFinite(range.to) && range.from < range.to)) {
    throw invalid('a range needs finite from < to');
  }
}

export function bucketEdges(range: Range, spec: BucketSpec): number[] {
  checkRange(range);
  if ('edges' in spec) {
    const e = [...spec.edges];
    if (e.length < 2 || e.length > MAX_BUCKETS + 1) throw invalid('edges: 2 to 100001 values');
    for (let i = 1; i < e.length; i++)
      if (!((e[i] as number) > (e[i - 1] as number))) throw invalid('edges must increase');
    return e;
  }
  if ('count' in spec) {
    const n = spec.count;
    if (!(Number.isInteger(n) && n >= 1 && n <= MAX_BUCKETS)) throw invalid(`count: 1 to ${MAX_BUCKETS}`);
    const w = (range.to - range.from) / n;
    return Array.from({ length: n + 1 }, (_, i) => (i === n ? range.to : range.from + i * w));
  }
  if ('stepMs' in spec) {
    const step = spec.stepMs;
    if (!(step > 0) || (range.to - range.from) / step > MAX_BUCKETS)
      throw invalid('step too small for the range');
    const e: number[] = [];
    for (let t = range.from; t < range.to; t += step) e.push(t);
    e.push(range.to);
    return e;
  }
  return calendarEdges(range, spec.unit, spec.timeZone ?? 'UTC');
}

/** Index of the bucket holding t (edges[i] ≤ t < edges[i+1]), or −1 outside. */
export function bucketOf(edges: readonly number[], t: number): number {
  let lo = 0;
  let hi = edges.length - 1;
  if (!(t >= (edges[0] as number) && t < (edges[hi] as number))) return -1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (t < (edges[mid] as number)) hi = mid;
    else lo = mid;
  }
  return lo;
}
