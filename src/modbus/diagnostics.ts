/**
 * Diagnostics of the Modbus path as plain data (issue 14: the dead-slave
 * back-off is visible in Diagnostics and metrics): the upstream server's
 * counters and connections, each serial line's queue, counters and
 * backed-off slaves (with their probes), each downstream TCP endpoint's
 * connection. Built on the main thread from live stats (no I/O) and sent to
 * the web thread as it is (`GET /api/v1/diagnostics/modbus`). Times are ISO
 * 8601 UTC.
 */
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
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The numeric fields of a stats object, without the ones listed. */
function numbers(o: object, without: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(o)) if (typeof v === 'number' && !without.includes(k)) out[k] = v;
  return out;
}

export function modbusDiagnostics(gateway: ModbusGateway, pool: TcpMasterPool): ModbusDiagnostics {
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
  };
}
