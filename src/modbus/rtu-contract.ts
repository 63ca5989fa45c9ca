/**
 * The RTU master's contract (rtu-master.ts): the link it drives, its settings
 * (a serial line's configuration, config/schema.ts), its options with their
 * defaults, the per-request options (the poller's `priority: 'low'` hook, the
 * upstream `client` for fair sharing) and its per-line statistics (for the X2
 * metrics, the Diagnostics page and Prometheus): counters since start, the
 * live state, and the dead-slave back-off state (`slaveBackoff`, `lastProbe`;
 * rules in rtu-policy.ts).
 */

import type { ByteStream } from '../transport/byte-stream.js';
import type { ProbeResult, SlaveHealthOptions } from './rtu-policy.js';
import type { Priority } from './rtu-queue.js';

export type { ProbeResult } from './rtu-policy.js';

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
  /** Dead-slave back-off: deadAfter 3 counted silences, periods 1 s doubling to 60 s. */
  readonly health?: SlaveHealthOptions;
  /** The probe of every backed-off slave; default: per slave, rtu-policy.ts's choice. */
  readonly probePdu?: Uint8Array;
  /** Silence required after a failed attempt (late replies drain); default 100 ms. */
  readonly drainMs?: number;
  readonly corruptSilenceMs?: number;
}

export interface RtuRequestOptions {
  /** 'high' (default): upstream clients; 'low': background work (the poller). */
  readonly priority?: Priority;
  readonly signal?: AbortSignal;
  /** Who asks (the upstream connection): 'high' requests of different clients are served in turn. */
  readonly client?: string;
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
  'slaveBackoffs',
  'probes',
  'probesAnswered',
] as const;
export type RtuCounters = Record<(typeof RTU_COUNTERS)[number], number>;

/** One backed-off slave of the line. Times are wall-clock ms since the epoch (UTC). */
export interface SlaveBackoffState {
  readonly unit: number;
  /** When it was backed off (the `deadAfter`-th counted silence). */
  readonly since: number;
  /** When the current period ends and its probe is due. */
  readonly until: number;
  /** Milliseconds left in the current period; 0 once it is over (probe queued, on the wire, or not wanted). */
  readonly remainingMs: number;
  /** Back-off periods in a row, the current one included (1, 2, …). */
  readonly periods: number;
  /** Its probe is queued or on the wire now. */
  readonly probing: boolean;
  /**
   * A probe goes when the period ends: the first period, or a request for the slave came since the
   * last probe. false while its probe is out, or when nobody asked for it: then the first request
   * (still answered 0x0B) sends the probe, at once if the period is over.
   */
  readonly probeDue: boolean;
  /** The last probe of this back-off ('silent' or 'not-sent': 'alive' ends it); null before the first. */
  readonly lastProbe: { readonly at: number; readonly result: ProbeResult } | null;
}

/** The line's last probe, whichever slave it was for; `at`: wall-clock ms. */
export interface ProbeRecord {
  readonly unit: number;
  readonly at: number;
  readonly result: ProbeResult;
}

/**
 * Per-line counters since start (for X2 metrics), with the wire's and the live state.
 * Counters of the back-off: `backedOff` (requests failed fast), `slaveBackoffs`
 * (times a slave was backed off), `probes` (probes sent on the line),
 * `probesAnswered` (probes that ended a back-off).
 */
export type RtuMasterStats = Readonly<RtuCounters> & {
  /** Frames written (attempts, probes and broadcasts). */
  readonly sent: number;
  readonly wrongAddress: number;
  readonly garbageBytes: number;
  readonly lateBytes: number;
  readonly queueDepth: number;
  readonly inFlight: 0 | 1;
  readonly open: boolean;
  /** Units backed off now (their requests fail fast with 0x0B), ascending. */
  readonly backedOffSlaves: readonly number[];
  /** The same slaves in detail, ascending unit. */
  readonly slaveBackoff: readonly SlaveBackoffState[];
  /** The line's last probe; null when none was made since start. */
  readonly lastProbe: ProbeRecord | null;
};
