/**
 * The injected clock (ARCHITECTURE convention 15). Every timeout, lockout,
 * session and schedule reads time and sets timers through a Clock, so tests
 * drive time with `ManualClock` instead of sleeping.
 */

export interface TimerHandle {
  /** Cancels the timer; calling it twice is harmless. */
  cancel(): void;
}

export interface Clock {
  /** Wall-clock milliseconds since the Unix epoch (UTC). */
  now(): number;
  /** Monotonic milliseconds with sub-millisecond resolution, for measuring durations. */
  monotonic(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  setInterval(fn: () => void, ms: number): TimerHandle;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
  setTimeout(fn, ms) {
    const t = setTimeout(fn, ms);
    return { cancel: () => clearTimeout(t) };
  },
  setInterval(fn, ms) {
    const t = setInterval(fn, ms);
    return { cancel: () => clearInterval(t) };
  },
};

interface Pending {
  id: number;
  at: number;
  every: number | undefined;
  fn: () => void;
}

/**
 * A clock that only moves when told. Timers fire in time order during
 * `advance`, each seeing `now()` equal to its due time.
 */
export class ManualClock implements Clock {
  #wall: number;
  #mono = 0;
  #seq = 0;
  #timers = new Map<number, Pending>();

  constructor(startMs = Date.UTC(2026, 0, 1)) {
    this.#wall = startMs;
  }

  now(): number {
    return this.#wall;
  }

  monotonic(): number {
    return this.#mono;
  }

  /** Steps the wall clock without moving monotonic time (an NTP or manual step). */
  setWall(ms: number): void {
    this.#wall = ms;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    return this.#add(fn, ms, undefined);
  }

  setInterval(fn: () => void, ms: number): TimerHandle {
    return this.#add(fn, ms, Math.max(1, ms));
  }

  /** Number of timers not yet fired or cancelled. */
  get pendingTimers(): number {
    return this.#timers.size;
  }

  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError('ManualClock.advance needs ms >= 0');
    const end = this.#mono + ms;
    for (;;) {
      const next = this.#nextDue(end);
      if (!next) break;
      this.#wall += next.at - this.#mono;
      this.#mono = next.at;
      if (next.every === undefined) this.#timers.delete(next.id);
      else next.at += next.every;
      next.fn();
    }
    this.#wall += end - this.#mono;
    this.#mono = end;
  }

  #nextDue(limit: number): Pending | undefined {
    let best: Pending | undefined;
    for (const p of this.#timers.values()) {
      if (p.at <= limit && (!best || p.at < best.at || (p.at === best.at && p.id < best.id))) best = p;
    }
    return best;
  }

  #add(fn: () => void, ms: number, every: number | undefined): TimerHandle {
    const id = ++this.#seq;
    this.#timers.set(id, { id, at: this.#mono + Math.max(0, ms), every, fn });
    return { cancel: () => this.#timers.delete(id) };
  }
}
