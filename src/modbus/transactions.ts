/**
 * `Transactions`: the correlation helper (a "waitress", after zigbee-herdsman's
 * waitress.ts) between requests sent on one Modbus TCP connection and the
 * replies that come back, in any order (ARCHITECTURE convention 3).
 *
 * - Each pending request is keyed by a 16-bit transaction id. Ids are handed
 *   out in sequence, wrap from 0xFFFF to 0, and never reuse an id that is still
 *   pending — nor one that timed out less than `quarantineMs` ago, so a late
 *   reply is recognised as late and never mistaken for the answer to a newer
 *   request. When every id is held, `begin` throws WG_ERR_BUSY.
 * - A reply is delivered only when transaction id AND unit id AND function code
 *   match (the function code may carry the 0x80 exception flag). A reply with a
 *   known id but another unit or function is discarded ('mismatch') and the
 *   request keeps waiting for its own reply or its timeout.
 * - Timeouts run on the injected Clock; a timed-out request settles with
 *   WG_ERR_TIMEOUT and its id goes to quarantine. One timer per instance,
 *   armed for the earliest deadline (not one per request): when it fires,
 *   every request due by then times out (in the order they began) and it is
 *   re-armed for the next deadline. A request that settles leaves the timer
 *   as it is; a timer that finds nothing due is simply not re-armed.
 * - `failAll` settles every pending request with one error (the connection
 *   closed) and forgets the quarantine: replies on a closed connection can
 *   never arrive.
 * Every request settles exactly once, through its `done` callback.
 */
import type { Clock, TimerHandle } from '../shared/clock.js';
import { ErrorCodes, WattgateError } from '../shared/errors.js';

export type Outcome<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: WattgateError };

/** What a reply must carry, besides the transaction id, to answer a request. */
export interface Expectation {
  readonly unitId: number;
  /** The request's function code (1–127). */
  readonly fc: number;
}

/** `delivered`: settled a pending request; `late`: answered a timed-out one (dropped). */
export type DeliverResult = 'delivered' | 'late' | 'unknown' | 'mismatch';

export interface TransactionsOptions {
  readonly clock: Clock;
  /** How long a timed-out id stays reserved so its late reply is recognised; default 30 000 ms. */
  readonly quarantineMs?: number;
  /** First id handed out; default 1. */
  readonly firstId?: number;
}

/** Settles a request; it is given the expectation object passed to `begin` (a per-request context). */
export type Done<T, E extends Expectation = Expectation> = (outcome: Outcome<T>, expect: E) => void;

interface Entry<T, E extends Expectation> {
  readonly expect: E;
  readonly done: Done<T, E>;
  /** Monotonic time at which it times out. */
  readonly deadline: number;
}

const ID_SPACE = 0x10000;
const EXCEPTION_FLAG = 0x80;

export class Transactions<T, E extends Expectation = Expectation> {
  readonly #clock: Clock;
  readonly #quarantineMs: number;
  readonly #pending = new Map<number, Entry<T, E>>();
  /** Timed-out id → monotonic time until which it stays reserved. */
  readonly #late = new Map<number, number>();
  #next: number;
  #timer: TimerHandle | undefined;
  /** The deadline the timer is armed for; Infinity when none is armed. */
  #timerAt = Number.POSITIVE_INFINITY;
  readonly #onTimer = (): void => this.#sweep();

  constructor(options: TransactionsOptions) {
    this.#clock = options.clock;
    this.#quarantineMs = options.quarantineMs ?? 30_000;
    this.#next = (options.firstId ?? 1) & 0xffff;
  }

  /** Requests waiting for a reply. */
  get pending(): number {
    return this.#pending.size;
  }

  /** Timed-out ids still reserved. */
  get quarantined(): number {
    return this.#late.size;
  }

  has(id: number): boolean {
    return this.#pending.has(id);
  }

  /**
   * Registers a request and starts its timeout; returns its transaction id.
   * `done` is called once with the outcome and `expect` (so a caller can pass
   * one function for every request and its own request object as `expect`).
   * Throws WG_ERR_BUSY when all 65 536 ids are pending or quarantined.
   */
  begin(expect: E, timeoutMs: number, done: Done<T, E>): number {
    const now = this.#clock.monotonic();
    const id = this.#allocate(now);
    const deadline = now + Math.max(0, timeoutMs || 0); // NaN or negative: due at once
    this.#pending.set(id, { expect, done, deadline });
    if (deadline < this.#timerAt) this.#arm(deadline, now);
    return id;
  }

  /** A reply arrived on the connection: settles the matching request, if any. */
  deliver(id: number, unitId: number, fc: number, value: T): DeliverResult {
    const entry = this.#pending.get(id);
    if (entry === undefined) {
      if (!this.#late.has(id)) return 'unknown';
      this.#late.delete(id);
      return 'late';
    }
    const { expect } = entry;
    if (unitId !== expect.unitId || (fc !== expect.fc && fc !== (expect.fc | EXCEPTION_FLAG))) {
      return 'mismatch';
    }
    this.#pending.delete(id);
    entry.done({ ok: true, value }, expect);
    return 'delivered';
  }

  /** Settles one pending request with `error`; its id is quarantined like a timeout. */
  fail(id: number, error: WattgateError): boolean {
    const entry = this.#pending.get(id);
    if (entry === undefined) return false;
    this.#retire(id);
    entry.done({ ok: false, error }, entry.expect);
    return true;
  }

  /** Settles every pending request with `error` and clears the quarantine. Returns how many. */
  failAll(error: WattgateError): number {
    const entries = [...this.#pending.values()];
    this.#pending.clear();
    this.#late.clear();
    this.#disarm();
    for (const entry of entries) entry.done({ ok: false, error }, entry.expect);
    return entries.length;
  }

  #arm(at: number, now: number): void {
    this.#timer?.cancel();
    this.#timerAt = at;
    this.#timer = this.#clock.setTimeout(this.#onTimer, at - now);
  }

  #disarm(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
  }

  /** The timer fired: times out every request due, re-arms for the next deadline. */
  #sweep(): void {
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
    const now = this.#clock.monotonic();
    const due: Array<[number, Entry<T, E>]> = [];
    let next = Number.POSITIVE_INFINITY;
    for (const [id, entry] of this.#pending) {
      if (entry.deadline <= now) due.push([id, entry]);
      else if (entry.deadline < next) next = entry.deadline;
    }
    for (const [id] of due) this.#retire(id);
    if (next < this.#timerAt) this.#arm(next, now);
    due.sort((a, b) => a[1].deadline - b[1].deadline); // stable: begin order among equal deadlines
    for (const [id, entry] of due) {
      const error = new WattgateError(ErrorCodes.TIMEOUT, `no reply to transaction ${id} in time`);
      entry.done({ ok: false, error }, entry.expect);
    }
  }

  #retire(id: number): void {
    this.#pending.delete(id);
    this.#late.set(id, this.#clock.monotonic() + this.#quarantineMs);
  }

  #allocate(now: number): number {
    for (let tries = 0; tries < ID_SPACE; tries++) {
      const id = this.#next;
      this.#next = (id + 1) & 0xffff;
      if (this.#pending.has(id)) continue;
      const until = this.#late.get(id);
      if (until !== undefined) {
        if (until > now) continue;
        this.#late.delete(id);
      }
      return id;
    }
    throw new WattgateError(ErrorCodes.BUSY, 'every transaction id is pending or quarantined');
  }
}
