/**
 * Health endpoint (PRODUCT X2; issue 14): public, answers the health board
 * of the running Wattgate (shared/health.ts) — `ok` (nominal), `degraded`
 * (working, something needs attention: storage failing, a disk nearly full,
 * the web worker restarting) or `out-of-order` (answered 503) — with the
 * reasons, so a monitor can say why. No version, serial, configuration or
 * secret (no banner). Without a board (in-process tests) it answers `ok`.
 */
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import type { HealthReport } from '../../shared/health.js';
import type { Awaitable } from '../../shared/rpc.js';

export interface HealthRouteOptions {
  readonly health?: () => Awaitable<HealthReport>;
}

const Reason = Type.Object({
  key: Type.String({ description: 'what raised it, e.g. history.write-failed' }),
  severity: Type.Enum(['degraded', 'out-of-order']),
  message: Type.String(),
  since: Type.String({ description: 'ISO 8601 UTC' }),
});
const HealthOut = Type.Object({
  status: Type.Enum(['ok', 'degraded', 'out-of-order']),
  reasons: Type.Array(Reason),
});

export async function healthRoutes(app: FastifyInstance, opts: HealthRouteOptions = {}): Promise<void> {
  app.get('/api/v1/health', {
    config: { access: 'public' },
    schema: {
      summary: 'Health: ok, degraded or out of order, with the reasons (no version, no secret)',
      description:
        'Public, for monitoring systems. `degraded`: working, but something needs attention (storage ' +
        'failing, a disk nearly full, the web worker restarting); `out-of-order` is answered with 503. ' +
        'Each reason says what raised it and since when.',
      tags: ['meta'],
      response: { 200: HealthOut, 503: HealthOut },
    },
    handler: async (_request, reply) => {
      const r = (await opts.health?.()) ?? { status: 'nominal', reasons: [] };
      const reasons = r.reasons.map((x) => ({ ...x, since: new Date(x.since).toISOString() }));
      const status = r.status === 'nominal' ? 'ok' : r.status;
      return reply.code(status === 'out-of-order' ? 503 : 200).send({ status, reasons });
    },
  });
}
