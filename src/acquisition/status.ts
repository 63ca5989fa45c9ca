/**
 * Per-device communication status and back-off (PRODUCT L3, W4-like status
 * for wired devices). A poll succeeds when every read got a normal reply or a
 * Modbus exception from the device itself; it fails on a communication error
 * (timeout, connection down, busy line, gateway exception 0x0A/0x0B).
 *
 * Back-off: after `afterFailures` failed polls in a row the device is skipped
 * until `backoffUntil` (baseMs, doubling up to maxMs per further failure), so a
 * dead device does not hold the line or the TCP concurrency slots other
 * devices need. The first poll due after that time is a probe; one success
 * clears the state. Skipped periods get no readings (a gap in the history,
 * which is what a dead device means) and are counted.
 */
export const COMM_STATES = ['unknown', 'ok', 'error', 'backed-off', 'disabled', 'not-polled'] as const;
export type CommState = (typeof COMM_STATES)[number];

export interface DeviceError {
  readonly at: number;
  /** WG_ERR_* code, or `MODBUS_EXCEPTION_<n>` for a device's exception answer. */
  readonly code: string;
  readonly message: string;
}

export interface DeviceStatus {
  readonly deviceId: number;
  readonly state: CommState;
  /** Why the device cannot be polled fully (unknown model …), or null. */
  readonly problem: string | null;
  readonly lastSuccessAt: number | null;
  readonly lastAttemptAt: number | null;
  readonly lastError: DeviceError | null;
  readonly consecutiveFailures: number;
  readonly backoffUntil: number | null;
  readonly polls: number;
  readonly failures: number;
  /** Polls not made: the previous one still running (overrun) or backed off. */
  readonly skipped: number;
  /** Duration of the last poll (all its reads), ms. */
  readonly lastDurationMs: number | null;
}

export interface BackoffSettings {
  readonly afterFailures: number;
  readonly baseMs: number;
  readonly maxMs: number;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Mutated in place on every poll (no garbage per poll); `snapshot()` copies. */
export class DeviceHealth {
  readonly #s: Mutable<DeviceStatus>;

  constructor(deviceId: number, state: CommState = 'unknown', problem: string | null = null) {
    this.#s = {
      deviceId,
      state,
      problem,
      lastSuccessAt: null,
      lastAttemptAt: null,
      lastError: null,
      consecutiveFailures: 0,
      backoffUntil: null,
      polls: 0,
      failures: 0,
      skipped: 0,
      lastDurationMs: null,
    };
  }

  get state(): CommState {
    return this.#s.state;
  }

  snapshot(): DeviceStatus {
    return { ...this.#s };
  }

  /** True when a poll may start now; counts the skip otherwise. */
  mayPoll(now: number): boolean {
    const until = this.#s.backoffUntil;
    if (until === null || now >= until) return true;
    this.#s.skipped++;
    return false;
  }

  skip(): void {
    this.#s.skipped++;
  }

  setProblem(problem: string | null): void {
    this.#s.problem = problem;
  }

  /** Records a successful poll (`exception`: a device exception seen in it); true when the state changed. */
  success(now: number, durationMs: number, exception?: DeviceError): boolean {
    const s = this.#s;
    const changed = s.state !== 'ok';
    s.state = 'ok';
    s.lastSuccessAt = now;
    s.lastAttemptAt = now;
    if (exception) s.lastError = exception;
    s.consecutiveFailures = 0;
    s.backoffUntil = null;
    s.polls++;
    s.lastDurationMs = durationMs;
    return changed;
  }

  /** Records a failed poll; returns true when the state changed. */
  failure(now: number, durationMs: number, error: DeviceError, b: BackoffSettings): boolean {
    const s = this.#s;
    const before = s.state;
    s.consecutiveFailures++;
    const over = s.consecutiveFailures - b.afterFailures;
    s.backoffUntil = over >= 0 ? now + Math.min(b.maxMs, b.baseMs * 2 ** Math.min(over, 30)) : null;
    s.state = s.backoffUntil === null ? 'error' : 'backed-off';
    s.lastAttemptAt = now;
    s.lastError = error;
    s.polls++;
    s.failures++;
    s.lastDurationMs = durationMs;
    return before !== s.state;
  }
}
