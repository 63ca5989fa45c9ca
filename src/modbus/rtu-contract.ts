/**
 * The RTU master's contract (rtu-master.ts): the link it drives, its settings
 * (a serial line's configuration, config/schema.ts), its options with their
 * defaults, the per-request options (the poller's `priority: 'low'` hook) and
 * its per-line statistics (for the X2 metrics later).
 */

import type { ByteStream } from '../transport/byte-stream.js';
import type { SlaveHealthOptions } from './rtu-policy.js';
import type { Priority } from './rtu-queue.js';

/** What the master needs of a link: TcpClient and SerialLine both fit (through a small adapter). */
export interface RtuLink {
  readonly state: 'idle' | 'connecting' | 'connected' | 'waiting' | 'closed';
  start(): void;
  close(): void;
  onConnection(fn: (stream: ByteStream) => void): () => void;
  onConnectFailed(fn: () => void): () => void;
}

export interface RtuMasterSettings {
  readonly name: string;
  readonly baud: number;
  readonly timeoutMs: number;
  readonly retries: number;
  readonly retryWrites: boolean;
  readonly pauseMs: number;
  readonly maxQueue: number;
  readonly queueTimeoutMs: number;
  readonly broadcastDelayMs: number;
}

export interface RtuMasterOptions {
  readonly health?: SlaveHealthOptions;
  /** Silence required after a failed attempt (late replies drain); default 100 ms. */
  readonly drainMs?: number;
  readonly corruptSilenceMs?: number;
}

export interface RtuRequestOptions {
  /** 'high' (default): upstream clients; 'low': background work (the poller). */
  readonly priority?: Priority;
  readonly signal?: AbortSignal;
}

export const RTU_COUNTERS = [
  'requests',
  'responses',
  'timeouts',
  'crcErrors',
  'corruptFailures',
  'retries',
  'badReplies',
  'busy',
  'aborted',
  'expired',
  'backedOff',
  'unavailable',
  'broadcasts',
  'maxQueueDepth',
] as const;
export type RtuCounters = Record<(typeof RTU_COUNTERS)[number], number>;

/** Per-line counters since start (for X2 metrics), with the wire's and the live state. */
export type RtuMasterStats = Readonly<RtuCounters> & {
  /** Frames written (attempts and broadcasts). */
  readonly sent: number;
  readonly wrongAddress: number;
  readonly garbageBytes: number;
  readonly lateBytes: number;
  readonly queueDepth: number;
  readonly inFlight: 0 | 1;
  readonly open: boolean;
  readonly backedOffSlaves: readonly number[];
};
