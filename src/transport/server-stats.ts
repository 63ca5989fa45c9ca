/**
 * Counters of one TCP server, exposed as a plain object (later Prometheus
 * metrics, PRODUCT X2). Refusals and closes are keyed by stable reason strings;
 * every known reason is present from the start (zero), so a metrics exporter
 * sees a fixed label set. Protocol-chosen close reasons are added as they occur.
 */
import { CloseReasons } from './byte-stream.js';

export const RefusalReasons = {
  /** `maxConnections` reached. */
  TOTAL_CAP: 'total-cap',
  /** `maxConnectionsPerSource` reached for the peer's address. */
  SOURCE_CAP: 'source-cap',
  /** The endpoint has an allow list and the peer's address is not on it. */
  ALLOW_LIST: 'allow-list',
} as const;

export type RefusalReason = (typeof RefusalReasons)[keyof typeof RefusalReasons];

export interface TcpServerStats {
  /** Connections admitted since construction. */
  accepted: number;
  /** Connections closed at accept time, with no byte sent, by reason. */
  refused: Record<RefusalReason, number>;
  /** Admitted connections that ended, by close reason. */
  closed: Record<string, number>;
  /** Admitted connections open now. */
  current: number;
  /** Endpoints listening now. */
  listening: number;
}

export function emptyStats(): TcpServerStats {
  const refused = Object.fromEntries(Object.values(RefusalReasons).map((r) => [r, 0]));
  const closed = Object.fromEntries(Object.values(CloseReasons).map((r) => [r, 0]));
  return { accepted: 0, refused: refused as Record<RefusalReason, number>, closed, current: 0, listening: 0 };
}

export function copyStats(s: TcpServerStats): TcpServerStats {
  return { ...s, refused: { ...s.refused }, closed: { ...s.closed } };
}
