/**
 * Exponential back-off for reconnect loops (downstream devices, PRODUCT G6).
 * The n-th delay (n from 0) is `min(maxMs, baseMs × factor^n)`, shortened by a
 * random fraction up to `jitter` so that many clients that lost one server do
 * not reconnect in lock-step. Jitter only shortens: a delay never exceeds
 * `maxMs`. The random source is injectable, so tests see exact delays.
 */
import { ErrorCodes, WattgateError } from '../shared/errors.js';

export interface BackoffOptions {
  /** First delay, ms (≥ 1). */
  readonly baseMs: number;
  /** Ceiling, ms (≥ baseMs). */
  readonly maxMs: number;
  /** Growth per attempt; default 2. */
  readonly factor?: number;
  /** Fraction 0–1 of the delay that may be cut at random; default 0.2. */
  readonly jitter?: number;
  /** Uniform source in [0, 1); default Math.random. */
  readonly random?: () => number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 500, maxMs: 30_000, factor: 2, jitter: 0.2 };

export class Backoff {
  readonly #base: number;
  readonly #max: number;
  readonly #factor: number;
  readonly #jitter: number;
  readonly #random: () => number;
  #attempts = 0;

  constructor(options: BackoffOptions = DEFAULT_BACKOFF) {
    const { baseMs, maxMs, factor = 2, jitter = 0.2, random = Math.random } = options;
    if (!(baseMs >= 1 && maxMs >= baseMs && factor >= 1 && jitter >= 0 && jitter <= 1)) {
      throw new WattgateError(
        ErrorCodes.INVALID_ARGUMENT,
        'back-off needs 1 ≤ baseMs ≤ maxMs, factor ≥ 1, jitter 0–1',
      );
    }
    this.#base = baseMs;
    this.#max = maxMs;
    this.#factor = factor;
    this.#jitter = jitter;
    this.#random = random;
  }

  /** Delays handed out since the last reset. */
  get attempts(): number {
    return this.#attempts;
  }

  /** The next delay in ms (an integer ≥ 1); each call counts one attempt. */
  next(): number {
    const nominal = Math.min(this.#max, this.#base * this.#factor ** Math.min(this.#attempts, 64));
    this.#attempts++;
    const r = Math.min(Math.max(this.#random(), 0), 1);
    return Math.max(1, Math.round(nominal * (1 - this.#jitter * r)));
  }

  /** Back to the first delay (after a connection proved stable). */
  reset(): void {
    this.#attempts = 0;
  }
}
