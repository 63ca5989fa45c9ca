/**
 * A Modbus TCP client ("master") for one endpoint (host, port): the one
 * connection to a downstream device or Modbus TCP gateway, shared by every
 * user of that endpoint — the router's TCP device targets (tcp-device.ts)
 * and the poller (acquisition/links.ts) — through TcpMasterPool
 * (tcp-pool.ts). PRODUCT G6, G4; SECURITY H5/H6 carried over to TCP.
 *
 * Connection. One TcpClient connection, opened at `start()` and reused by
 * every request; when it fails or drops, TcpClient retries with back-off
 * (default 500 ms doubling to 30 s, 20 % jitter; reset after 10 s up).
 *
 * Forwarding. A request names its unit id; its PDU is sent byte-identical in
 * an MBAP frame with our own transaction id (transactions.ts). The reply is
 * matched on transaction id AND unit id AND function code (0x80 exception
 * flag included); `request` resolves the reply PDU only.
 *
 * Flow. Up to `maxInFlight` requests (default 16; 1 for a device that wants
 * one request at a time, `setMaxInFlight`) are pipelined on the connection.
 * Others wait in two FIFOs, 'high' (upstream clients through the gateway)
 * before 'low' (background polling: PRODUCT G5's rule, upstream first, holds
 * for TCP devices too), at most `maxQueue` (default 64) together; beyond that
 * → BUSY (0x06). A frame alone on the wire is written at once; frames sent
 * while others are in flight are written together on setImmediate (one
 * syscall per event-loop turn for many upstream connections).
 *
 * Time. A request's `timeoutMs` bounds (a) its wait in the queue and (b) its
 * wait for the reply once sent, so it settles within 2 × timeoutMs. A reply
 * that comes after its timeout is discarded (its id stays reserved), never
 * delivered to another request. Queue wait over → TIMEOUT (0x0B), or
 * UNAVAILABLE (0x0A) when no connection came up meanwhile.
 *
 * Connection down. While TcpClient waits in back-off, requests fail at once
 * with UNAVAILABLE (0x0A) — nothing is queued. While an attempt is in
 * progress (at start and after each back-off delay) requests queue and wait
 * for it at most their timeout; a failed attempt rejects them at once with
 * UNAVAILABLE. When a connection closes, its in-flight and queued requests
 * fail UNAVAILABLE.
 *
 * Abort. A request whose `signal` aborts while queued is dropped at once
 * (never sent) with ABORTED; once sent, its reply is ignored and it settles
 * ABORTED.
 *
 * Garbage. A frame with another protocol id is skipped (resync on the MBAP
 * length); a reply nobody waits for is counted and dropped; an MBAP length
 * that cannot delimit the stream, or a partial frame not completed within
 * the deadline, resets the connection (in-flight requests → UNAVAILABLE, then
 * reconnect with back-off). A well-framed reply whose body does not answer
 * the request (wrong byte count, echo …) is answered with exception 0x04.
 *
 * Stop rejects everything pending with UNAVAILABLE and stops reconnecting.
 */
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
import { countFailure } from './target.js';
import { type Outcome, Transactions } from './transactions.js';

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

/**
 * Counters since start: requests (handed to `request`), sent, responses,
 * timeouts, busy, unavailable, aborted; lateReplies (to a timed-out request,
 * dropped); strayReplies (unknown id, wrong unit or function, other protocol
 * id: dropped); badReplies (well-framed, not an answer: 0x04); resets (stream
 * not delimitable or frame deadline); connects, reconnects; maxQueueDepth.
 */
const REQUEST_COUNTERS = ['requests', 'sent', 'responses', 'timeouts', 'busy', 'unavailable'] as const;
const LINK_COUNTERS = ['aborted', 'lateReplies', 'strayReplies', 'badReplies', 'resets', 'connects'] as const;
const COUNTERS = [...REQUEST_COUNTERS, ...LINK_COUNTERS, 'reconnects', 'maxQueueDepth'] as const;

type Counters = Record<(typeof COUNTERS)[number], number>;

export type TcpMasterStats = Readonly<Counters> & {
  readonly connected: boolean;
  readonly queueDepth: number;
  readonly inFlight: number;
};

export interface TcpMasterContext {
  readonly log: Logger;
  readonly clock: Clock;
}

interface Job {
  readonly req: MasterRequest;
  readonly fc: number;
  readonly resolve: (pdu: Uint8Array) => void;
  readonly reject: (error: WattgateError) => void;
  settled: boolean;
  waitTimer: TimerHandle | undefined;
  onAbort: (() => void) | undefined;
}

const err = (code: ErrorCode, message: string) => new WattgateError(code, message);

export class ModbusTcpMaster implements Part {
  readonly name: string;
  readonly #cfg: TcpEndpointConfig;
  readonly #ctx: TcpMasterContext;
  readonly #log: Logger;
  readonly #options: TcpMasterOptions;
  #maxInFlight: number;
  readonly #maxQueue: number;
  readonly #tx: Transactions<Uint8Array>;
  readonly #parser = new TcpFrameParser();
  readonly #high: Job[] = [];
  readonly #low: Job[] = [];
  /** Frames written in this event-loop turn, flushed together (one syscall) on setImmediate. */
  #out: Uint8Array[] = [];
  #flushing = false;
  #client: TcpClient | undefined;
  #stream: ByteStream | undefined;
  #running = false;
  /** The longest timeout of the requests sent since the last reply: the partial-frame deadline. */
  #deadlineMs = 1000;
  #c = Object.fromEntries(COUNTERS.map((k) => [k, 0])) as Counters;

  constructor(cfg: TcpEndpointConfig, ctx: TcpMasterContext, options: TcpMasterOptions = {}) {
    this.name = cfg.name;
    this.#cfg = cfg;
    this.#ctx = ctx;
    this.#options = options;
    this.#log = ctx.log.child({ component: 'tcp-master', endpoint: `${cfg.host}:${cfg.port}` });
    this.#maxInFlight = options.maxInFlight ?? TCP_MASTER_DEFAULTS.maxInFlight;
    this.#maxQueue = options.maxQueue ?? TCP_MASTER_DEFAULTS.maxQueue;
    const quarantine = options.quarantineMs === undefined ? {} : { quarantineMs: options.quarantineMs };
    this.#tx = new Transactions<Uint8Array>({ clock: ctx.clock, ...quarantine });
  }

  get stats(): TcpMasterStats {
    return {
      ...this.#c,
      connected: this.#stream !== undefined,
      queueDepth: this.#queued,
      inFlight: this.#tx.pending,
    };
  }

  get maxInFlight(): number {
    return this.#maxInFlight;
  }

  /** Changes the pipelining limit live (a device that wants one request at a time joined or left). */
  setMaxInFlight(n: number): void {
    this.#maxInFlight = Math.max(1, n);
    this.#pump();
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    const { host, port } = this.#cfg;
    const o = this.#options;
    const client = new TcpClient(this.#ctx, {
      host,
      port,
      name: `tcp-master ${this.name}`,
      connectTimeoutMs: o.connectTimeoutMs ?? TCP_MASTER_DEFAULTS.connectTimeoutMs,
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

  request(req: MasterRequest): Promise<Uint8Array> {
    this.#c.requests++;
    return new Promise<Uint8Array>((resolve, reject) => {
      const job: Job = {
        req,
        fc: req.pdu[0] ?? 0,
        resolve,
        reject,
        settled: false,
        waitTimer: undefined,
        onAbort: undefined,
      };
      this.#admit(job);
    });
  }

  get #queued(): number {
    return this.#high.length + this.#low.length;
  }

  #admit(job: Job): void {
    const refusal = this.#refusal(job);
    if (refusal !== undefined) this.#fail(job, refusal[0], refusal[1]);
    else if (this.#stream && this.#queued === 0 && this.#tx.pending < this.#maxInFlight) this.#send(job);
    else if (this.#queued >= this.#maxQueue) this.#fail(job, ErrorCodes.BUSY, 'queue full');
    else this.#enqueue(job);
  }

  #refusal(job: Job): [ErrorCode, string] | undefined {
    if (!this.#running) return [ErrorCodes.UNAVAILABLE, 'not running'];
    if (job.req.signal.aborted) return [ErrorCodes.ABORTED, 'aborted before send'];
    const state = this.#client?.state;
    if (state !== 'connected' && state !== 'connecting') {
      return [ErrorCodes.UNAVAILABLE, 'connection down (reconnecting with back-off)'];
    }
    return undefined;
  }

  #queueOf(job: Job): Job[] {
    return job.req.priority === 'low' ? this.#low : this.#high;
  }

  #enqueue(job: Job): void {
    this.#queueOf(job).push(job);
    this.#c.maxQueueDepth = Math.max(this.#c.maxQueueDepth, this.#queued);
    job.waitTimer = this.#ctx.clock.setTimeout(() => this.#expireQueued(job), job.req.timeoutMs);
    job.onAbort = () => {
      if (this.#unqueue(job)) this.#fail(job, ErrorCodes.ABORTED, 'aborted before send');
    };
    job.req.signal.addEventListener('abort', job.onAbort, { once: true });
  }

  /** Removes a job from its queue with its timer and abort listener; false if it was not queued. */
  #unqueue(job: Job, remove = true): boolean {
    job.waitTimer?.cancel();
    job.waitTimer = undefined;
    if (job.onAbort) job.req.signal.removeEventListener('abort', job.onAbort);
    job.onAbort = undefined;
    if (!remove) return false;
    const queue = this.#queueOf(job);
    const index = queue.indexOf(job);
    if (index < 0) return false;
    queue.splice(index, 1);
    return true;
  }

  #expireQueued(job: Job): void {
    if (!this.#unqueue(job)) return;
    if (this.#stream === undefined) this.#fail(job, ErrorCodes.UNAVAILABLE, 'no connection in time');
    else this.#fail(job, ErrorCodes.TIMEOUT, `not sent within ${job.req.timeoutMs} ms (queue)`);
  }

  #rejectQueue(code: ErrorCode, why: string): void {
    for (const job of [...this.#high.splice(0), ...this.#low.splice(0)]) {
      this.#unqueue(job, false);
      this.#fail(job, code, why);
    }
  }

  #pump(): void {
    const stream = this.#stream;
    while (stream?.isOpen && this.#queued > 0 && this.#tx.pending < this.#maxInFlight) {
      const job = (this.#high.length > 0 ? this.#high.shift() : this.#low.shift()) as Job;
      this.#unqueue(job, false);
      if (job.req.signal.aborted) this.#fail(job, ErrorCodes.ABORTED, 'aborted before send');
      else this.#send(job);
    }
  }

  #send(job: Job): void {
    const { unitId, timeoutMs, pdu } = job.req;
    let adu: Uint8Array;
    try {
      const id = this.#tx.begin({ unitId, fc: job.fc }, timeoutMs, (o) => this.#done(job, o));
      adu = encodeTcpAdu({ transactionId: id, unitId, pdu });
    } catch (e) {
      this.#fail(job, ErrorCodes.BUSY, (e as Error).message);
      return;
    }
    this.#c.sent++;
    this.#deadlineMs = this.#tx.pending === 1 ? timeoutMs : Math.max(this.#deadlineMs, timeoutMs);
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
    else if (job.req.signal.aborted) this.#fail(job, ErrorCodes.ABORTED, 'requester gone');
    else this.#fail(job, outcome.error.code, outcome.error.message);
    this.#pump();
  }

  #reply(job: Job, pdu: Uint8Array): void {
    if (job.settled) return;
    if (job.req.signal.aborted) {
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
    return job.req.request === undefined || decodeResponse(pdu, job.req.request).ok;
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
      stream.armDeadline(this.#deadlineMs);
    }
  }
}
