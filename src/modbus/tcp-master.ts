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
 * syscall per event-loop turn for many upstream connections), framed back to
 * back into one buffer (no per-frame buffer, no concatenation).
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
 * Cost per request (the gateway's hot path): no timer and no abort listener
 * per request. The reply timeouts share one timer (transactions.ts), the
 * queue waits another, each armed for the earliest deadline; a signal gets
 * one abort listener per master while it has queued requests (kept until it
 * aborts, the master stops, or more than 256 signals are watched). A read
 * reply (FC 1–4) is checked on its byte count and length without decoding
 * its values (`answersRequest`).
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
import { assertIntRange } from '../protocol/modbus/bytes.js';
import {
  decodeResponse,
  EXCEPTION_FLAG,
  ExceptionCodes,
  encodeException,
  Limits,
  MBAP_HEADER_LENGTH,
  type ModbusRequest,
  TcpFrameParser,
  type TcpPushResult,
} from '../protocol/modbus/index.js';
import { writeTcpAdu } from '../protocol/modbus/mbap.js';
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

/** One request; also its own expectation in Transactions (unit id and function code of the reply). */
interface Job {
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

/** Above this many watched signals, those with no queued request lose their listener. */
const WATCHED_SIGNALS_MAX = 256;

const err = (code: ErrorCode, message: string) => new WattgateError(code, message);

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

export class ModbusTcpMaster implements Part {
  readonly name: string;
  readonly #cfg: TcpEndpointConfig;
  readonly #ctx: TcpMasterContext;
  readonly #log: Logger;
  readonly #options: TcpMasterOptions;
  #maxInFlight: number;
  readonly #maxQueue: number;
  readonly #tx: Transactions<Uint8Array, Job>;
  readonly #parser = new TcpFrameParser();
  readonly #result: TcpPushResult = { adus: [], events: [], pending: 'none' };
  readonly #high: Job[] = [];
  readonly #low: Job[] = [];
  /** Requests sent in this event-loop turn, framed into one buffer and written together (one syscall) on setImmediate. */
  #out: Job[] = [];
  #outBytes = 0;
  #flushing = false;
  readonly #flushNow = (): void => this.#flush();
  #queueTimer: TimerHandle | undefined;
  /** The end of wait the queue timer is armed for; Infinity when none. */
  #queueTimerAt = Number.POSITIVE_INFINITY;
  readonly #onQueueTimer = (): void => this.#expireQueued();
  #seq = 0;
  /** Signals of queued jobs → their one abort listener. */
  readonly #watched = new Map<AbortSignal, () => void>();
  readonly #settle = (outcome: Outcome<Uint8Array>, job: Job): void => this.#done(job, outcome);
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
    this.#tx = new Transactions<Uint8Array, Job>({ clock: ctx.clock, ...quarantine });
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
    this.#unwatch(true);
    client?.close();
  }

  request(req: MasterRequest): Promise<Uint8Array> {
    this.#c.requests++;
    return new Promise<Uint8Array>((resolve, reject) => {
      const job: Job = {
        req,
        unitId: req.unitId,
        fc: req.pdu[0] ?? 0,
        resolve,
        reject,
        settled: false,
        queuedUntil: 0,
        seq: 0,
        id: -1,
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

  /**
   * Queues a job. Its wait is bounded by the one queue timer (armed for the
   * earliest end of wait, not one timer per job); its signal gets one abort
   * listener per master (kept while the signal lives, not added and removed
   * per job).
   */
  #enqueue(job: Job): void {
    this.#queueOf(job).push(job);
    this.#c.maxQueueDepth = Math.max(this.#c.maxQueueDepth, this.#queued);
    const now = this.#ctx.clock.monotonic();
    job.seq = ++this.#seq;
    job.queuedUntil = now + Math.max(0, job.req.timeoutMs);
    if (job.queuedUntil < this.#queueTimerAt) this.#armQueueTimer(job.queuedUntil, now);
    this.#watch(job.req.signal);
  }

  #armQueueTimer(at: number, now: number): void {
    this.#queueTimer?.cancel();
    this.#queueTimerAt = at;
    this.#queueTimer = this.#ctx.clock.setTimeout(this.#onQueueTimer, at - now);
  }

  #disarmQueueTimer(): void {
    this.#queueTimer?.cancel();
    this.#queueTimer = undefined;
    this.#queueTimerAt = Number.POSITIVE_INFINITY;
  }

  /** The queue timer fired: every job whose wait is over fails, the timer is re-armed for the next. */
  #expireQueued(): void {
    this.#queueTimer = undefined;
    this.#queueTimerAt = Number.POSITIVE_INFINITY;
    const now = this.#ctx.clock.monotonic();
    const due: Job[] = [];
    let next = Number.POSITIVE_INFINITY;
    const keep = (job: Job): boolean => {
      if (job.queuedUntil <= now) {
        due.push(job);
        return false;
      }
      if (job.queuedUntil < next) next = job.queuedUntil;
      return true;
    };
    this.#replaceQueue(this.#high, keep);
    this.#replaceQueue(this.#low, keep);
    if (next < this.#queueTimerAt) this.#armQueueTimer(next, now);
    due.sort((a, b) => a.queuedUntil - b.queuedUntil || a.seq - b.seq);
    for (const job of due) {
      if (this.#stream === undefined) this.#fail(job, ErrorCodes.UNAVAILABLE, 'no connection in time');
      else this.#fail(job, ErrorCodes.TIMEOUT, `not sent within ${job.req.timeoutMs} ms (queue)`);
    }
  }

  /** Keeps, in order, the jobs of `queue` for which `keep` is true. */
  #replaceQueue(queue: Job[], keep: (job: Job) => boolean): void {
    let n = 0;
    for (const job of queue) if (keep(job)) queue[n++] = job;
    queue.length = n;
  }

  #watch(signal: AbortSignal): void {
    if (this.#watched.has(signal)) return;
    if (this.#watched.size >= WATCHED_SIGNALS_MAX) this.#unwatch(false);
    const onAbort = (): void => {
      this.#watched.delete(signal);
      this.#abortQueued(signal);
    };
    this.#watched.set(signal, onAbort);
    signal.addEventListener('abort', onAbort, { once: true });
  }

  /** Removes the abort listeners: all, or (`all` false) those of signals with no queued job. */
  #unwatch(all: boolean): void {
    const inUse = new Set<AbortSignal>();
    if (!all) for (const job of [...this.#high, ...this.#low]) inUse.add(job.req.signal);
    for (const [signal, onAbort] of this.#watched) {
      if (inUse.has(signal)) continue;
      signal.removeEventListener('abort', onAbort);
      this.#watched.delete(signal);
    }
  }

  /** A signal aborted: its queued jobs are dropped at once (never sent), ABORTED. */
  #abortQueued(signal: AbortSignal): void {
    const dropped: Job[] = [];
    const keep = (job: Job): boolean => {
      if (job.req.signal !== signal) return true;
      dropped.push(job);
      return false;
    };
    this.#replaceQueue(this.#high, keep);
    this.#replaceQueue(this.#low, keep);
    dropped.sort((a, b) => a.seq - b.seq);
    for (const job of dropped) this.#fail(job, ErrorCodes.ABORTED, 'aborted before send');
  }

  #rejectQueue(code: ErrorCode, why: string): void {
    this.#disarmQueueTimer();
    for (const job of [...this.#high.splice(0), ...this.#low.splice(0)]) this.#fail(job, code, why);
  }

  #pump(): void {
    const stream = this.#stream;
    while (stream?.isOpen && this.#queued > 0 && this.#tx.pending < this.#maxInFlight) {
      const job = (this.#high.length > 0 ? this.#high.shift() : this.#low.shift()) as Job;
      if (job.req.signal.aborted) this.#fail(job, ErrorCodes.ABORTED, 'aborted before send');
      else this.#send(job);
    }
  }

  #send(job: Job): void {
    const { unitId, timeoutMs, pdu } = job.req;
    try {
      if (pdu.length < 1 || pdu.length > Limits.PDU_MAX) {
        assertIntRange(pdu.length, 1, Limits.PDU_MAX, 'tcp-adu.pdu.length');
      }
      job.id = this.#tx.begin(job, timeoutMs, this.#settle);
    } catch (e) {
      this.#fail(job, ErrorCodes.BUSY, (e as Error).message);
      return;
    }
    this.#c.sent++;
    this.#deadlineMs = this.#tx.pending === 1 ? timeoutMs : Math.max(this.#deadlineMs, timeoutMs);
    if (this.#tx.pending === 1 && !this.#flushing) {
      // alone on the wire: no reason to wait for the turn to end
      const frame = Buffer.allocUnsafe(MBAP_HEADER_LENGTH + pdu.length);
      writeTcpAdu(frame, 0, job.id, unitId, pdu);
      this.#stream?.write(frame);
      return;
    }
    this.#out.push(job);
    this.#outBytes += MBAP_HEADER_LENGTH + pdu.length;
    if (!this.#flushing) {
      this.#flushing = true;
      setImmediate(this.#flushNow);
    }
  }

  /** Writes the frames of this turn's requests, back to back in one buffer, in one write. */
  #flush(): void {
    this.#flushing = false;
    const out = this.#out;
    if (out.length === 0) return;
    const buffer = Buffer.allocUnsafe(this.#outBytes);
    this.#out = [];
    this.#outBytes = 0;
    let offset = 0;
    for (const job of out) offset = writeTcpAdu(buffer, offset, job.id, job.unitId, job.req.pdu);
    this.#stream?.write(buffer);
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
    return job.req.request === undefined || answersRequest(pdu, job.req.request);
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
    this.#outBytes = 0;
    if (reason === 'frame-deadline') this.#c.resets++;
    this.#tx.failAll(err(ErrorCodes.UNAVAILABLE, `connection closed (${reason})`));
    this.#rejectQueue(ErrorCodes.UNAVAILABLE, `connection closed (${reason})`);
  }

  #onData(stream: ByteStream, chunk: Uint8Array): void {
    // The reply stream's parse result is reused from chunk to chunk (nothing here feeds the parser again).
    const { adus, events, pending } = this.#parser.pushInto(chunk, this.#result);
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
