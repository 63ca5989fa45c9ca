/**
 * A downstream Modbus TCP device as a UnitTarget (PRODUCT G6, G4; SECURITY
 * H5/H6 carried over to TCP): `createTcpDeviceTarget(cfg, { log, clock })`.
 *
 * Connection. One TcpClient connection per device, opened at `start()` and
 * reused by every request; when it fails or drops, TcpClient retries with
 * back-off (default 500 ms doubling to 30 s, 20 % jitter; reset after 10 s up).
 *
 * Forwarding. The request PDU is sent byte-identical, in an MBAP frame with
 * unit id = cfg.unitId and our own transaction id (transactions.ts). The reply
 * is matched on transaction id AND unit id AND function code (0x80 exception
 * flag included); `handle` resolves the reply PDU only — the router adds the
 * upstream transaction id.
 *
 * Flow. Up to `maxInFlight` requests (default 16) are pipelined on the
 * connection; with cfg.oneInFlight exactly one, and its slot stays held until
 * its reply or its timeout, even when its requester went away. Others wait in
 * a FIFO of at most `maxQueue` (default 64); beyond that → BUSY (0x06).
 * A frame alone on the wire is written at once; frames sent while others are
 * in flight are written together on setImmediate (one syscall per event-loop
 * turn for many upstream connections).
 *
 * Time. cfg.timeoutMs bounds (a) the wait in the queue and (b) the wait for
 * the reply once sent, so a request settles within 2 × timeoutMs. A reply that
 * comes after its timeout is discarded (its id stays reserved), never delivered
 * to another request. Queue wait over → TIMEOUT (0x0B), or UNAVAILABLE (0x0A)
 * when no connection came up meanwhile.
 *
 * Connection down. While TcpClient waits in back-off, requests fail at once
 * with UNAVAILABLE (0x0A) — nothing is queued. While an attempt is in progress
 * (at start and after each back-off delay) requests queue and wait for it at
 * most cfg.timeoutMs; a failed attempt rejects them at once with UNAVAILABLE.
 * When a connection closes, its in-flight and queued requests fail UNAVAILABLE.
 *
 * Abort. A request whose `signal` aborts while queued is dropped at once (never
 * sent) with ABORTED; once sent, its reply is ignored and it settles ABORTED.
 *
 * Garbage. A frame with another protocol id is skipped (resync on the MBAP
 * length); a reply nobody waits for is counted and dropped; an MBAP length that
 * cannot delimit the stream, or a partial frame not completed within
 * cfg.timeoutMs, resets the connection (in-flight requests → UNAVAILABLE, then
 * reconnect with back-off). A well-framed reply whose body does not answer the
 * request (wrong byte count, echo …) is answered upstream with exception 0x04.
 *
 * Stop rejects everything pending with UNAVAILABLE and stops reconnecting.
 */
import type { TcpDeviceConfig } from '../config/schema.js';
import {
  decodeResponse,
  EXCEPTION_FLAG,
  ExceptionCodes,
  encodeException,
  encodeTcpAdu,
  type ModbusRequest,
  TcpFrameParser,
} from '../protocol/modbus/index.js';
import type { Clock, TimerHandle } from '../shared/clock.js';
import { type ErrorCode, ErrorCodes, WattgateError } from '../shared/errors.js';
import type { Part } from '../shared/lifecycle.js';
import type { Logger } from '../shared/logger.js';
import type { BackoffOptions } from '../transport/backoff.js';
import type { ByteStream } from '../transport/byte-stream.js';
import { TcpClient } from '../transport/tcp-client.js';
import { countFailure, type TargetRequest, type UnitTarget } from './target.js';
import { type Outcome, Transactions } from './transactions.js';

export const TCP_DEVICE_DEFAULTS = { maxInFlight: 16, maxQueue: 64, connectTimeoutMs: 3000 } as const;

export interface TcpDeviceOptions {
  /** Requests pipelined on the connection when cfg.oneInFlight is off; default 16. */
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

/**
 * Counters since start: requests (handed to `handle`), sent, responses,
 * timeouts, busy, unavailable, aborted; lateReplies (to a timed-out request,
 * dropped); strayReplies (unknown id, wrong unit or function, other protocol
 * id: dropped); badReplies (well-framed, not an answer: 0x04); resets (stream
 * not delimitable or frame deadline); connects, reconnects; maxQueueDepth.
 */
const REQUEST_COUNTERS = ['requests', 'sent', 'responses', 'timeouts', 'busy', 'unavailable'] as const;
const LINK_COUNTERS = ['aborted', 'lateReplies', 'strayReplies', 'badReplies', 'resets', 'connects'] as const;
const COUNTERS = [...REQUEST_COUNTERS, ...LINK_COUNTERS, 'reconnects', 'maxQueueDepth'] as const;

type Counters = Record<(typeof COUNTERS)[number], number>;

export type TcpDeviceStats = Readonly<Counters> & {
  readonly connected: boolean;
  readonly queueDepth: number;
  readonly inFlight: number;
};

export interface TcpDeviceTarget extends UnitTarget, Part {
  readonly kind: 'tcp-device';
  readonly stats: TcpDeviceStats;
}

export interface TcpDeviceContext {
  readonly log: Logger;
  readonly clock: Clock;
}

interface Job {
  readonly pdu: Uint8Array;
  readonly fc: number;
  readonly request: ModbusRequest | undefined;
  readonly signal: AbortSignal;
  readonly resolve: (pdu: Uint8Array) => void;
  readonly reject: (error: WattgateError) => void;
  settled: boolean;
  waitTimer: TimerHandle | undefined;
  onAbort: (() => void) | undefined;
}

const err = (code: ErrorCode, message: string) => new WattgateError(code, message);

export function createTcpDeviceTarget(
  cfg: TcpDeviceConfig,
  ctx: TcpDeviceContext,
  options: TcpDeviceOptions = {},
): TcpDeviceTarget {
  return new TcpDevice(cfg, ctx, options);
}

class TcpDevice implements TcpDeviceTarget {
  readonly kind = 'tcp-device' as const;
  readonly name: string;
  readonly #cfg: TcpDeviceConfig;
  readonly #ctx: TcpDeviceContext;
  readonly #log: Logger;
  readonly #options: TcpDeviceOptions;
  readonly #maxInFlight: number;
  readonly #maxQueue: number;
  readonly #tx: Transactions<Uint8Array>;
  readonly #parser = new TcpFrameParser();
  readonly #queue: Job[] = [];
  /** Frames written in this event-loop turn, flushed together (one syscall) on setImmediate. */
  #out: Uint8Array[] = [];
  #flushing = false;
  #client: TcpClient | undefined;
  #stream: ByteStream | undefined;
  #running = false;
  #c = Object.fromEntries(COUNTERS.map((k) => [k, 0])) as Counters;

  constructor(cfg: TcpDeviceConfig, ctx: TcpDeviceContext, options: TcpDeviceOptions) {
    this.name = cfg.name;
    this.#cfg = cfg;
    this.#ctx = ctx;
    this.#options = options;
    this.#log = ctx.log.child({ component: 'tcp-device', device: cfg.name });
    this.#maxInFlight = cfg.oneInFlight ? 1 : (options.maxInFlight ?? TCP_DEVICE_DEFAULTS.maxInFlight);
    this.#maxQueue = options.maxQueue ?? TCP_DEVICE_DEFAULTS.maxQueue;
    const quarantine = options.quarantineMs === undefined ? {} : { quarantineMs: options.quarantineMs };
    this.#tx = new Transactions<Uint8Array>({ clock: ctx.clock, ...quarantine });
  }

  get stats(): TcpDeviceStats {
    return {
      ...this.#c,
      connected: this.#stream !== undefined,
      queueDepth: this.#queue.length,
      inFlight: this.#tx.pending,
    };
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    const { host, port } = this.#cfg;
    const o = this.#options;
    const client = new TcpClient(this.#ctx, {
      host,
      port,
      name: `tcp-device ${this.name}`,
      connectTimeoutMs: o.connectTimeoutMs ?? TCP_DEVICE_DEFAULTS.connectTimeoutMs,
      ...(o.backoff === undefined ? {} : { backoff: o.backoff }),
      ...(o.stableAfterMs === undefined ? {} : { stableAfterMs: o.stableAfterMs }),
    });
    client.events.on('connected', (stream) => this.#attach(stream));
    client.events.on('connect-failed', () => this.#rejectQueue(ErrorCodes.UNAVAILABLE, 'cannot connect'));
    this.#client = client;
    client.start();
  }

  stop(): void {
    if (!this.#running) return;
    this.#running = false;
    const client = this.#client;
    this.#client = undefined;
    this.#stream = undefined;
    this.#tx.failAll(err(ErrorCodes.UNAVAILABLE, 'stopped'));
    this.#rejectQueue(ErrorCodes.UNAVAILABLE, 'stopped');
    client?.close();
  }

  handle(req: TargetRequest): Promise<Uint8Array> {
    this.#c.requests++;
    return new Promise<Uint8Array>((resolve, reject) => {
      const job: Job = {
        pdu: req.pdu,
        fc: req.pdu[0] ?? 0,
        request: req.request,
        signal: req.signal,
        resolve,
        reject,
        settled: false,
        waitTimer: undefined,
        onAbort: undefined,
      };
      this.#admit(job);
    });
  }

  #admit(job: Job): void {
    const refusal = this.#refusal(job);
    if (refusal !== undefined) this.#fail(job, refusal[0], refusal[1]);
    else if (this.#stream && this.#queue.length === 0 && this.#tx.pending < this.#maxInFlight) {
      this.#send(job);
    } else if (this.#queue.length >= this.#maxQueue) this.#fail(job, ErrorCodes.BUSY, 'queue full');
    else this.#enqueue(job);
  }

  #refusal(job: Job): [ErrorCode, string] | undefined {
    if (!this.#running) return [ErrorCodes.UNAVAILABLE, 'not running'];
    if (job.signal.aborted) return [ErrorCodes.ABORTED, 'aborted before send'];
    const state = this.#client?.state;
    if (state !== 'connected' && state !== 'connecting') {
      return [ErrorCodes.UNAVAILABLE, 'connection down (reconnecting with back-off)'];
    }
    return undefined;
  }

  #enqueue(job: Job): void {
    this.#queue.push(job);
    this.#c.maxQueueDepth = Math.max(this.#c.maxQueueDepth, this.#queue.length);
    job.waitTimer = this.#ctx.clock.setTimeout(() => this.#expireQueued(job), this.#cfg.timeoutMs);
    job.onAbort = () => {
      if (this.#unqueue(job)) this.#fail(job, ErrorCodes.ABORTED, 'aborted before send');
    };
    job.signal.addEventListener('abort', job.onAbort, { once: true });
  }

  /** Removes a job from the queue with its timer and abort listener; false if it was not queued. */
  #unqueue(job: Job, index = this.#queue.indexOf(job)): boolean {
    job.waitTimer?.cancel();
    job.waitTimer = undefined;
    if (job.onAbort) job.signal.removeEventListener('abort', job.onAbort);
    job.onAbort = undefined;
    if (index < 0) return false;
    this.#queue.splice(index, 1);
    return true;
  }

  #expireQueued(job: Job): void {
    if (!this.#unqueue(job)) return;
    if (this.#stream === undefined) this.#fail(job, ErrorCodes.UNAVAILABLE, 'no connection in time');
    else this.#fail(job, ErrorCodes.TIMEOUT, `not sent within ${this.#cfg.timeoutMs} ms (queue)`);
  }

  #rejectQueue(code: ErrorCode, why: string): void {
    for (const job of this.#queue.splice(0)) {
      this.#unqueue(job, -1);
      this.#fail(job, code, why);
    }
  }

  #pump(): void {
    const stream = this.#stream;
    while (stream && this.#queue.length > 0 && this.#tx.pending < this.#maxInFlight && stream.isOpen) {
      const job = this.#queue[0] as Job;
      this.#unqueue(job, 0);
      if (job.signal.aborted) this.#fail(job, ErrorCodes.ABORTED, 'aborted before send');
      else this.#send(job);
    }
  }

  #send(job: Job): void {
    const expect = { unitId: this.#cfg.unitId, fc: job.fc };
    let adu: Uint8Array;
    try {
      const id = this.#tx.begin(expect, this.#cfg.timeoutMs, (o) => this.#done(job, o));
      adu = encodeTcpAdu({ transactionId: id, unitId: this.#cfg.unitId, pdu: job.pdu });
    } catch (e) {
      this.#fail(job, ErrorCodes.BUSY, (e as Error).message);
      return;
    }
    this.#c.sent++;
    if (this.#tx.pending === 1 && !this.#flushing) {
      this.#stream?.write(adu); // alone on the wire: no reason to wait for the turn to end
      return;
    }
    this.#out.push(adu);
    if (!this.#flushing) {
      this.#flushing = true;
      setImmediate(() => this.#flush());
    }
  }

  #flush(): void {
    this.#flushing = false;
    const out = this.#out;
    this.#out = [];
    if (out.length > 0) this.#stream?.write(out.length === 1 ? (out[0] as Uint8Array) : Buffer.concat(out));
  }

  /** The waitress settled a sent request: reply, timeout or connection loss. */
  #done(job: Job, outcome: Outcome<Uint8Array>): void {
    if (outcome.ok) this.#reply(job, outcome.value);
    else if (job.signal.aborted) this.#fail(job, ErrorCodes.ABORTED, 'requester gone');
    else this.#fail(job, outcome.error.code, outcome.error.message);
    this.#pump();
  }

  #reply(job: Job, pdu: Uint8Array): void {
    if (job.settled) return;
    if (job.signal.aborted) {
      this.#fail(job, ErrorCodes.ABORTED, 'requester gone: reply ignored');
      return;
    }
    job.settled = true;
    if (this.#answers(job, pdu)) {
      this.#c.responses++;
      job.resolve(pdu);
      return;
    }
    this.#c.badReplies++;
    this.#log.debug({ fc: job.fc, length: pdu.length }, 'reply does not answer its request: 0x04');
    job.resolve(encodeException(job.fc, ExceptionCodes.SERVER_DEVICE_FAILURE));
  }

  /** Function code and exception flag are already matched; checks the body against the request. */
  #answers(job: Job, pdu: Uint8Array): boolean {
    if (pdu[0] === (job.fc | EXCEPTION_FLAG)) return pdu.length === 2;
    return job.request === undefined || decodeResponse(pdu, job.request).ok;
  }

  #fail(job: Job, code: ErrorCode, why: string): void {
    if (job.settled) return;
    job.settled = true;
    countFailure(this.#c, code);
    job.reject(err(code, `${this.name}: ${why}`));
  }

  #attach(stream: ByteStream): void {
    if (!this.#running) {
      stream.close();
      return;
    }
    this.#c.connects++;
    if (this.#c.connects > 1) this.#c.reconnects++;
    this.#parser.reset();
    this.#stream = stream;
    stream.onData((chunk) => this.#onData(stream, chunk));
    stream.onClose((reason) => this.#detach(stream, reason));
    this.#pump();
  }

  #detach(stream: ByteStream, reason: string): void {
    if (this.#stream !== stream) return;
    this.#stream = undefined;
    this.#out = []; // frames not yet written belong to the requests failed below
    if (reason === 'frame-deadline') this.#c.resets++;
    this.#tx.failAll(err(ErrorCodes.UNAVAILABLE, `connection closed (${reason})`));
    this.#rejectQueue(ErrorCodes.UNAVAILABLE, `connection closed (${reason})`);
  }

  #onData(stream: ByteStream, chunk: Uint8Array): void {
    const { adus, events, pending } = this.#parser.push(chunk);
    for (const adu of adus) {
      const r = this.#tx.deliver(adu.transactionId, adu.unitId, adu.pdu[0] ?? 0, adu.pdu);
      if (r === 'late') this.#c.lateReplies++;
      else if (r !== 'delivered') this.#c.strayReplies++;
    }
    if (events.length > 0) this.#c.strayReplies += events.filter((e) => !e.fatal).length;
    if (this.#parser.failed) {
      this.#c.resets++;
      this.#log.warn({ events }, 'reply stream cannot be delimited: resetting the connection');
      stream.close('garbage');
      return;
    }
    if (pending === 'none') stream.disarmDeadline();
    else if (pending === 'new') {
      stream.disarmDeadline();
      stream.armDeadline(this.#cfg.timeoutMs);
    }
  }
}
