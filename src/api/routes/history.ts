/**
 * History API (PRODUCT E2 trending and home page, L4, P3; docs/history.md):
 * read-only routes under /api/v1/history for every role — history is
 * monitoring data, which the viewer role exists to see:
 *   GET series        the series and their metadata
 *   GET status        points, capacity, alarms, publishers
 *   GET raw           points of one series in [from, to)
 *   GET downsample    min/max/avg/last per bucket
 *   GET energy        energy per interval from a counter (resets handled)
 *   GET compare       two periods side by side
 *   GET breakdown     consumption by device, usage or zone: top N + others
 *   GET export.csv    CSV of one or more series over a range (streamed)
 *   GET changes       everything after a publication position (cursor)
 * Times are epoch milliseconds or ISO 8601; ranges are [from, to). Buckets:
 * `buckets` (equal count), `stepMs`, or a calendar `unit` in `tz`. In JSON,
 * non-finite values are null (their quality flag says why); CSV keeps them.
 */
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { TSchema } from 'typebox';
import Type from 'typebox';
import type { HistoryReader } from '../../history/reader.js';
import {
  type BucketSpec,
  type CursorRead,
  type HistoryStatus,
  type Range,
  SERIES_ID_PATTERN,
} from '../../history/types.js';
import { ANY_ROLE } from '../../security/roles.js';
import { ErrorCodes, WattgateError } from '../../shared/errors.js';

/** The reads the routes make. */
export type HistoryReads = Pick<
  HistoryReader,
  'listSeries' | 'raw' | 'downsample' | 'energy' | 'compare' | 'breakdown' | 'csv'
>;

type Awaitable<T> = T | Promise<T>;

/**
 * What the routes need of the history: the store itself (in one thread) or a
 * replica of it (src/history/replica.ts, in the web worker). `read` runs a
 * query on a consistent view of the series it names (or all of them).
 */
export interface HistoryQueryApi {
  read<T>(series: readonly string[] | 'all', fn: (reader: HistoryReads) => T): Awaitable<T>;
  status(): Awaitable<HistoryStatus>;
  readAfter(position: number, maxPoints?: number): Awaitable<CursorRead>;
}

export interface HistoryRouteOptions {
  history: HistoryQueryApi;
  /** Time zone of calendar buckets when a request names none (the system's). */
  timeZone?: () => string;
}

export const MAX_API_POINTS = 100_000;
export const MAX_API_BUCKETS = 10_000;
const MAX_CSV_SERIES = 50;

const TIME =
  '^(-?\\d{1,16}|\\d{4}-\\d{2}-\\d{2}(T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,3})?)?(Z|[+-]\\d{2}:\\d{2}))?)$';
const Time = Type.String({ pattern: TIME, maxLength: 32, description: 'epoch ms or ISO 8601' });
const Int = (max: number) => Type.String({ pattern: `^\\d{1,${String(max).length}}$` });
const SeriesId = Type.String({ pattern: SERIES_ID_PATTERN });
const Zone = Type.String({ pattern: '^[A-Za-z][A-Za-z0-9_+/-]{0,63}$', description: 'IANA time zone' });
const Unit = Type.Enum(['hour', 'day', 'week', 'month', 'year']);
const Buckets = {
  buckets: Type.Optional(Int(MAX_API_BUCKETS)),
  stepMs: Type.Optional(Int(1e12)),
  unit: Type.Optional(Unit),
  tz: Type.Optional(Zone),
};
const closed = { additionalProperties: false } as const;
const RangeQuery = { series: SeriesId, from: Time, to: Time };
const Num = Type.Union([Type.Number(), Type.Null()]);

type Query = Record<string, string | undefined>;

function invalid(message: string): WattgateError {
  return new WattgateError(ErrorCodes.INVALID_ARGUMENT, message);
}

export function parseTime(raw: string): number {
  const ms = /^-?\d+$/.test(raw) ? Number(raw) : Date.parse(raw);
  if (!Number.isFinite(ms)) throw invalid(`not a time: ${raw}`);
  return ms;
}

function rangeOf(q: Query): Range {
  const range = { from: parseTime(q.from ?? ''), to: parseTime(q.to ?? '') };
  if (!(range.from < range.to)) throw invalid('from must be before to');
  return range;
}

function bucketsOf(q: Query, fallback: BucketSpec, zone: string): BucketSpec {
  if (q.buckets !== undefined) {
    const count = Number(q.buckets);
    if (!(count >= 1 && count <= MAX_API_BUCKETS)) throw invalid(`buckets: 1 to ${MAX_API_BUCKETS}`);
    return { count };
  }
  if (q.stepMs !== undefined) return { stepMs: Number(q.stepMs) };
  if (q.unit !== undefined) return { unit: q.unit as 'day', timeZone: q.tz ?? zone };
  return fallback;
}

function limitBuckets<T>(list: T[]): T[] {
  if (list.length > MAX_API_BUCKETS)
    throw invalid(`more than ${MAX_API_BUCKETS} buckets: choose a coarser step`);
  return list;
}

const finite = (v: number) => (Number.isFinite(v) ? v : null);

const Bucket = Type.Object({
  start: Type.Number(),
  end: Type.Number(),
  count: Type.Number(),
  min: Num,
  max: Num,
  avg: Num,
  last: Num,
  lastT: Num,
});
const EnergyBucket = Type.Object({
  start: Type.Number(),
  end: Type.Number(),
  energy: Type.Number(),
  readings: Type.Number(),
});
const Period = Type.Object({ start: Type.Number(), end: Type.Number(), value: Num });
const BreakdownRow = Type.Object({
  group: Type.String(),
  energy: Type.Number(),
  share: Type.Number(),
  series: Type.Number(),
});

const SeriesList = Type.Object({
  series: Type.Array(
    Type.Object({
      id: Type.String(),
      meta: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number()]), {
        description: 'name, device, measurement, unit, kind, usage, zone, periodMinutes (a number)',
      }),
    }),
  ),
});
const RawOut = Type.Object({
  series: Type.String(),
  t: Type.Array(Type.Number()),
  v: Type.Array(Num),
  q: Type.Array(Type.Number()),
  truncated: Type.Boolean(),
});
const CompareQuery = Type.Object(
  {
    ...RangeQuery,
    ...Buckets,
    compareFrom: Time,
    metric: Type.Optional(Type.Enum(['energy', 'avg', 'min', 'max', 'last'])),
  },
  closed,
);
const CompareOut = Type.Object({
  series: Type.String(),
  metric: Type.String(),
  rows: Type.Array(Type.Object({ index: Type.Number(), a: Period, b: Period })),
});
const BreakdownQuery = Type.Object(
  {
    from: Time,
    to: Time,
    by: Type.Enum(['device', 'usage', 'zone']),
    top: Type.Optional(Int(99)),
    unit: Type.Optional(Type.String({ maxLength: 16 })),
  },
  closed,
);
const BreakdownOut = Type.Object({
  by: Type.String(),
  total: Type.Number(),
  top: Type.Array(BreakdownRow),
  others: Type.Union([BreakdownRow, Type.Null()]),
});
const ChangesOut = Type.Object({
  next: Type.Number(),
  more: Type.Boolean(),
  gap: Type.Union([Type.Object({ from: Type.Number(), to: Type.Number() }), Type.Null()]),
  points: Type.Array(
    Type.Object({
      position: Type.Number(),
      series: Type.String(),
      t: Type.Number(),
      value: Num,
      quality: Type.Number(),
    }),
  ),
});

const RawQuery = Type.Object({ ...RangeQuery, limit: Type.Optional(Int(MAX_API_POINTS)) }, closed);
const DownsampleOut = Type.Object({ series: Type.String(), buckets: Type.Array(Bucket) });
const EnergyOut = Type.Object({
  series: Type.String(),
  total: Type.Number(),
  buckets: Type.Array(EnergyBucket),
});
const CsvQuery = Type.Object({ series: Type.String({ maxLength: 6500 }), from: Time, to: Time }, closed);
const ChangesQuery = Type.Object({ after: Int(1e15), limit: Type.Optional(Int(MAX_API_POINTS)) }, closed);

type Zone = () => string;

interface RouteSpec {
  url: string;
  summary: string;
  description: string;
  querystring?: TSchema;
  response?: TSchema;
  handler: (c: { h: HistoryQueryApi; zone: Zone; q: Query; reply: FastifyReply }) => unknown;
}

async function csvExport(h: HistoryQueryApi, q: Query, reply: FastifyReply): Promise<FastifyReply> {
  const ids = (q.series ?? '').split(',');
  if (ids.length > MAX_CSV_SERIES) throw invalid(`at most ${MAX_CSV_SERIES} series`);
  const re = new RegExp(SERIES_ID_PATTERN);
  for (const id of ids)
    if (!re.test(id)) throw invalid(`invalid series id ${JSON.stringify(id.slice(0, 140))}`);
  const range = rangeOf(q);
  const text = await h.read(ids, (r) => r.csv(ids, range));
  reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="history.csv"');
  return reply.send(Readable.from(text));
}

const daily = (zone: Zone): BucketSpec => ({ unit: 'day', timeZone: zone() });

async function rawOf(h: HistoryQueryApi, q: Query) {
  const limit = Math.max(1, Math.min(Number(q.limit ?? MAX_API_POINTS), MAX_API_POINTS));
  const range = rangeOf(q);
  const r = await h.read([q.series as string], (x) => x.raw(q.series as string, range, limit));
  return { series: q.series, t: [...r.t], v: Array.from(r.v, finite), q: [...r.q], truncated: r.truncated };
}

async function downsampleOf(h: HistoryQueryApi, q: Query, zone: Zone) {
  const spec = bucketsOf(q, { count: 1000 }, zone());
  const range = rangeOf(q);
  const buckets = await h.read([q.series as string], (r) => r.downsample(q.series as string, range, spec));
  return { series: q.series, buckets: limitBuckets(buckets) };
}

async function energyOf(h: HistoryQueryApi, q: Query, zone: Zone) {
  const spec = bucketsOf(q, daily(zone), zone());
  const range = rangeOf(q);
  const buckets = limitBuckets(
    await h.read([q.series as string], (r) => r.energy(q.series as string, range, spec)),
  );
  return { series: q.series, total: buckets.reduce((a, b) => a + b.energy, 0), buckets };
}

async function compareOf(h: HistoryQueryApi, q: Query, zone: Zone) {
  const metric = (q.metric ?? 'energy') as 'energy';
  const b = parseTime(q.compareFrom ?? '');
  const range = rangeOf(q);
  const spec = bucketsOf(q, daily(zone), zone());
  const rows = await h.read([q.series as string], (r) =>
    r.compare(q.series as string, range, b, spec, metric),
  );
  return { series: q.series, metric, rows: limitBuckets(rows) };
}

function breakdownOf(h: HistoryQueryApi, q: Query) {
  const top = Math.max(1, Number(q.top ?? 5));
  const range = rangeOf(q);
  const options = { top, ...(q.unit !== undefined ? { unit: q.unit } : {}) };
  return h.read('all', (r) => r.breakdown(range, q.by as 'device', options));
}

async function changesOf(h: HistoryQueryApi, q: Query) {
  const r = await h.readAfter(Number(q.after), Math.min(Number(q.limit ?? 10_000), MAX_API_POINTS));
  return { ...r, points: r.points.map((p) => ({ ...p, value: finite(p.value) })) };
}

const RangeBuckets = Type.Object({ ...RangeQuery, ...Buckets }, closed);

const ROUTES: readonly RouteSpec[] = [
  {
    url: 'series',
    summary: 'Series kept in the history, with their metadata',
    description:
      'Any role. Every series id with its metadata (name, device, measurement, unit, kind, usage, zone, ' +
      'sampling period): the ids the other history routes take.',
    response: SeriesList,
    handler: async (c) => ({ series: await c.h.read('all', (r) => r.listSeries()) }),
  },
  {
    url: 'status',
    summary: 'History size, capacity, alarms and publishers',
    description:
      'Any role. Points, chunks and series kept, capacity and bytes used, points buffered or dropped, the ' +
      "publication position, the active alarms and each publisher's acknowledged position.",
    handler: (c) => c.h.status(),
  },
  {
    url: 'raw',
    summary: 'Points of one series in [from, to), in time order',
    description:
      'Any role. Arrays `t` (epoch ms), `v` (null when not finite) and `q` (quality flag), at most `limit` ' +
      '(and 100 000) points; `truncated` says more exist. `from` must be before `to` (else 400).',
    querystring: RawQuery,
    response: RawOut,
    handler: (c) => rawOf(c.h, c.q),
  },
  {
    url: 'downsample',
    summary: 'Min, max, average and last good value per bucket (default 1000 buckets)',
    description:
      'Any role. Buckets: `buckets` (a count), `stepMs`, or a calendar `unit` in `tz` (default: the ' +
      "system's time zone). Aggregates use good points only; more than 10 000 buckets: 400.",
    querystring: RangeBuckets,
    response: DownsampleOut,
    handler: (c) => downsampleOf(c.h, c.q, c.zone),
  },
  {
    url: 'energy',
    summary: 'Energy per interval from a cumulative counter (default: per day)',
    description:
      'Any role. Each good reading adds its difference to the previous one to its bucket (a lower reading ' +
      'is a counter reset: it adds its own value). Buckets as for downsample, default calendar days in the ' +
      "system's time zone; `total` is their sum.",
    querystring: RangeBuckets,
    response: EnergyOut,
    handler: (c) => energyOf(c.h, c.q, c.zone),
  },
  {
    url: 'compare',
    summary: 'Two periods side by side: [from, to) and the same shape from compareFrom',
    description:
      'Any role. Each row pairs bucket `a` of [from, to) with bucket `b` of the second period (calendar ' +
      'units: the same number of units); `metric`: energy (default), avg, min, max or last.',
    querystring: CompareQuery,
    response: CompareOut,
    handler: (c) => compareOf(c.h, c.q, c.zone),
  },
  {
    url: 'breakdown',
    summary: 'Consumption of every counter by device, usage or zone: the top N (default 5) and the others',
    description:
      'Any role. The energy of every counter series in [from, to), optionally of one `unit` only, grouped ' +
      'by the series metadata named in `by`, with shares; the groups beyond `top` are summed in `others`.',
    querystring: BreakdownQuery,
    response: BreakdownOut,
    handler: (c) => breakdownOf(c.h, c.q),
  },
  {
    url: 'export.csv',
    summary: 'CSV export: timestamp, time_ms, series, value, quality (one line a point)',
    description:
      'Any role. `series`: up to 50 comma-separated ids, over [from, to), streamed as the download ' +
      'history.csv. Values in their shortest exact text; NaN and Infinity are kept (spelled out).',
    querystring: CsvQuery,
    handler: (c) => csvExport(c.h, c.q, c.reply),
  },
  {
    url: 'changes',
    summary: 'Points written after a publication position, in write order; `next` is where to continue',
    description:
      'Any role. Up to `limit` points (default 10 000, at most 100 000) after position `after`; `more` ' +
      'says others follow, `gap` names positions no longer kept (dropped or pruned).',
    querystring: ChangesQuery,
    response: ChangesOut,
    handler: (c) => changesOf(c.h, c.q),
  },
];

export async function historyRoutes(app: FastifyInstance, opts: HistoryRouteOptions): Promise<void> {
  const zone = () => opts.timeZone?.() ?? 'UTC';
  const h = opts.history;
  for (const r of ROUTES) {
    app.get(`/api/v1/history/${r.url}`, {
      config: { access: ANY_ROLE },
      schema: {
        summary: r.summary,
        description: r.description,
        tags: ['history'],
        ...(r.querystring ? { querystring: r.querystring } : {}),
        ...(r.response ? { response: { 200: r.response } } : {}),
      },
      handler: async (request, reply) => r.handler({ h, zone, q: request.query as Query, reply }),
    });
  }
}
