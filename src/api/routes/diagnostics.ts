/**
 * Diagnostics of the Modbus path (issue 14, PRODUCT G5): the upstream
 * server's counters and connections, each serial line's queue, counters and
 * dead-slave back-off (which slaves, since when, until when, the probes),
 * each downstream TCP endpoint's connection, each wired device's counters
 * (requests, responses, exceptions, timeouts, CRC errors of its unit on its
 * line or endpoint; its polls are in GET /api/v1/devices) — the same figures the
 * Diagnostics page shows and a monitoring system polls. Readable by every
 * role (no configuration, no secret); the data comes from the main thread's
 * live stats (modbus/diagnostics.ts), not from storage.
 */
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import type { ModbusDiagnostics } from '../../modbus/diagnostics.js';
import { ANY_ROLE } from '../../security/roles.js';
import type { ThreadStats } from '../../shared/process-stats.js';
import type { Awaitable } from '../../shared/rpc.js';

export interface DiagnosticsRouteOptions {
  readonly modbus: () => Awaitable<ModbusDiagnostics>;
  /** Each thread's heap and event-loop delay (main: Modbus; web: HTTPS); the route exists only when given. */
  readonly process?: () => Awaitable<{ main: ThreadStats; web: ThreadStats }>;
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
const DeviceLink = Type.Object({
  deviceId: Type.Integer({ description: 'the device in /api/v1/devices' }),
  name: Type.String(),
  kind: Type.Enum(['serial', 'tcp']),
  via: Type.String({ description: 'serial line name, or TCP endpoint host:port' }),
  unit: Type.Integer({ description: 'slave address on the line, or unit id on the endpoint' }),
  connected: Type.Boolean({ description: 'the line is open, or the endpoint connected' }),
  counters: Type.Union([Counts, Type.Null()], {
    description:
      'requests, responses, exceptions, timeouts (crcErrors: serial) of this unit, whoever asked; null: no line or connection object now',
  }),
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
  devices: Type.Array(DeviceLink),
});

const Loop = Type.Object({
  windowMs: Type.Integer({ description: 'the window p50/p99/max describe (0 before the first ends)' }),
  p50Ms: Type.Number(),
  p99Ms: Type.Number(),
  maxMs: Type.Number(),
  maxSinceStartMs: Type.Number(),
});
const Thread = Type.Object({
  heapUsedBytes: Type.Integer(),
  heapTotalBytes: Type.Integer(),
  loop: Loop,
});
const ProcessOut = Type.Object({
  rssBytes: Type.Integer({ description: 'resident memory of the whole process' }),
  uptimeS: Type.Integer(),
  threads: Type.Object({ main: Thread, web: Thread }),
});

export async function diagnosticsRoutes(app: FastifyInstance, opts: DiagnosticsRouteOptions): Promise<void> {
  const stats = opts.process;
  if (stats)
    app.get('/api/v1/diagnostics/process', {
      config: { access: ANY_ROLE },
      schema: {
        summary:
          "The process's memory and each thread's heap and event-loop delay (Modbus: main; HTTPS: web)",
        description:
          'Any role. Resident memory of the whole process, its uptime, and for each thread the heap used ' +
          'and allocated and the event-loop delay (p50, p99 and max over the last window, max since start).',
        tags: ['diagnostics'],
        response: { 200: ProcessOut },
      },
      handler: async () => {
        const { main, web } = await stats();
        const thread = (t: ThreadStats) => ({
          heapUsedBytes: t.heapUsedBytes,
          heapTotalBytes: t.heapTotalBytes,
          loop: t.loop,
        });
        return {
          rssBytes: Math.max(main.rssBytes, web.rssBytes),
          uptimeS: Math.floor(process.uptime()),
          threads: { main: thread(main), web: thread(web) },
        };
      },
    });
  app.get('/api/v1/diagnostics/modbus', {
    config: { access: ANY_ROLE },
    schema: {
      summary:
        'Modbus diagnostics: server counters, serial lines (queue, back-off of dead slaves), TCP endpoints, wired devices',
      description:
        'Any role; the figures the Diagnostics page shows, live from the Modbus thread (not stored). Each ' +
        "serial line's dead slaves say since when, until when and the last probe; each wired device's " +
        'counters are those of its unit on its line or endpoint (its polls are in GET /api/v1/devices).',
      tags: ['diagnostics'],
      response: { 200: ModbusOut },
    },
    handler: async () => opts.modbus(),
  });
}
