/**
 * Edge filters of the digital inputs (PRODUCT L5), pure and driver-agnostic.
 *
 * Pulses (`PulseFilter`): a pulse is a rising edge then a falling edge. It is
 * counted when it ends (falling edge) if it was high at least 30 ms (ref
 * minimum pulse) and began at least 1000/16 = 62.5 ms after the previous
 * counted pulse began (ref ≤ 16 pulses/s). A shorter pulse is counted as
 * `tooShort`, a pulse too soon as `tooFast`; neither reaches the meter.
 * Repeated edges of the same level are ignored.
 *
 * Status (`StatusFilter`): a level is taken once it has been stable 30 ms
 * (debouncing); a change that reverts sooner is a `glitch`. `settle(now)`
 * commits a pending level whose 30 ms have passed (the caller runs it on each
 * edge, on reads and from a timer) and returns the transition, timed at the
 * edge that started it.
 */
import { MAX_PULSES_PER_SECOND, MIN_PULSE_MS } from '../config/schema-inputs.js';

export const MIN_PULSE_PERIOD_MS = 1000 / MAX_PULSES_PER_SECOND;
export const DEBOUNCE_MS = MIN_PULSE_MS;

export type PulseOutcome = 'counted' | 'too-short' | 'too-fast';

export class PulseFilter {
  counted = 0;
  tooShort = 0;
  tooFast = 0;
  #riseAt: number | undefined;
  #lastCounted: number | undefined;

  /** Feeds one edge; the outcome when it ends a pulse. */
  edge(t: number, level: 0 | 1): PulseOutcome | undefined {
    if (level === 1) {
      if (this.#riseAt === undefined) this.#riseAt = t;
      return undefined;
    }
    const rise = this.#riseAt;
    if (rise === undefined) return undefined;
    this.#riseAt = undefined;
    if (t - rise < MIN_PULSE_MS) {
      this.tooShort++;
      return 'too-short';
    }
    if (this.#lastCounted !== undefined && rise - this.#lastCounted < MIN_PULSE_PERIOD_MS) {
      this.tooFast++;
      return 'too-fast';
    }
    this.#lastCounted = rise;
    this.counted++;
    return 'counted';
  }
}

export interface StatusTransition {
  readonly from: 0 | 1 | undefined;
  readonly to: 0 | 1;
  readonly t: number;
}

export class StatusFilter {
  glitches = 0;
  #stable: 0 | 1 | undefined;
  #pending: { level: 0 | 1; t: number } | undefined;

  constructor(initial?: 0 | 1) {
    this.#stable = initial;
  }

  get level(): 0 | 1 | undefined {
    return this.#stable;
  }

  /** When the pending change will be committed, if there is one. */
  get pendingUntil(): number | undefined {
    return this.#pending === undefined ? undefined : this.#pending.t + DEBOUNCE_MS;
  }

  edge(t: number, level: 0 | 1): StatusTransition | undefined {
    const settled = this.settle(t);
    const pending = this.#pending;
    if (level === this.#stable) {
      if (pending !== undefined) this.glitches++;
      this.#pending = undefined;
    } else if (pending === undefined || pending.level !== level) {
      this.#pending = { level, t };
    }
    return settled;
  }

  settle(now: number): StatusTransition | undefined {
    const p = this.#pending;
    if (p === undefined || now - p.t < DEBOUNCE_MS) return undefined;
    const from = this.#stable;
    this.#stable = p.level;
    this.#pending = undefined;
    return { from, to: p.level, t: p.t };
  }
}
