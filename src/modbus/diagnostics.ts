/**
 * Diagnostics of the Modbus path as plain data (issue 14: the dead-slave
 * back-off is visible in Diagnostics and metrics): the upstream server's
 * counters and connections, each serial line's queue, counters and
 * backed-off slaves (with their probes), each downstream TCP endpoint's
 * connection, and each configured wired device's counters (issue 15 item 4:
 * its slave's on its serial line, its unit id's on its TCP endpoint —
 * unit-counters.ts — whoever asked: upstream clients and the poller). Built
 * on the main thread from live stats (no I/O) and sent to the web thread as
 * it is (`GET /api/v1/diagnostics/modbus`). Times are ISO 8601 UTC.
 */
import type { DeviceConfig } from '../config/schema-devices.js';
import type { ModbusGateway } from './gateway.js';
import type { TcpMasterPool } from './tcp-pool.js';

export interface SlaveBackoffView {
  readonly unit: number;
  readonly since: string;
  readonly until: string;
  readonly remainingMs: number;
  readonly periods: number;
  readonly probing: boolean;
  readonly probeDue: boolean;
  readonly lastProbe: { readonly at: string; readonly result: string } | null;
}

export interface SerialLineView {
  readonly name: string;
  readonly enabled: boolean;
  readonly open: boolean;
  readonly queueDepth: number;
  readonly inFlight: number;
  readonly counters: Record<string, number>;
  readonly backedOffSlaves: readonly number[];
  readonly slaveBackoff: readonly SlaveBackoffView[];
  readonly lastProbe: { readonly unit: number; readonly at: string; readonly result: string } | null;
}

export interface TcpEndpointView {
  readonly endpoint: string;
  readonly connected: boolean;
  readonly queueDepth: number;
  readonly inFlight: number;
  readonly counters: Record<string, number>;
}

/** A wired device (serial or TCP) of `devices.list` and the counters of its link for its unit. */
export interface DeviceLinkView {
  readonly deviceId: number;
  readonly name: string;
  readonly kind: 'serial' | 'tcp';
  /** The serial line's name, or the TCP endpoint as host:port. */
  readonly via: string;
  /** Its slave address on the line, or its unit id on the endpoint. */
  readonly unit: number;
  /** The line is open, or the endpoint connected. */
  readonly connected: boolean;
  /**
   * requests, responses, exceptions, timeouts (and crcErrors on a serial line) since the line
   * or the endpoint's connection object was made; null when there is none now (no such line,
   * or no device nor gateway route uses the endpoint).
   */
  readonly counters: Record<string, number> | null;
}

export interface ModbusDiagnostics {
  readonly server: {
    readonly counters: Record<string, number>;
    readonly exceptions: Record<string, number>;
    readonly connections: {
      readonly current: number;
      readonly listening: number;
      readonly accepted: number;
      readonly refused: Record<string, number>;
      readonly closed: Record<string, number>;
    };
  };
  readonly serialLines: readonly SerialLineView[];
  readonly tcpEndpoints: readonly TcpEndpointView[];
  readonly devices: readonly DeviceLinkView[];
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The numeric fields of a stats object, without the ones listed. */
function numbers(o: object, without: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(o)) if (typeof v === 'number' && !without.includes(k)) out[k] = v;
  return out;
}

/** Each wired device's counters, in `devices.list` order (wireless devices have no Modbus link). */
export function deviceLinks(
  gateway: ModbusGateway,
  pool: TcpMasterPool,
  devices: readonly DeviceConfig[],
): DeviceLinkView[] {
  const out: DeviceLinkView[] = [];
  const lines = gateway.serialLines();
  for (const d of devices) {
    const loc = d.location;
    const base = { deviceId: d.id, name: d.name };
    if (loc.kind === 'serial') {
      const line = lines.find((l) => l.name === loc.line);
      const counters = line ? { ...line.unitStats(loc.slave) } : null;
      const connected = line?.stats.open ?? false;
      out.push({ ...base, kind: 'serial', via: loc.line, unit: loc.slave, connected, counters });
    } else if (loc.kind === 'tcp') {
      const master = pool.peek(loc.host, loc.port);
      const counters = master ? { ...master.unitStats(loc.unit) } : null;
      const via = `${loc.host}:${loc.port}`;
      const connected = master?.stats.connected ?? false;
      out.push({ ...base, kind: 'tcp', via, unit: loc.unit, connected, counters });
    }
  }
  return out;
}

export function modbusDiagnostics(
  gateway: ModbusGateway,
  pool: TcpMasterPool,
  devices: readonly DeviceConfig[] = [],
): ModbusDiagnostics {
  const s = gateway.stats;
  const { connections: c } = s;
  return {
    server: {
      counters: numbers(s, []),
      exceptions: { ...s.exceptions },
      connections: {
        current: c.current,
        listening: c.listening,
        accepted: c.accepted,
        refused: { ...c.refused },
        closed: { ...c.closed },
      },
    },
    serialLines: gateway.serialLines().map((line): SerialLineView => {
      const st = line.stats;
      return {
        name: line.name,
        enabled: line.config.enabled,
        open: st.open,
        queueDepth: st.queueDepth,
        inFlight: st.inFlight,
        counters: numbers(st, ['queueDepth', 'inFlight']),
        backedOffSlaves: [...st.backedOffSlaves],
        slaveBackoff: st.slaveBackoff.map((b) => ({
          unit: b.unit,
          since: iso(b.since),
          until: iso(b.until),
          remainingMs: b.remainingMs,
          periods: b.periods,
          probing: b.probing,
          probeDue: b.probeDue,
          lastProbe: b.lastProbe === null ? null : { at: iso(b.lastProbe.at), result: b.lastProbe.result },
        })),
        lastProbe:
          st.lastProbe === null
            ? null
            : { unit: st.lastProbe.unit, at: iso(st.lastProbe.at), result: st.lastProbe.result },
      };
    }),
    tcpEndpoints: pool.list().map(({ name, stats }) => ({
      endpoint: name,
      connected: stats.connected,
      queueDepth: stats.queueDepth,
      inFlight: stats.inFlight,
      counters: numbers(stats, ['queueDepth', 'inFlight']),
    })),
    devices: deviceLinks(gateway, pool, devices),
  };
}
