/**
 * Audit log routes (PRODUCT S6; SECURITY D3, D5), for admin and support (the
 * issue's choice: support reads logs, PRODUCT S13; D5 names admin — support is
 * read-only everywhere else, so reading the audit log is within its role):
 * - GET /api/v1/audit: records as JSON, filtered by time, categories and
 *   sequence (paging with `afterSeq`), at most 1000 per page;
 * - GET /api/v1/audit/export: the whole filtered log as a CSV or JSON file
 *   download, streamed; the export itself is audited (who, which filter);
 * - GET /api/v1/audit/verify: the chain verification report (first bad record);
 * - GET /api/v1/audit/status: fill level of the ring and write backlog.
 */
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { csvExport, jsonExport, recordJson } from '../../security/audit/export.js';
import type { AuditFilter } from '../../security/audit/query.js';
import { AUDIT_CATEGORIES, AUDIT_RESULTS, type AuditEntry } from '../../security/audit/record.js';
import type { AppendResult, AuditLog } from '../../security/audit/store.js';
import type { Role } from '../../security/roles.js';
import type { Clock } from '../../shared/clock.js';
import { ErrorCodes, WattgateError } from '../../shared/errors.js';
import type { RequestAuth } from '../types.js';

export const AUDIT_READERS: readonly Role[] = ['admin', 'support'];
export const AUDIT_PAGE_MAX = 1000;

const Iso = Type.String({
  pattern: '^\\d{4}-\\d{2}-\\d{2}(T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,3})?)?Z)?$',
  maxLength: 30,
});
const Categories = Type.String({
  pattern: `^(${AUDIT_CATEGORIES.join('|')})(,(${AUDIT_CATEGORIES.join('|')}))*$`,
  maxLength: 200,
  description: `comma-separated: ${AUDIT_CATEGORIES.join(', ')}`,
});
const FilterQuery = {
  from: Type.Optional(Iso),
  to: Type.Optional(Iso),
  category: Type.Optional(Categories),
  result: Type.Optional(
    Type.String({
      pattern: `^(${AUDIT_RESULTS.join('|')})(,(${AUDIT_RESULTS.join('|')}))*$`,
      maxLength: 60,
      description: `comma-separated: ${AUDIT_RESULTS.join(', ')}`,
    }),
  ),
};
const ListQuery = Type.Object(
  {
    ...FilterQuery,
    order: Type.Optional(Type.Enum(['asc', 'desc'], { description: 'asc (default): oldest first' })),
    afterSeq: Type.Optional(Type.Integer({ minimum: 0, description: 'next page, oldest first' })),
    beforeSeq: Type.Optional(Type.Integer({ minimum: 0, description: 'next page, newest first' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: AUDIT_PAGE_MAX })),
  },
  { additionalProperties: false },
);
const ExportQuery = Type.Object(
  { ...FilterQuery, format: Type.Enum(['csv', 'json']) },
  { additionalProperties: false },
);
const Problem = Type.Object({
  kind: Type.String(),
  seq: Type.Union([Type.Integer(), Type.Null()]),
  message: Type.String(),
});
const Report = Type.Object({
  ok: Type.Boolean(),
  checked: Type.Integer(),
  firstSeq: Type.Union([Type.Integer(), Type.Null()]),
  lastSeq: Type.Union([Type.Integer(), Type.Null()]),
  evicted: Type.Integer(),
  problem: Type.Optional(Problem),
});

interface FilterParams {
  from?: string;
  to?: string;
  category?: string;
  result?: string;
}

function toFilter(q: FilterParams): AuditFilter {
  const f: AuditFilter = {};
  const ms = (s: string, name: string) => {
    const v = Date.parse(s);
    if (Number.isNaN(v))
      throw new WattgateError(ErrorCodes.INVALID_ARGUMENT, `${name}: not a valid UTC time`);
    return v;
  };
  if (q.from !== undefined) f.from = ms(q.from, 'from');
  if (q.to !== undefined) f.to = ms(q.to, 'to');
  if (q.category !== undefined) f.categories = q.category.split(',');
  if (q.result !== undefined) f.results = q.result.split(',');
  return f;
}

export interface AuditRouteOptions {
  audit: Pick<AuditLog, 'records' | 'verify' | 'stats' | 'head'>;
  record: (entry: AuditEntry) => AppendResult | undefined;
  clock: Clock;
  /** For the download's file name. */
  serialNumber: () => string;
}

export async function auditRoutes(app: FastifyInstance, opts: AuditRouteOptions): Promise<void> {
  const access = AUDIT_READERS;
  app.get('/api/v1/audit', {
    config: { access },
    schema: {
      summary: 'Audit records, paged, filtered by time, category and result',
      description:
        'Oldest first by default; `order=desc` gives newest first (the Logs page). `next` is the ' +
        'sequence number to pass as `afterSeq` (asc) or `beforeSeq` (desc) for the next page.',
      tags: ['audit'],
      querystring: ListQuery,
    },
    handler: async (request) => {
      const q = request.query as FilterParams & {
        afterSeq?: number;
        beforeSeq?: number;
        limit?: number;
        order?: 'asc' | 'desc';
      };
      const limit = q.limit ?? 100;
      const filter = {
        ...toFilter(q),
        limit,
        newestFirst: q.order === 'desc',
        ...(q.afterSeq === undefined ? {} : { afterSeq: q.afterSeq }),
        ...(q.beforeSeq === undefined ? {} : { beforeSeq: q.beforeSeq }),
      };
      const records = [...opts.audit.records(filter)].map(recordJson);
      const last = records.at(-1)?.seq as number | undefined;
      return { records, next: records.length === limit && last !== undefined ? last : null };
    },
  });
  app.get('/api/v1/audit/export', {
    config: { access },
    schema: {
      summary: 'Download the audit log as CSV or JSON',
      description:
        'Admin and support. Every record matching the filter (no paging), streamed as a file download ' +
        'named after the serial number and the time; the JSON file carries the head of the chain. ' +
        'The export itself is recorded in the audit log as audit.exported with who and the filter.',
      tags: ['audit'],
      querystring: ExportQuery,
    },
    handler: async (request, reply) => {
      const q = request.query as FilterParams & { format: 'csv' | 'json' };
      const filter = toFilter(q);
      const auth = request.auth as RequestAuth;
      opts.record({
        category: 'audit',
        event: 'audit.exported',
        actor: { kind: auth.via === 'token' ? 'token' : 'account', name: auth.name },
        source: request.ip,
        result: 'success',
        details: { format: q.format, from: q.from, to: q.to, category: q.category, result: q.result },
      });
      const now = opts.clock.now();
      const stamp = new Date(now).toISOString().replace(/[-:]/g, '').slice(0, 15);
      const name = `wattgate-audit-${opts.serialNumber()}-${stamp}Z.${q.format}`;
      const records = opts.audit.records(filter);
      const body =
        q.format === 'csv'
          ? csvExport(records)
          : jsonExport(records, {
              exportedAt: new Date(now).toISOString(),
              filter: { ...q },
              head: opts.audit.head(),
            });
      return reply
        .type(q.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8')
        .header('content-disposition', `attachment; filename="${name}"`)
        .header('cache-control', 'no-store')
        .send(Readable.from(body));
    },
  });
  app.get('/api/v1/audit/verify', {
    config: { access },
    schema: {
      summary: 'Verify the audit chain (first bad record)',
      description:
        'Admin and support. Walks the kept records from the anchor to the sealed head and reports the ' +
        'first problem (`kind`: deleted, edited, chain-broken, bad-mac, unknown-key, bad-anchor, ' +
        'truncated or bad-head) with its sequence number; records removed by the capacity ring still verify.',
      tags: ['audit'],
      response: { 200: Report },
    },
    handler: async () => opts.audit.verify(),
  });
  app.get('/api/v1/audit/status', {
    config: { access },
    schema: {
      summary: 'Audit ring fill level and write backlog',
      description:
        'Admin and support. `count` of `capacity` records kept (the oldest are removed beyond it); ' +
        '`pending`: records waiting in memory while the store cannot write; `dropped`: records lost ' +
        'from that queue (oldest first, beyond 10 000) since writing last recovered.',
      tags: ['audit'],
      response: {
        200: Type.Object({
          count: Type.Integer(),
          capacity: Type.Integer(),
          pending: Type.Integer(),
          dropped: Type.Integer(),
        }),
      },
    },
    handler: async () => opts.audit.stats(),
  });
}
