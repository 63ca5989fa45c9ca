/**
 * Retry and dead-slave decisions of the RTU master (SECURITY H5, H6), pure.
 *
 * Retries. A request that the codec decoded and that does not write (FC 1–4,
 * 7, 8, 11, 12, 17, 20, 24, 43, 100 …) gets `1 + retries` attempts. A write
 * (the codec's WRITE_FUNCTION_CODES: 5, 6, 15, 16, 21, 22, 23) and a raw
 * request the codec does not interpret (its effect is unknown) get one
 * attempt, unless the line sets `retryWrites`: a write that timed out may
 * still have acted, so repeating it is the operator's choice.
 * An attempt ends 'ok' (a reply), 'silent' (no byte came back) or 'corrupt'
 * (bytes came back but no valid reply: bad CRC, garbage, a partial frame).
 * After the last attempt: every attempt corrupt → exception 0x04 (the slave
 * is there but its replies are damaged); otherwise → 0x0B (timeout).
 *
 * Dead slaves. `SlaveHealth` counts consecutive silent attempts per slave.
 * After `deadAfter` of them (default 3) the slave is backed off for a period
 * that starts at `baseMs` (default 1 s) and doubles up to `maxMs` (default
 * 60 s): its requests fail fast with 0x0B without touching the line, so the
 * other slaves are not starved. When the period ends, the next request is a
 * single-attempt probe: a reply (even corrupt: the slave lives) clears the
 * state; silence starts the next, longer period. Corrupt replies neither count
 * towards nor clear the silent streak before the slave is backed off.
 */
import { WRITE_FUNCTION_CODES } from '../protocol/modbus/index.js';

export type AttemptResult = 'ok' | 'silent' | 'corrupt';

export interface RetryPolicy {
  readonly retries: number;
  readonly retryWrites: boolean;
}

/** Attempts allowed for one request; `raw`: the codec does not interpret it. */
export function attemptsFor(fc: number, raw: boolean, policy: RetryPolicy): number {
  const write = raw || WRITE_FUNCTION_CODES.has(fc);
  return 1 + (write && !policy.retryWrites ? 0 : policy.retries);
}

/** The failure after the last attempt: 'corrupt' (→ 0x04) only when every attempt was corrupt. */
export function finalFailure(results: readonly AttemptResult[]): 'timeout' | 'corrupt' {
  return results.length > 0 && results.every((r) => r === 'corrupt') ? 'corrupt' : 'timeout';
}

export interface SlaveHealthOptions {
  /** Consecutive silent attempts before a slave is backed off; default 3. */
  readonly deadAfter?: number;
  /** First back-off period, ms; default 1000. */
  readonly baseMs?: number;
  /** Longest back-off period, ms; default 60 000. */
  readonly maxMs?: number;
}

export const SLAVE_HEALTH_DEFAULTS = { deadAfter: 3, baseMs: 1000, maxMs: 60_000 } as const;

/** 'ok': send normally; 'probe': send one attempt; 'backed-off': fail fast with 0x0B. */
export type SlaveGate = 'ok' | 'probe' | 'backed-off';

interface SlaveState {
  silent: number;
  /** Back-off periods served in a row (0: not backed off). */
  periods: number;
  until: number;
}

export class SlaveHealth {
  readonly #deadAfter: number;
  readonly #baseMs: number;
  readonly #maxMs: number;
  readonly #slaves = new Map<number, SlaveState>();

  constructor(options: SlaveHealthOptions = {}) {
    this.#deadAfter = options.deadAfter ?? SLAVE_HEALTH_DEFAULTS.deadAfter;
    this.#baseMs = options.baseMs ?? SLAVE_HEALTH_DEFAULTS.baseMs;
    this.#maxMs = options.maxMs ?? SLAVE_HEALTH_DEFAULTS.maxMs;
  }

  gate(unit: number, now: number): SlaveGate {
    const s = this.#slaves.get(unit);
    if (s === undefined || s.periods === 0) return 'ok';
    return now < s.until ? 'backed-off' : 'probe';
  }

  /** Slaves in a back-off period now. */
  backedOff(now: number): number[] {
    return [...this.#slaves].filter(([, s]) => s.periods > 0 && now < s.until).map(([u]) => u);
  }

  record(unit: number, result: AttemptResult, now: number): void {
    if (result !== 'silent') {
      const s = this.#slaves.get(unit);
      if (result === 'ok' || (s !== undefined && s.periods > 0)) this.#slaves.delete(unit);
      return;
    }
    const s = this.#slaves.get(unit) ?? { silent: 0, periods: 0, until: 0 };
    this.#slaves.set(unit, s);
    s.silent++;
    if (s.periods === 0 && s.silent < this.#deadAfter) return;
    const period = Math.min(this.#maxMs, this.#baseMs * 2 ** Math.min(s.periods, 30));
    s.periods++;
    s.until = now + period;
  }

  /** Forgets every slave (the line reopened). */
  clear(): void {
    this.#slaves.clear();
  }
}
