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
 * - `request(unit, pdu, { priority, client })`: 'high' (upstream, the
 *   default) before 'low' (the poller's hook); 'high' requests of different
 *   `client`s (upstream connections) are served in turn (rtu-queue.ts). Queue
 *   full → BUSY (0x06). A job whose signal aborts (the upstream client left)
 *   is dropped at once with ABORTED (no answer); one still queued
 *   `queueTimeoutMs` after it came is dropped with TIMEOUT (0x0B). Neither
 *   reaches the line.
 * - Retries and dead slaves: rtu-policy.ts (reads retried, writes not unless
 *   `retryWrites`; all attempts corrupt → 0x04, else 0x0B; a slave silent 3
 *   counted attempts in a row is backed off: its requests fail fast with
 *   0x0B) and rtu-probes.ts (the master's own low-priority probe at the end of
 *   each back-off period). State in `stats.slaveBackoff` and `stats.lastProbe`.
 *   No further attempt is made for a requester that left.
 * - Per slave: requests, responses, exceptions, timeouts, CRC errors
 *   (`unitStats(unit)`, unit-counters.ts), for the per-device diagnostics.
 * - A reply that is well framed but does not answer the request (wrong byte
 *   count …) is answered with exception 0x04 (`badReplies`).
 * - `broadcast(pdu)`: unit 0, no reply awaited; resolves once the frame has
 *   left the wire; the line then stays silent `broadcastDelayMs`.
 * - Link down: while the link waits in back-off, requests fail at once with
 *   UNAVAILABLE (0x0A); while it opens they queue; a failed open, a closed
 *   stream or `stop()` fail the queue with UNAVAILABLE.
 */
import { EXCEPTION_FLAG, ExceptionCodes, encodeException } from '../protocol/modbus/index.js';
import type { Clock } from '../shared/clock.js';
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
import { answers, backoffStates, type Job, NEVER, probeJob, requestJob } from './rtu-job.js';
import {
  type AttemptResult,
  attemptsFor,
  countsTowardDead,
  finalFailure,
  type ProbeResult,
  SlaveHealth,
} from './rtu-policy.js';
import { RtuProbes } from './rtu-probes.js';
import { type DropReason, RtuQueue } from './rtu-queue.js';
import { RtuWire, type WireResult } from './rtu-wire.js';
import { countFailure } from './target.js';
import { UnitCounters, type UnitCounts } from './unit-counters.js';

export type {
  ProbeRecord,
  ProbeResult,
  RtuLink,
  RtuMasterOptions,
  RtuMasterSettings,
  RtuMasterStats,
  RtuRequestOptions,
  SlaveBackoffState,
} from './rtu-contract.js';

export class RtuMaster {
  readonly #log: Logger;
  readonly #clock: Clock;
  readonly #link: RtuLink;
  readonly #s: RtuMasterSettings;
  readonly #wire: RtuWire;
  readonly #health: SlaveHealth;
  readonly #queue: RtuQueue<Job>;
  readonly #c = Object.fromEntries(RTU_COUNTERS.map((k) => [k, 0])) as RtuCounters;
  readonly #units = new UnitCounters();
  readonly #probes: RtuProbes;
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
    this.#probes = new RtuProbes(
      ctx.clock,
      this.#health,
      (u, t, pdu) => this.#sendProbe(u, t, pdu),
      o.probePdu,
    );
    this.#queue = new RtuQueue<Job>(s.maxQueue);
  }

  get stats(): RtuMasterStats {
    return {
      ...this.#c,
      ...this.#wire.counters,
      queueDepth: this.#queue.size,
      inFlight: this.#current === undefined ? 0 : 1,
      open: this.#wire.open,
      backedOffSlaves: this.#health.backedOff(),
      slaveBackoff: backoffStates(this.#health.snapshot(), this.#clock),
      lastProbe: this.#probes.last,
    };
  }

  /** Counters of one slave of the line (unit-counters.ts). */
  unitStats(unit: number): UnitCounts {
    return this.#units.get(unit);
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#probes.start();
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
    this.#probes.stop();
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
    this.#units.request(unit);
    const deadline = this.#clock.monotonic() + this.#s.queueTimeoutMs;
    return new Promise<Uint8Array>((resolve, reject) => {
      this.#admit(requestJob(unit, pdu, o, broadcast, deadline, resolve, reject));
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
      const why = evicted.priority === 'low' ? 'background work evicted' : 'evicted for a fair share';
      this.#fail(evicted, ErrorCodes.BUSY, `queue full: ${why}`);
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
    if (job.signal !== NEVER) {
      // NEVER never aborts: listening to it would only pile listeners on one shared signal.
      job.onAbort = () => this.#dropQueued(job, ErrorCodes.ABORTED, 'aborted in the queue');
      job.signal.addEventListener('abort', job.onAbort, { once: true });
    }
    this.#pump();
  }

  #dropQueued(job: Job, code: ErrorCode, why: string): void {
    this.#release(job);
    if (!this.#queue.remove(job)) return;
    if (code === ErrorCodes.TIMEOUT && job.probe === undefined) this.#c.expired++;
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
    this.#probes.schedule();
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
        if (job.probe === undefined) this.#c.expired++;
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
        else if (job.probe !== undefined) await this.#runProbe(job, job.probe);
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
    if (this.#health.gate(job.unit) === 'backed-off') {
      this.#c.backedOff++;
      if (this.#health.want(job.unit)) this.#probes.schedule();
      this.#fail(job, ErrorCodes.TIMEOUT, `slave ${job.unit} backed off (not answering)`);
      return;
    }
    const counts = countsTowardDead(job.unit, fc, job.raw);
    const attempts = attemptsFor(fc, job.raw, this.#s);
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
      if (this.#health.record(job.unit, r.result, this.#clock.monotonic(), counts)) {
        this.#backedOffNow(job.unit);
      }
      if (r.result === 'ok') {
        this.#probes.learn(job.unit, job.request);
        this.#reply(job, fc, r.pdu);
        return;
      }
      if (r.result === 'corrupt') this.#crcError(job.unit);
      results.push(r.result);
      if (this.#health.gate(job.unit) === 'backed-off') break;
    }
    if (finalFailure(results) === 'timeout') {
      this.#fail(job, ErrorCodes.TIMEOUT, `slave ${job.unit}: no reply after ${results.length} attempt(s)`);
      return;
    }
    this.#c.corruptFailures++;
    this.#settle(job, encodeException(fc, ExceptionCodes.SERVER_DEVICE_FAILURE));
  }

  #backedOffNow(unit: number): void {
    this.#c.slaveBackoffs++;
    this.#log.warn({ unit }, 'slave not answering: backed off, probed at the end of each period');
    this.#probes.schedule();
  }

  /** Queues the probe of a backed-off slave, at low priority, through the line's queue. */
  #sendProbe(unit: number, token: number, pdu: Uint8Array): void {
    const deadline = this.#clock.monotonic() + this.#s.queueTimeoutMs;
    this.#admit(probeJob(unit, pdu, token, deadline, () => this.#probed(unit, token, 'not-sent')));
  }

  /** One attempt of a probe; any reply (exception or corrupt included) proves the slave alive. */
  async #runProbe(job: Job, token: number): Promise<void> {
    if (!this.#health.isCurrent(token)) {
      this.#settle(job, job.pdu); // the line reopened meanwhile: the state it probed is gone
      return;
    }
    const r = await this.#wire.exchange(job.unit, job.pdu);
    if (r.result === 'closed') {
      this.#fail(job, ErrorCodes.UNAVAILABLE, 'line closed');
      return;
    }
    this.#c.probes++;
    if (r.result === 'corrupt') this.#crcError(job.unit);
    this.#settle(job, r.result === 'ok' ? r.pdu : job.pdu);
    this.#probed(job.unit, token, r.result === 'silent' ? 'silent' : 'alive');
  }

  #probed(unit: number, token: number, result: ProbeResult): void {
    if (!this.#probes.probed(unit, token, result) || result !== 'alive') return;
    this.#c.probesAnswered++;
    this.#log.info({ unit }, 'slave answered its probe: back in service');
  }

  #reply(job: Job, fc: number, pdu: Uint8Array): void {
    if (job.signal.aborted) {
      this.#fail(job, ErrorCodes.ABORTED, 'requester gone: reply ignored');
      return;
    }
    const exception = pdu[0] === (fc | EXCEPTION_FLAG);
    if (exception ? pdu.length === 2 : answers(job.request, pdu)) {
      this.#c.responses++;
      this.#units.response(job.unit, exception);
      this.#settle(job, pdu);
      return;
    }
    this.#c.badReplies++;
    this.#log.debug({ unit: job.unit, fc, length: pdu.length }, 'reply does not answer its request: 0x04');
    this.#settle(job, encodeException(fc, ExceptionCodes.SERVER_DEVICE_FAILURE));
  }

  #crcError(unit: number): void {
    this.#c.crcErrors++;
    this.#units.crcError(unit);
  }

  #settle(job: Job, pdu: Uint8Array): void {
    if (job.settled) return;
    job.settled = true;
    job.resolve(pdu);
  }

  #fail(job: Job, code: ErrorCode, why: string): void {
    if (job.settled) return;
    job.settled = true;
    if (job.probe === undefined) {
      countFailure(this.#c, code);
      if (code === ErrorCodes.TIMEOUT) this.#units.timeout(job.unit);
    }
    job.reject(new WattgateError(code, `${this.#s.name}: ${why}`));
  }
}
