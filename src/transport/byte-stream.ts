/**
 * The one duplex shape every transport exposes (ARCHITECTURE convention 2): an
 * accepted TCP connection, an outgoing TCP connection and (later) a serial line
 * all look like a `ByteStream`, so the Modbus layer above does not care which.
 *
 * A stream moves bytes and knows nothing of Modbus. It carries two timers the
 * protocol layer relies on: the idle timeout (configured by the owner) and the
 * frame deadline (`armDeadline` / `disarmDeadline`, driven by the frame parser).
 */
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';

/** Why a stream closed. Stable strings: used as stats keys and metric labels. */
export const CloseReasons = {
  /** No byte received for `idleTimeoutMs`. */
  IDLE: 'idle',
  /** A frame did not complete within the deadline armed at its first byte (SEC-H3). */
  FRAME_DEADLINE: 'frame-deadline',
  /** The peer closed or reset the connection. */
  PEER: 'peer',
  /** A socket error other than a reset (logged at debug). */
  ERROR: 'error',
  /** The owning server stopped. */
  SERVER_STOP: 'server-stop',
  /** The endpoint the connection came through was switched off (G1, SEC-G2). */
  ENDPOINT_REMOVED: 'endpoint-removed',
  /** The endpoint's allow list changed and no longer admits this source (G10). */
  ALLOW_LIST: 'allow-list',
  /** The peer does not read its replies: unsent bytes exceeded `maxWriteBufferBytes`. */
  WRITE_OVERFLOW: 'write-overflow',
  /** Closed by the protocol layer or the owner without a more precise reason. */
  LOCAL: 'local',
} as const;

export type CloseReason = (typeof CloseReasons)[keyof typeof CloseReasons];

/** The slice of the part context (convention 8) that transports use. */
export interface TransportContext {
  readonly clock: Clock;
  readonly log: Logger;
}

export interface ByteStream {
  /** Process-unique id, for logs and correlation. */
  readonly id: number;
  /** The peer as `address:port` (`[v6]:port`); IPv4-mapped IPv6 shown as IPv4. */
  readonly remote: string;
  /** The local side as `address:port` (the endpoint for accepted connections). */
  readonly local: string;
  /** True until the stream closes, whoever closes it. */
  readonly isOpen: boolean;
  /**
   * Queues bytes for sending. Returns false (and drops the bytes) when the stream
   * is closed. Flow control is the transport's job, not the caller's: see
   * `SocketStreamOptions.writeHighWaterBytes`.
   */
  write(bytes: Uint8Array): boolean;
  /**
   * Closes at once, discarding unsent bytes; idempotent. `reason` defaults to
   * 'local'; prefer a short stable kebab-case word (it becomes a stats key).
   */
  close(reason?: string): void;
  /** Subscribes to received chunks (chunk boundaries carry no meaning). Returns an unsubscribe. */
  onData(fn: (bytes: Uint8Array) => void): () => void;
  /**
   * Subscribes to the close, which fires exactly once, synchronously from whatever
   * closed the stream. Subscribing after the close calls `fn` on a microtask.
   */
  onClose(fn: (reason: string) => void): () => void;
  /**
   * Starts the frame deadline: unless `disarmDeadline` is called within `ms`, the
   * stream closes with reason 'frame-deadline'. Arming while armed keeps the
   * earlier deadline (a trickle of bytes never extends it).
   */
  armDeadline(ms: number): void;
  /** Cancels the frame deadline (the frame completed); harmless when not armed. */
  disarmDeadline(): void;
}
