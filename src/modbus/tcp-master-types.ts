/**
 * The types, options, job, counters and reply check of the Modbus TCP master
 * (tcp-master.ts), apart from its state machine.
 */
import { decodeResponse, type ModbusRequest } from '../protocol/modbus/index.js';
import type { Clock } from '../shared/clock.js';
import type { WattgateError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import type { BackoffOptions } from '../transport/backoff.js';

export const TCP_MASTER_DEFAULTS = { maxInFlight: 16, maxQueue: 64, connectTimeoutMs: 3000 } as const;

export interface TcpMasterOptions {
  /** Requests pipelined on the connection; default 16. */
  readonly maxInFlight?: number;
  /** Requests waiting to be sent; one more → BUSY. Default 64. */
  readonly maxQueue?: number;
  /** One connection attempt; default 3000 ms. */
  readonly connectTimeoutMs?: number;
  readonly backoff?: BackoffOptions;
  readonly stableAfterMs?: number;
  /** How long a timed-out transaction id stays reserved; default 30 000 ms. */
  readonly quarantineMs?: number;
}

export interface TcpEndpointConfig {
  /** For logs and error messages. */
  readonly name: string;
  readonly host: string;
  readonly port: number;
}

export interface MasterRequest {
  /** The unit id in the MBAP header (the downstream device's own unit id). */
  readonly unitId: number;
  /** The request PDU, function code first, sent byte-identical. */
  readonly pdu: Uint8Array;
  /** The decoded request, to check the reply's body; undefined for raw forwarding. */
  readonly request: ModbusRequest | undefined;
  readonly signal: AbortSignal;
  /** Bounds the wait in the queue and, once sent, the wait for the reply. */
  readonly timeoutMs: number;
  /** 'high' (default): upstream clients; 'low': background polling, sent after every waiting 'high'. */
  readonly priority?: 'high' | 'low';
}

/** One request; also its own expectation in Transactions (unit id and function code of the reply). */
export interface Job {
  readonly req: MasterRequest;
  readonly unitId: number;
  readonly fc: number;
  readonly resolve: (pdu: Uint8Array) => void;
  readonly reject: (error: WattgateError) => void;
  settled: boolean;
  /** While queued: the monotonic time its wait in the queue ends. */
  queuedUntil: number;
  /** Enqueue order (queue timeouts due at the same time settle in this order). */
  seq: number;
  /** Its transaction id once sent. */
  id: number;
}

/**
 * Counters since start: requests (handed to `request`), sent, responses,
 * timeouts, busy, unavailable, aborted; lateReplies (to a timed-out request,
 * dropped); strayReplies (unknown id, wrong unit or function, other protocol
 * id: dropped); badReplies (well-framed, not an answer: 0x04); resets (stream
 * not delimitable or frame deadline); connects, reconnects; maxQueueDepth.
 */
const REQUEST_COUNTERS = ['requests', 'sent', 'responses', 'timeouts', 'busy', 'unavailable'] as const;
const LINK_COUNTERS = ['aborted', 'lateReplies', 'strayReplies', 'badReplies', 'resets', 'connects'] as const;
export const COUNTERS = [...REQUEST_COUNTERS, ...LINK_COUNTERS, 'reconnects', 'maxQueueDepth'] as const;

export type Counters = Record<(typeof COUNTERS)[number], number>;

export type TcpMasterStats = Readonly<Counters> & {
  readonly connected: boolean;
  readonly queueDepth: number;
  readonly inFlight: number;
};

export interface TcpMasterContext {
  readonly log: Logger;
  readonly clock: Clock;
}

/**
 * `decodeResponse(pdu, request).ok` for a reply whose function code matches
 * the request (no exception flag), without decoding the values: the reads
 * (FC 1–4), the common forwarded case, are checked on their byte count and
 * length alone, exactly the checks decodeResponse makes for them; every other
 * request goes through decodeResponse.
 */
export function answersRequest(pdu: Uint8Array, request: ModbusRequest): boolean {
  if (pdu[0] === request.fc) {
    if (request.kind === 'read-registers') {
      const count = 2 * request.quantity;
      return pdu[1] === count && pdu.length === 2 + count;
    }
    if (request.kind === 'read-bits') {
      const count = Math.ceil(request.quantity / 8);
      return pdu[1] === count && pdu.length === 2 + count;
    }
  }
  return decodeResponse(pdu, request).ok;
}
