/**
 * One timer per sampling period, aligned to the clock (schedule.ts). Each
 * firing re-reads the wall clock and re-arms for the next boundary computed
 * from it, so nothing drifts: a late firing (busy event loop) does not push
 * the later ones. A firing that comes after one or more boundaries passed
 * unsampled ticks once, for the current boundary, and reports how many were
 * missed (they are not replayed in a burst). A firing before the next
 * boundary (early timer, wall clock stepped back) only re-arms: boundaries
 * are sampled in increasing order, never twice.
 */
import type { Clock, TimerHandle } from '../shared/clock.js';
import { due, nextBoundary, periodStart } from './schedule.js';

export type TickHandler = (t: number, missed: number) => void;

export class PeriodTimer {
  readonly periodMs: number;
  readonly #clock: Clock;
  readonly #onTick: TickHandler;
  #timer: TimerHandle | undefined;
  #last: number | undefined;
  /** Boundaries passed without a tick since start. */
  missed = 0;

  constructor(clock: Clock, periodMs: number, onTick: TickHandler) {
    this.#clock = clock;
    this.periodMs = periodMs;
    this.#onTick = onTick;
  }

  get running(): boolean {
    return this.#timer !== undefined;
  }

  /** Arms for the next boundary; the current period (already begun) is not sampled. */
  start(): void {
    if (this.#timer) return;
    this.#last = periodStart(this.#clock.now(), this.periodMs);
    this.#arm();
  }

  stop(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
  }

  #arm(): void {
    const now = this.#clock.now();
    this.#timer = this.#clock.setTimeout(() => this.#fire(), nextBoundary(now, this.periodMs) - now);
  }

  #fire(): void {
    const d = due(this.#clock.now(), this.periodMs, this.#last);
    if (d) {
      this.#last = d.t;
      this.missed += d.missed;
    }
    this.#arm();
    if (d) this.#onTick(d.t, d.missed);
  }
}
