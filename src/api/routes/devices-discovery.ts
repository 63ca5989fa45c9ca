/**
 * Modbus discovery through the devices API (PRODUCT L2; issue 7 part 2), admin
 * only: start one (a TCP address list or a serial line scan), read its
 * progress and results, cancel it. One runs at a time; what it finds is only
 * offered, the admin adds the devices wanted (POST /api/v1/devices).
 * Registered by deviceRoutes (devices.ts), after the other device routes.
 */
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import type { DevicesService as LocalDevices } from '../../acquisition/service.js';
import type { DiscoveryRequest, DiscoveryState } from '../../devices/discovery/discovery.js';
import { MAX_TCP_TARGETS } from '../../devices/discovery/discovery.js';
import { ADMIN_ONLY } from '../../security/roles.js';
import { ErrorCodes, WattgateError } from '../../shared/errors.js';
import type { Remote } from '../../shared/rpc.js';
import { closed, Host, iso, Name, NullableWhen, When } from './device-schema-parts.js';

/** The acquisition part, or its proxy in the web worker (as in devices.ts). */
type DevicesService = Remote<LocalDevices>;

const DiscoveryIn = Type.Union([
  Type.Object(
    {
      kind: Type.Literal('tcp'),
      targets: Type.Array(
        Type.Object(
          {
            host: Host,
            port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
            unit: Type.Optional(Type.Integer({ minimum: 0, maximum: 255 })),
          },
          closed,
        ),
        { minItems: 1, maxItems: MAX_TCP_TARGETS },
      ),
      timeoutMs: Type.Optional(Type.Integer({ minimum: 100, maximum: 10_000 })),
    },
    closed,
  ),
  Type.Object(
    {
      kind: Type.Literal('serial'),
      line: Name,
      first: Type.Optional(Type.Integer({ minimum: 1, maximum: 247 })),
      last: Type.Optional(Type.Integer({ minimum: 1, maximum: 247 })),
    },
    closed,
  ),
]);
const DiscoveryOut = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  state: Type.Enum(['running', 'done', 'cancelled', 'failed']),
  total: Type.Integer(),
  done: Type.Integer(),
  startedAt: When,
  finishedAt: NullableWhen,
  error: Type.Union([Type.String(), Type.Null()]),
  results: Type.Array(
    Type.Object({
      location: Type.Record(Type.String(), Type.Unknown()),
      identity: Type.Union([Type.Record(Type.String(), Type.String()), Type.Null()]),
      models: Type.Array(Type.String()),
      via: Type.String(),
      deviceId: Type.Union([Type.Integer(), Type.Null()]),
    }),
  ),
});

function discoveryOut(s: DiscoveryState) {
  const results = s.results.map((r) => ({
    ...r,
    identity: r.identity ?? null,
    deviceId: r.deviceId ?? null,
  }));
  return { ...s, startedAt: iso(s.startedAt), finishedAt: iso(s.finishedAt), results };
}

export function discoveryRoutes(app: FastifyInstance, d: DevicesService): void {
  const tags = ['devices'];
  app.post('/api/v1/devices/discovery', {
    config: { access: ADMIN_ONLY },
    schema: {
      summary: 'Start a Modbus discovery (TCP address list or serial scan); one at a time',
      description:
        'Admin only. Answers 202 at once; follow it with GET. One already running: 409; unknown serial ' +
        'line: 404. Found devices are only offered: nothing is added.',
      tags,
      body: DiscoveryIn,
      response: { 202: DiscoveryOut },
    },
    handler: async (request, reply) =>
      reply.code(202).send(discoveryOut(await d.discover(request.body as DiscoveryRequest))),
  });
  app.get('/api/v1/devices/discovery', {
    config: { access: ADMIN_ONLY },
    schema: {
      summary: 'Progress and results of the last discovery',
      description:
        'Admin only. Done/total and each device found: identity, matching models, configured device ' +
        'already there. No discovery yet: 404.',
      tags,
      response: { 200: DiscoveryOut },
    },
    handler: async () => {
      const s = await d.discovery();
      if (!s) throw new WattgateError(ErrorCodes.NOT_FOUND, 'no discovery has run');
      return discoveryOut(s);
    },
  });
  app.delete('/api/v1/devices/discovery', {
    config: { access: ADMIN_ONLY },
    schema: {
      summary: 'Cancel the running discovery',
      description:
        'Admin only. Answers 204, also when none is running; what it found stays readable (state cancelled).',
      tags,
    },
    handler: async (_request, reply) => {
      await d.cancelDiscovery();
      return reply.code(204).send();
    },
  });
}
