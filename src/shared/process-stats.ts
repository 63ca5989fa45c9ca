/**
 * What one thread can say about itself for Diagnostics and metrics (issue
 * 15 item 4, PRODUCT X2): its V8 heap, the process's resident memory, and its
 * event-loop delay — how late timers and I/O callbacks run, measured by
 * Node's sampling histogram (perf_hooks.monitorEventLoopDelay, 20 ms
 * resolution). The delay is reported for the last complete window (10 s by
 * default) and as the worst since start, so two readers never reset each
 * other's figures.
 */
import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import type { Clock, TimerHandle } from './clock.js';

export interface LoopDelay {
  /** Length of the window the percentiles describe (0 before the first window ends). */
  readonly windowMs: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** Worst delay seen since the monitor started. */
  readonly maxSinceStartMs: number;
}

export interface ThreadStats {
  readonly heapUsedBytes: number;
  readonly heapTotalBytes: number;
  /** Resident memory of the whole process (all threads). */
  readonly rssBytes: number;
  readonly loop: LoopDelay;
}

const ms = (ns: number) => Math.round(ns / 1e4) / 100; // ns → ms, 2 decimals

export class LoopMonitor {
  readonly #clock: Clock;
  readonly #windowMs: number;
  #h: IntervalHistogram | undefined;
  #timer: TimerHandle | undefined;
  #last: LoopDelay = { windowMs: 0, p50Ms: 0, p99Ms: 0, maxMs: 0, maxSinceStartMs: 0 };
  #worst = 0;

  constructor(clock: Clock, windowMs = 10_000) {
    this.#clock = clock;
    this.#windowMs = windowMs;
  }

  start(): void {
    if (this.#h) return;
    this.#h = monitorEventLoopDelay({ resolution: 20 });
    this.#h.enable();
    const roll = () => {
      const h = this.#h;
      if (!h) return;
      const max = h.count > 0 ? ms(h.max) : 0;
      this.#worst = Math.max(this.#worst, max);
      this.#last = {
        windowMs: this.#windowMs,
        p50Ms: h.count > 0 ? ms(h.percentile(50)) : 0,
        p99Ms: h.count > 0 ? ms(h.percentile(99)) : 0,
        maxMs: max,
        maxSinceStartMs: this.#worst,
      };
      h.reset();
      this.#timer = this.#clock.setTimeout(roll, this.#windowMs);
    };
    this.#timer = this.#clock.setTimeout(roll, this.#windowMs);
  }

  stop(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#h?.disable();
    this.#h = undefined;
  }

  delay(): LoopDelay {
    return this.#last;
  }
}

/** This thread's heap, the process's RSS, and the loop delay from `monitor`. */
export function threadStats(monitor: LoopMonitor): ThreadStats {
  const m = process.memoryUsage();
  return { heapUsedBytes: m.heapUsed, heapTotalBytes: m.heapTotal, rssBytes: m.rss, loop: monitor.delay() };
}
