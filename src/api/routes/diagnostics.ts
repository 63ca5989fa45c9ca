/**
 * Diagnostics of the Modbus path (issue 14, PRODUCT G5): the upstream
 * server's counters and connections, each serial line's queue, counters and
 * dead-slave back-off (which slaves, since when, until when, the probes),
 * each downstream TCP endpoint's connection — the same figures the
 * Diagnostics page shows and a monitoring system polls. Readable by every
 * role (no configuration, no secret); the data comes from the main thread's
 * live stats (modbus/diagnostics.ts), not from storage.
 */
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import type { ModbusDiagnostics } from '../../modbus/diagnostics.js';
import { ANY_ROLE } from '../../security/roles.js';
import type { Awaitable } from '../../shared/rpc.js';

export interface DiagnosticsRouteOptions {
  readonly modbus: () => Awaitable<ModbusDiagnostics>;
}

const Counts = Type.Record(Type.String(), Type.Number());
const When = Type.String({ description: 'ISO 8601 UTC' });
const ProbeResult = Type.Enum(['alive', 'silent', 'not-sent']);
const Backoff = Type.Object({
  unit: Type.Integer(),
  since: When,
  until: Type.String({ description: 'ISO 8601 UTC: end of the current period, when the probe is due' }),
  remainingMs: Type.Integer({ minimum: 0 }),
  periods: Type.Integer({ minimum: 1, description: 'back-off periods in a row (1 s, 2 s … 60 s)' }),
  probing: Type.Boolean(),
  probeDue: Type.Boolean({ description: 'a probe goes when the period ends' }),
  lastProbe: Type.Union([Type.Object({ at: When, result: ProbeResult }), Type.Null()]),
});
const SerialLine = Type.Object({
  name: Type.String(),
  enabled: Type.Boolean(),
  open: Type.Boolean(),
  queueDepth: Type.Integer(),
  inFlight: Type.Integer(),
  counters: Counts,
  backedOffSlaves: Type.Array(Type.Integer()),
  slaveBackoff: Type.Array(Backoff),
  lastProbe: Type.Union([Type.Object({ unit: Type.Integer(), at: When, result: ProbeResult }), Type.Null()]),
});
const TcpEndpoint = Type.Object({
  endpoint: Type.String({ description: 'host:port' }),
  connected: Type.Boolean(),
  queueDepth: Type.Integer(),
  inFlight: Type.Integer(),
  counters: Counts,
});
const ModbusOut = Type.Object({
  server: Type.Object({
    counters: Counts,
    exceptions: Type.Record(Type.String(), Type.Number(), { description: 'answers by exception code' }),
    connections: Type.Object({
      current: Type.Integer(),
      listening: Type.Integer(),
      accepted: Type.Integer(),
      refused: Counts,
      closed: Counts,
    }),
  }),
  serialLines: Type.Array(SerialLine),
  tcpEndpoints: Type.Array(TcpEndpoint),
});

export async function diagnosticsRoutes(app: FastifyInstance, opts: DiagnosticsRouteOptions): Promise<void> {
  app.get('/api/v1/diagnostics/modbus', {
    config: { access: ANY_ROLE },
    schema: {
      summary:
        'Modbus diagnostics: server counters, serial lines (queue, back-off of dead slaves), TCP endpoints',
      tags: ['diagnostics'],
      response: { 200: ModbusOut },
    },
    handler: async () => opts.modbus(),
  });
}
