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
 * queue another (tcp-master-queue.ts, which also holds one abort listener per
 * signal). A read reply (FC 1–4) is checked on its byte count and length
 * without decoding its values (`answersRequest`, tcp-master-types.ts).
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
  EXCEPTION_FLAG,
  ExceptionCodes,
  encodeException,
  Limits,
  MBAP_HEADER_LENGTH,
  TcpFrameParser,
  type TcpPushResult,
} from '../protocol/modbus/index.js';
import { writeTcpAdu } from '../protocol/modbus/mbap.js';
import { type ErrorCode, ErrorCodes, WattgateError } from '../shared/errors.js';
import type { Part } from '../shared/lifecycle.js';
import type { Logger } from '../shared/logger.js';
import type { ByteStream } from '../transport/byte-stream.js';
import { TcpClient } from '../transport/tcp-client.js';
import { countFailure } from './target.js';
import { JobQueue } from './tcp-master-queue.js';
import {
  answersRequest,
  COUNTERS,
  type Counters,
  type Job,
  type MasterRequest,
  TCP_MASTER_DEFAULTS,
  type TcpEndpointConfig,
  type TcpMasterContext,
  type TcpMasterOptions,
  type TcpMasterStats,
} from './tcp-master-types.js';
import { type Outcome, Transactions } from './transactions.js';
import { UnitCounters, type UnitCounts } from './unit-counters.js';

export {
  answersRequest,
  type MasterRequest,
  TCP_MASTER_DEFAULTS,
  type TcpEndpointConfig,
  type TcpMasterContext,
  type TcpMasterOptions,
  type TcpMasterStats,
} from './tcp-master-types.js';

const err = (code: ErrorCode, message: string) => new WattgateError(code, message);

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
  readonly #queue: JobQueue<Job>;
  /** Requests sent in this event-loop turn, framed into one buffer and written together (one syscall) on setImmediate. */
  #out: Job[] = [];
  #outBytes = 0;
  #flushing = false;
  readonly #flushNow = (): void => this.#flush();
  readonly #settle = (outcome: Outcome<Uint8Array>, job: Job): void => this.#done(job, outcome);
  #client: TcpClient | undefined;
  #stream: ByteStream | undefined;
  #running = false;
  /** The longest timeout of the requests sent since the last reply: the partial-frame deadline. */
  #deadlineMs = 1000;
  #c = Object.fromEntries(COUNTERS.map((k) => [k, 0])) as Counters;
  readonly #units = new UnitCounters();

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
    this.#queue = new JobQueue<Job>(ctx.clock, {
      expired: (due) => {
        for (const job of due) {
          if (this.#stream === undefined) this.#fail(job, ErrorCodes.UNAVAILABLE, 'no connection in time');
          else this.#fail(job, ErrorCodes.TIMEOUT, `not sent within ${job.req.timeoutMs} ms (queue)`);
        }
      },
      aborted: (dropped) => {
        for (const job of dropped) this.#fail(job, ErrorCodes.ABORTED, 'aborted before send');
      },
    });
  }

  get stats(): TcpMasterStats {
    return {
      ...this.#c,
      connected: this.#stream !== undefined,
      queueDepth: this.#queued,
      inFlight: this.#tx.pending,
    };
  }

  /** Counters of one unit id behind this endpoint (unit-counters.ts; no CRC on TCP). */
  unitStats(unit: number): Omit<UnitCounts, 'crcErrors'> {
    const { crcErrors: _, ...counts } = this.#units.get(unit);
    return counts;
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
    this.#queue.unwatchAll();
    client?.close();
  }

  request(req: MasterRequest): Promise<Uint8Array> {
    this.#c.requests++;
    this.#units.request(req.unitId);
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
    return this.#queue.size;
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

  /** Queues a job (tcp-master-queue.ts: bounded wait, abort, high before low). */
  #enqueue(job: Job): void {
    this.#queue.push(job);
    this.#c.maxQueueDepth = Math.max(this.#c.maxQueueDepth, this.#queued);
  }

  #rejectQueue(code: ErrorCode, why: string): void {
    for (const job of this.#queue.takeAll()) this.#fail(job, code, why);
  }

  #pump(): void {
    const stream = this.#stream;
    while (stream?.isOpen && this.#queued > 0 && this.#tx.pending < this.#maxInFlight) {
      const job = this.#queue.shift() as Job;
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
      this.#units.response(job.unitId, (pdu[0] ?? 0) >= EXCEPTION_FLAG);
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
    if (code === ErrorCodes.TIMEOUT) this.#units.timeout(job.unitId);
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
