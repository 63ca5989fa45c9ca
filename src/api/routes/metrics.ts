/**
 * Prometheus metrics (PRODUCT X2; issue 15 item 8) at `/metrics`, in the
 * text exposition format 0.0.4: the same figures as Diagnostics — the Modbus
 * server's counters and connections, each serial line's counters, queue and
 * backed-off slaves, each downstream TCP endpoint's counters and connection,
 * each device's polls and state (GET /api/v1/devices) and its Modbus
 * counters (`devices` of GET /api/v1/diagnostics/modbus), labelled
 * `device_id` and `device` (its name), the process's memory and each
 * thread's heap and event-loop delay, and the health status. Any role, by
 * API token (what a Prometheus server holds) or session; never public.
 * Counter names are the diagnostics' keys in snake_case: `requests` →
 * `wattgate_modbus_server_requests_total`.
 */
import type { FastifyInstance } from 'fastify';
import type { DeviceView } from '../../acquisition/service.js';
import { COMM_STATES } from '../../acquisition/status.js';
import { ANY_ROLE } from '../../security/roles.js';
import type { HealthReport } from '../../shared/health.js';
import type { Awaitable } from '../../shared/rpc.js';
import type { DiagnosticsRouteOptions } from './diagnostics.js';

/** The Diagnostics sources, the devices with their status, and the health board. */
export interface MetricsRouteOptions extends DiagnosticsRouteOptions {
  readonly health?: () => Awaitable<HealthReport>;
  readonly devices?: () => Awaitable<ReadonlyArray<Pick<DeviceView, 'device' | 'status'>>>;
}

/** `pendingCapRejected` → `pending_cap_rejected`. */
export const snake = (key: string) => key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();

/** A label value as the format wants it: backslash, double quote and line feed escaped. */
export const labelValue = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

type Labels = Record<string, string>;

class Exposition {
  readonly #families = new Map<string, { type: string; help: string; lines: string[] }>();

  add(name: string, type: 'counter' | 'gauge', help: string, value: number, labels: Labels = {}): void {
    let f = this.#families.get(name);
    if (!f) {
      f = { type, help, lines: [] };
      this.#families.set(name, f);
    }
    const l = Object.entries(labels)
      .map(([k, v]) => `${k}="${labelValue(v)}"`)
      .join(',');
    f.lines.push(`${name}${l ? `{${l}}` : ''} ${Number.isFinite(value) ? value : 0}`);
  }

  /** Every counter of `counters` (names starting with `max` are gauges: highest values seen). */
  counters(prefix: string, what: string, counters: Record<string, number>, labels: Labels = {}): void {
    for (const [k, v] of Object.entries(counters)) {
      if (k.startsWith('max')) this.add(`${prefix}_${snake(k)}`, 'gauge', `${what}: ${k}`, v, labels);
      else this.add(`${prefix}_${snake(k)}_total`, 'counter', `${what}: ${k}`, v, labels);
    }
  }

  text(): string {
    const out: string[] = [];
    for (const [name, f] of this.#families) {
      // A counter family's HELP/TYPE name the metric without its _total suffix (OpenMetrics-compatible).
      out.push(`# HELP ${name} ${f.help}`, `# TYPE ${name} ${f.type}`, ...f.lines);
    }
    return `${out.join('\n')}\n`;
  }
}

const deviceLabels = (id: number, name: string): Labels => ({ device_id: String(id), device: name });

/** Each device's polls and communication state (acquisition/status.ts). */
function devicePolls(m: Exposition, views: ReadonlyArray<Pick<DeviceView, 'device' | 'status'>>): void {
  for (const { device, status: s } of views) {
    const l = deviceLabels(device.id, device.name);
    m.add(
      'wattgate_device_polls_total',
      'counter',
      'polls made (sampling and live), failed ones included',
      s.polls,
      l,
    );
    m.add('wattgate_device_poll_failures_total', 'counter', 'polls failed on communication', s.failures, l);
    m.add(
      'wattgate_device_polls_skipped_total',
      'counter',
      'polls not made: the previous one still running, or backed off',
      s.skipped,
      l,
    );
    m.add('wattgate_device_consecutive_failures', 'gauge', 'failed polls in a row', s.consecutiveFailures, l);
    if (s.lastDurationMs !== null)
      m.add('wattgate_device_last_poll_duration_seconds', 'gauge', 'last poll', s.lastDurationMs / 1000, l);
    if (s.lastSuccessAt !== null)
      m.add(
        'wattgate_device_last_success_timestamp_seconds',
        'gauge',
        'last successful poll, Unix time',
        s.lastSuccessAt / 1000,
        l,
      );
    for (const state of COMM_STATES) {
      const on = s.state === state ? 1 : 0;
      m.add('wattgate_device_state', 'gauge', 'communication state (1: the current one)', on, {
        ...l,
        state,
      });
    }
  }
}

const HEALTH = { nominal: 0, ok: 0, degraded: 1, 'out-of-order': 2 } as Record<string, number>;

export async function metricsRoutes(app: FastifyInstance, opts: MetricsRouteOptions): Promise<void> {
  app.get('/metrics', {
    config: { access: ANY_ROLE, kind: 'api' },
    schema: {
      summary: 'Prometheus metrics (text format 0.0.4): the Diagnostics figures',
      tags: ['diagnostics'],
    },
    handler: async (_request, reply) => {
      const m = new Exposition();
      const d = await opts.modbus();
      m.counters('wattgate_modbus_server', 'Modbus TCP server', d.server.counters);
      for (const [code, n] of Object.entries(d.server.exceptions))
        m.add('wattgate_modbus_server_exceptions_total', 'counter', 'answers by exception code', n, { code });
      m.add('wattgate_modbus_server_connections', 'gauge', 'clients connected', d.server.connections.current);
      m.add(
        'wattgate_modbus_server_listeners',
        'gauge',
        'listening endpoints',
        d.server.connections.listening,
      );
      m.add(
        'wattgate_modbus_server_accepted_total',
        'counter',
        'connections accepted',
        d.server.connections.accepted,
      );
      for (const l of d.serialLines) {
        const line = { line: l.name };
        m.counters('wattgate_serial_line', 'serial line', l.counters, line);
        m.add('wattgate_serial_line_open', 'gauge', 'port open (1) or not (0)', l.open ? 1 : 0, line);
        m.add('wattgate_serial_line_queue_depth', 'gauge', 'requests waiting', l.queueDepth, line);
        m.add(
          'wattgate_serial_line_backed_off_slaves',
          'gauge',
          'slaves backed off',
          l.backedOffSlaves.length,
          line,
        );
      }
      for (const e of d.tcpEndpoints) {
        const endpoint = { endpoint: e.endpoint };
        m.counters('wattgate_tcp_endpoint', 'downstream Modbus TCP endpoint', e.counters, endpoint);
        m.add(
          'wattgate_tcp_endpoint_connected',
          'gauge',
          'connected (1) or not (0)',
          e.connected ? 1 : 0,
          endpoint,
        );
        m.add('wattgate_tcp_endpoint_queue_depth', 'gauge', 'requests waiting', e.queueDepth, endpoint);
      }
      for (const dev of d.devices) {
        if (dev.counters === null) continue;
        const l = deviceLabels(dev.deviceId, dev.name);
        m.counters(
          'wattgate_device_modbus',
          "the device's unit on its serial line or TCP endpoint",
          dev.counters,
          l,
        );
      }
      devicePolls(m, (await opts.devices?.()) ?? []);
      const p = await opts.process?.();
      if (p) {
        m.add(
          'wattgate_process_resident_memory_bytes',
          'gauge',
          'resident memory',
          Math.max(p.main.rssBytes, p.web.rssBytes),
        );
        for (const [thread, t] of Object.entries(p)) {
          m.add('wattgate_thread_heap_used_bytes', 'gauge', 'V8 heap used', t.heapUsedBytes, { thread });
          m.add(
            'wattgate_event_loop_delay_p99_seconds',
            'gauge',
            'event-loop delay p99, last 10 s',
            t.loop.p99Ms / 1000,
            { thread },
          );
          m.add(
            'wattgate_event_loop_delay_max_seconds',
            'gauge',
            'event-loop delay max, last 10 s',
            t.loop.maxMs / 1000,
            { thread },
          );
        }
      }
      const h = await opts.health?.();
      if (h)
        m.add('wattgate_health_status', 'gauge', '0 ok, 1 degraded, 2 out of order', HEALTH[h.status] ?? 2);
      return reply.type('text/plain; version=0.0.4; charset=utf-8').send(m.text());
    },
  });
}
