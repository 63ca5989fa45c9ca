/**
 * Per-source progressive delay in front of the login (SECURITY A4): anyone can
 * lock an account by failing 10 times, as in the reference; this makes one
 * address unable to hammer the login. The first `freeFailures` failures from a
 * source cost nothing; after that the source must wait `baseDelayMs`, doubling
 * per further failure up to `maxDelayMs`, since its last failure. An attempt
 * that comes too early is refused (ThrottledError → HTTP 429 + Retry-After)
 * without checking the password and without counting against the account —
 * the connection is never held open. A success from the source, or
 * `forgetAfterMs` without failures, clears it. Memory is bounded: at most
 * `maxSources` entries, the oldest dropped first. Time comes from the Clock.
 */
import type { Clock } from '../shared/clock.js';
import { ThrottledError } from './errors.js';

export interface ThrottleOptions {
  freeFailures: number;
  baseDelayMs: number;
  maxDelayMs: number;
  forgetAfterMs: number;
  maxSources: number;
}

export const DEFAULT_THROTTLE: ThrottleOptions = {
  freeFailures: 5,
  baseDelayMs: 1000,
  maxDelayMs: 30_000,
  forgetAfterMs: 15 * 60_000,
  maxSources: 10_000,
};

interface Entry {
  failures: number;
  lastAt: number;
}

export class SourceThrottle {
  readonly #clock: Clock;
  readonly #opts: ThrottleOptions;
  readonly #sources = new Map<string, Entry>();

  constructor(clock: Clock, opts: Partial<ThrottleOptions> = {}) {
    this.#clock = clock;
    this.#opts = { ...DEFAULT_THROTTLE, ...opts };
  }

  /** Delay a source must leave after its `failures`-th failure. */
  delayAfter(failures: number): number {
    const extra = failures - this.#opts.freeFailures;
    if (extra <= 0) return 0;
    return Math.min(this.#opts.maxDelayMs, this.#opts.baseDelayMs * 2 ** Math.min(extra - 1, 30));
  }

  /** Throws ThrottledError when the source must still wait. */
  check(source: string): void {
    const e = this.#live(source);
    if (!e) return;
    const wait = e.lastAt + this.delayAfter(e.failures) - this.#clock.now();
    if (wait > 0) throw new ThrottledError(wait);
  }

  failure(source: string): void {
    const e = this.#live(source) ?? { failures: 0, lastAt: 0 };
    e.failures++;
    e.lastAt = this.#clock.now();
    this.#sources.delete(source); // re-insert: Map order = least recently failed first
    this.#sources.set(source, e);
    while (this.#sources.size > this.#opts.maxSources) {
      const oldest = this.#sources.keys().next().value;
      if (oldest === undefined) break;
      this.#sources.delete(oldest);
    }
  }

  success(source: string): void {
    this.#sources.delete(source);
  }

  get size(): number {
    return this.#sources.size;
  }

  #live(source: string): Entry | undefined {
    const e = this.#sources.get(source);
    if (e && this.#clock.now() - e.lastAt >= this.#opts.forgetAfterMs) {
      this.#sources.delete(source);
      return undefined;
    }
    return e;
  }
}
