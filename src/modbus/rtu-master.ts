/**
 * `RtuMaster`: the one queue of one physical RTU line (PRODUCT G4, G5, G8;
 * SECURITY H5, H6), shared by every upstream client, the poller (later) and
 * broadcasts. The link underneath is a serial device (transport/serial-line.ts)
 * or a serial device server reached by TCP (RTU over TCP): both hand over a
 * `ByteStream`, so the master does not care which.
 *
 * - Never two transactions in flight: one worker takes one job at a time from
 *   the queue (rtu-queue.ts) and runs its attempts on the wire (rtu-wire.ts:
 *   t3.5 silence, end of request on the wire, framing, late-reply drain).
 * - `request(unit, pdu, { priority })`: 'high' (upstream, the default) before
 *   'low' (the poller's hook). Queue full → BUSY (0x06). A job whose signal
 *   aborts (the upstream client left) is dropped at once with ABORTED (no
 *   answer); one still queued `queueTimeoutMs` after it came is dropped with
 *   TIMEOUT (0x0B). Neither reaches the line.
 * - Retries and dead slaves: rtu-policy.ts (reads retried, writes not unless
 *   `retryWrites`; all attempts corrupt → 0x04 answered, else 0x0B; a slave
 *   silent 3 times in a row fails fast with 0x0B for 1 s, 2 s … 60 s). No
 *   further attempt is made for a requester that left.
 * - A reply that is well framed but does not answer the request (wrong byte
 *   count …) is answered with exception 0x04 (`badReplies`).
 * - `broadcast(pdu)`: unit 0, no reply awaited; resolves once the frame has
 *   left the wire; the line then stays silent `broadcastDelayMs`.
 * - Link down: while the link waits in back-off, requests fail at once with
 *   UNAVAILABLE (0x0A); while it opens they queue; a failed open, a closed
 *   stream or `stop()` fail the queue with UNAVAILABLE.
 */
import {
  decodeRequest,
  decodeResponse,
  EXCEPTION_FLAG,
  ExceptionCodes,
  encodeException,
  type ModbusRequest,
} from '../protocol/modbus/index.js';
import type { Clock, TimerHandle } from '../shared/clock.js';
import { type ErrorCode, ErrorCodes, WattgateError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import type { ByteStream } from '../transport/byte-stream.js';
import {
  RTU_COUNTERS,
  type RtuCounters,
  type RtuLink,
  type RtuMasterOptions,
  type RtuMasterSettings,
  type RtuMasterStats,
  type RtuRequestOptions,
} from './rtu-contract.js';
import { type AttemptResult, attemptsFor, finalFailure, SlaveHealth } from './rtu-policy.js';
import { type DropReason, type Priority, RtuQueue } from './rtu-queue.js';
import { RtuWire, type WireResult } from './rtu-wire.js';
import { countFailure } from './target.js';

export type {
  RtuLink,
  RtuMasterOptions,
  RtuMasterSettings,
  RtuMasterStats,
  RtuRequestOptions,
} from './rtu-contract.js';

interface Job {
  readonly unit: number;
  readonly pdu: Uint8Array;
  readonly request: ModbusRequest | undefined;
  readonly raw: boolean;
  readonly broadcast: boolean;
  readonly priority: Priority;
  readonly signal: AbortSignal;
  readonly deadline: number;
  readonly resolve: (pdu: Uint8Array) => void;
  readonly reject: (e: WattgateError) => void;
  settled: boolean;
  timer: TimerHandle | undefined;
  onAbort: (() => void) | undefined;
}

const NEVER = new AbortController().signal;

export class RtuMaster {
  readonly #log: Logger;
  readonly #clock: Clock;
  readonly #link: RtuLink;
  readonly #s: RtuMasterSettings;
  readonly #wire: RtuWire;
  readonly #health: SlaveHealth;
  readonly #queue: RtuQueue<Job>;
  readonly #c = Object.fromEntries(RTU_COUNTERS.map((k) => [k, 0])) as RtuCounters;
  #offs: Array<() => void> = [];
  #running = false;
  #working = false;
  #current: Job | undefined;

  constructor(
    ctx: { log: Logger; clock: Clock },
    link: RtuLink,
    s: RtuMasterSettings,
    o: RtuMasterOptions = {},
  ) {
    this.#log = ctx.log;
    this.#clock = ctx.clock;
    this.#link = link;
    this.#s = s;
    const { baud, timeoutMs, pauseMs } = s;
    this.#wire = new RtuWire(ctx.clock, { baud, timeoutMs, pauseMs, ...o });
    this.#health = new SlaveHealth(o.health);
    this.#queue = new RtuQueue<Job>(s.maxQueue);
  }

  get stats(): RtuMasterStats {
    const now = this.#clock.monotonic();
    return {
      ...this.#c,
      ...this.#wire.counters,
      queueDepth: this.#queue.size,
      inFlight: this.#current === undefined ? 0 : 1,
      open: this.#wire.open,
      backedOffSlaves: this.#health.backedOff(now),
    };
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#offs = [
      this.#link.onConnection((stream) => this.#attach(stream)),
      this.#link.onConnectFailed(() => this.#failQueue(ErrorCodes.UNAVAILABLE, 'cannot open the line')),
    ];
    this.#link.start();
  }

  stop(): void {
    if (!this.#running) return;
    this.#running = false;
    for (const off of this.#offs.splice(0)) off();
    this.#failQueue(ErrorCodes.UNAVAILABLE, 'stopped');
    this.#wire.detach();
    this.#link.close();
  }

  /** One transaction with slave `unit` (1–247); resolves the reply PDU (maybe an exception PDU). */
  request(unit: number, pdu: Uint8Array, o: RtuRequestOptions = {}): Promise<Uint8Array> {
    return this.#submit(unit, pdu, o, false);
  }

  /** A unit-0 write; resolves (with no content) once it has left the wire. */
  async broadcast(pdu: Uint8Array, o: RtuRequestOptions = {}): Promise<void> {
    await this.#submit(0, pdu, o, true);
  }

  #submit(unit: number, pdu: Uint8Array, o: RtuRequestOptions, broadcast: boolean): Promise<Uint8Array> {
    this.#c.requests++;
    const decoded = decodeRequest(pdu);
    const request = decoded.ok && decoded.request.kind !== 'raw' ? decoded.request : undefined;
    return new Promise<Uint8Array>((resolve, reject) => {
      const job: Job = {
        unit,
        pdu,
        request,
        raw: request === undefined,
        broadcast,
        priority: o.priority ?? 'high',
        signal: o.signal ?? NEVER,
        deadline: this.#clock.monotonic() + this.#s.queueTimeoutMs,
        resolve,
        reject,
        settled: false,
        timer: undefined,
        onAbort: undefined,
      };
      this.#admit(job);
    });
  }

  #admit(job: Job): void {
    const state = this.#link.state;
    if (!this.#running) {
      this.#fail(job, ErrorCodes.UNAVAILABLE, 'line not running');
      return;
    }
    if (job.signal.aborted) {
      this.#fail(job, ErrorCodes.ABORTED, 'aborted before send');
      return;
    }
    if (state !== 'connected' && state !== 'connecting') {
      this.#fail(job, ErrorCodes.UNAVAILABLE, 'line down (reopening with back-off)');
      return;
    }
    const { accepted, evicted } = this.#queue.push(job);
    if (evicted) {
      this.#release(evicted);
      this.#fail(evicted, ErrorCodes.BUSY, 'queue full: background work evicted');
    }
    if (!accepted) {
      this.#fail(job, ErrorCodes.BUSY, 'queue full');
      return;
    }
    this.#c.maxQueueDepth = Math.max(this.#c.maxQueueDepth, this.#queue.size);
    job.timer = this.#clock.setTimeout(
      () => this.#dropQueued(job, ErrorCodes.TIMEOUT, 'expired in the queue'),
      this.#s.queueTimeoutMs,
    );
    job.onAbort = () => this.#dropQueued(job, ErrorCodes.ABORTED, 'aborted in the queue');
    job.signal.addEventListener('abort', job.onAbort, { once: true });
    this.#pump();
  }

  #dropQueued(job: Job, code: ErrorCode, why: string): void {
    this.#release(job);
    if (!this.#queue.remove(job)) return;
    if (code === ErrorCodes.TIMEOUT) this.#c.expired++;
    this.#fail(job, code, why);
  }

  /** Cancels a job's queue timer and abort listener. */
  #release(job: Job): void {
    job.timer?.cancel();
    job.timer = undefined;
    if (job.onAbort) job.signal.removeEventListener('abort', job.onAbort);
    job.onAbort = undefined;
  }

  #failQueue(code: ErrorCode, why: string): void {
    for (const job of this.#queue.drain()) {
      this.#release(job);
      this.#fail(job, code, why);
    }
  }

  #attach(stream: ByteStream): void {
    if (!this.#running) return;
    this.#wire.attach(stream);
    this.#health.clear();
    stream.onClose((reason) => this.#failQueue(ErrorCodes.UNAVAILABLE, `line closed (${reason})`));
    this.#pump();
  }

  #pump(): void {
    if (this.#working || !this.#wire.open || this.#queue.size === 0) return;
    this.#working = true;
    void this.#work().finally(() => {
      this.#working = false;
      if (this.#queue.size > 0 && this.#wire.open) this.#pump();
    });
  }

  async #work(): Promise<void> {
    const drop = (job: Job, why: DropReason) => {
      this.#release(job);
      if (why === 'aborted') this.#fail(job, ErrorCodes.ABORTED, 'aborted in the queue');
      else {
        this.#c.expired++;
        this.#fail(job, ErrorCodes.TIMEOUT, 'expired in the queue');
      }
    };
    for (;;) {
      if (!this.#wire.open) return;
      const job = this.#queue.shift(this.#clock.monotonic(), drop);
      if (job === undefined) return;
      this.#release(job);
      this.#current = job;
      try {
        if (job.broadcast) await this.#runBroadcast(job);
        else await this.#run(job);
      } catch (error) {
        this.#log.error({ err: error }, 'RTU job failed');
        this.#fail(job, ErrorCodes.UNAVAILABLE, 'internal error');
      } finally {
        this.#current = undefined;
      }
    }
  }

  async #runBroadcast(job: Job): Promise<void> {
    const sent = await this.#wire.broadcast(job.pdu, this.#s.broadcastDelayMs);
    if (!sent) {
      this.#fail(job, ErrorCodes.UNAVAILABLE, 'line closed');
      return;
    }
    this.#c.broadcasts++;
    this.#settle(job, job.pdu);
  }

  async #run(job: Job): Promise<void> {
    const fc = job.pdu[0] ?? 0;
    const gate = this.#health.gate(job.unit, this.#clock.monotonic());
    if (gate === 'backed-off') {
      this.#c.backedOff++;
      this.#fail(job, ErrorCodes.TIMEOUT, `slave ${job.unit} backed off (not answering)`);
      return;
    }
    const attempts = gate === 'probe' ? 1 : attemptsFor(fc, job.raw, this.#s);
    const results: AttemptResult[] = [];
    for (let i = 0; i < attempts; i++) {
      if (job.signal.aborted) {
        this.#fail(job, ErrorCodes.ABORTED, 'requester gone');
        return;
      }
      if (i > 0) this.#c.retries++;
      const r: WireResult = await this.#wire.exchange(job.unit, job.pdu);
      if (r.result === 'closed') {
        this.#fail(job, ErrorCodes.UNAVAILABLE, 'line closed');
        return;
      }
      this.#health.record(job.unit, r.result, this.#clock.monotonic());
      if (r.result === 'ok') {
        this.#reply(job, fc, r.pdu);
        return;
      }
      if (r.result === 'corrupt') this.#c.crcErrors++;
      results.push(r.result);
    }
    if (finalFailure(results) === 'timeout') {
      this.#fail(job, ErrorCodes.TIMEOUT, `slave ${job.unit}: no reply after ${attempts} attempt(s)`);
      return;
    }
    this.#c.corruptFailures++;
    this.#settle(job, encodeException(fc, ExceptionCodes.SERVER_DEVICE_FAILURE));
  }

  #reply(job: Job, fc: number, pdu: Uint8Array): void {
    if (job.signal.aborted) {
      this.#fail(job, ErrorCodes.ABORTED, 'requester gone: reply ignored');
      return;
    }
    if (pdu[0] === (fc | EXCEPTION_FLAG) ? pdu.length === 2 : answers(job.request, pdu)) {
      this.#c.responses++;
      this.#settle(job, pdu);
      return;
    }
    this.#c.badReplies++;
    this.#log.debug({ unit: job.unit, fc, length: pdu.length }, 'reply does not answer its request: 0x04');
    this.#settle(job, encodeException(fc, ExceptionCodes.SERVER_DEVICE_FAILURE));
  }

  #settle(job: Job, pdu: Uint8Array): void {
    if (job.settled) return;
    job.settled = true;
    job.resolve(pdu);
  }

  #fail(job: Job, code: ErrorCode, why: string): void {
    if (job.settled) return;
    job.settled = true;
    countFailure(this.#c, code);
    job.reject(new WattgateError(code, `${this.#s.name}: ${why}`));
  }
}

function answers(request: ModbusRequest | undefined, pdu: Uint8Array): boolean {
  return request === undefined || decodeResponse(pdu, request).ok;
}
