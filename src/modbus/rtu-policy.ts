/**
 * Retry and dead-slave decisions of the RTU master (SECURITY H5, H6; PRODUCT
 * G5 "a dead slave does not starve the others"), pure: time is passed in.
 *
 * Retries. A request that the codec decoded and that does not write (FC 1–4,
 * 8, 17, 43/14, 100-4 …) gets `1 + retries` attempts. A write (the codec's
 * WRITE_FUNCTION_CODES: 5, 6, 15, 16, 21, 22, 23) and a raw request the codec
 * does not interpret (its effect is unknown) get one attempt, unless the line
 * sets `retryWrites`: a write that timed out may still have acted, so
 * repeating it is the operator's choice.
 * An attempt ends 'ok' (a reply), 'silent' (no byte came back) or 'corrupt'
 * (bytes came back but no valid reply: bad CRC, garbage, a partial frame).
 * After the last attempt: every attempt corrupt → exception 0x04 (the slave
 * is there but its replies are damaged); otherwise → 0x0B (timeout).
 *
 * What counts towards "dead" (`countsTowardDead`). Only silence to a request
 * that a healthy slave must answer: a request to a slave address (unit ≠ 0)
 * of the basic data-access codes, decoded by the codec — FC 1, 2, 3, 4 (reads)
 * and 5, 6, 15, 16 (writes). Every Modbus slave answers these with data or an
 * exception (01 for a code it lacks, 02/03 for an address or a value it
 * refuses). Silence to anything else proves nothing about the slave and is
 * not counted:
 * - raw requests (codes the codec does not interpret: user-defined 65–72 and
 *   100–110, reserved codes, FC 43 with another MEI type, FC 100 with another
 *   sub-code): many slaves ignore codes they do not know;
 * - the optional public codes (7, 8, 11, 12, 17, 20–24, 43/14, 100-4): many field
 *   devices do not implement them and stay silent instead of answering 01;
 *   FC 8 sub-function 4 (force listen-only) is silent by definition;
 * - broadcasts (unit 0): never answered.
 * An uncounted silence neither counts nor clears the streak; a valid reply
 * to any request (counted or not) clears it; corrupt replies neither count
 * towards nor clear it. So a client sending codes a slave ignores gets 0x0B
 * for its own requests after the timeout; it cannot take the slave away from
 * the other clients.
 *
 * Dead slaves. `SlaveHealth` counts consecutive counted silent attempts per
 * slave. After `deadAfter` of them (default 3) the slave is backed off: every
 * request to it (any client, any code) fails fast with 0x0B without touching
 * the line, so the other slaves are not starved. It stays backed off until a
 * probe answers.
 *
 * Probes. The master, never a client's request, decides when the slave
 * returns. When a back-off period ends (the first lasts `baseMs`, default 1 s)
 * the master sends one probe through the line's queue at low priority, one
 * attempt, and at most one probe per line is queued or on the wire at a time
 * (slaves due together wait their turn, earliest due first). A probe is sent
 * only for a slave that is wanted: always at the end of the first period, then
 * only if a request for it came (and failed fast) since the last probe; a
 * slave nobody asks for costs the line nothing, and the first request for it
 * after its period (still answered 0x0B) sends its probe at once. The probe
 * is a read of one register or bit (`probeFrom`): the function code and start
 * address of the last read (FC 1–4) the slave answered, else FC 3 register 0
 * quantity 1 (`DEFAULT_PROBE`). Any reply ends the back-off at once: a
 * well-formed one, an exception included (02 for an unmapped register still
 * proves the slave alive), or even a corrupt one (only the addressed slave
 * speaks on an RTU line). Silence starts the next period, twice as long, up
 * to `maxMs` (default 60 s). A probe that could not be sent (queue full,
 * evicted, expired, line closed) is tried again `baseMs` later without
 * lengthening the period. Client requests keep failing fast while the probe
 * is queued or on the wire; a slave that answers again (and is asked for) is
 * back in service after the first probe that follows, at most one period
 * (≤ `maxMs`) later.
 */
import { type ModbusRequest, WRITE_FUNCTION_CODES } from '../protocol/modbus/index.js';

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

/** The codes a healthy slave must answer (data or an exception): silence to them counts towards dead. */
export const DEAD_COUNTING_FUNCTION_CODES: ReadonlySet<number> = new Set([1, 2, 3, 4, 5, 6, 15, 16]);

/** Whether silence to this request counts towards "dead"; `raw`: the codec does not interpret it. */
export function countsTowardDead(unit: number, fc: number, raw: boolean): boolean {
  return unit !== 0 && !raw && DEAD_COUNTING_FUNCTION_CODES.has(fc);
}

/** The probe when the slave never answered a read: FC 3, register 0, quantity 1. */
export const DEFAULT_PROBE: Uint8Array = Uint8Array.of(3, 0, 0, 0, 1);

/** The probe a slave that answered `request` will answer too: the same read of one item; else undefined. */
export function probeFrom(request: ModbusRequest | undefined): Uint8Array | undefined {
  if (request?.kind !== 'read-bits' && request?.kind !== 'read-registers') return undefined;
  return Uint8Array.of(request.fc, request.address >> 8, request.address & 0xff, 0, 1);
}

export interface SlaveHealthOptions {
  /** Consecutive counted silent attempts before a slave is backed off; default 3. */
  readonly deadAfter?: number;
  /** First back-off period, and the retry delay of a probe that could not be sent, ms; default 1000. */
  readonly baseMs?: number;
  /** Longest back-off period, ms; default 60 000. */
  readonly maxMs?: number;
}

export const SLAVE_HEALTH_DEFAULTS = { deadAfter: 3, baseMs: 1000, maxMs: 60_000 } as const;

/** 'ok': send normally; 'backed-off': fail fast with 0x0B. */
export type SlaveGate = 'ok' | 'backed-off';

/** A probe's outcome: 'alive' (any reply), 'silent', or 'not-sent' (it never reached the line). */
export type ProbeResult = 'alive' | 'silent' | 'not-sent';

/** One backed-off slave; times are monotonic ms (the clock's `monotonic()`). */
export interface BackedOffSlave {
  readonly unit: number;
  /** When it was backed off. */
  readonly since: number;
  /** When the current period ends: its probe is due then. */
  readonly until: number;
  /** Back-off periods in a row, the current one included (1, 2, …). */
  readonly periods: number;
  /** Its probe is queued or on the wire. */
  readonly probing: boolean;
  /** A probe will be sent when the period ends: first period, or a request came since the last probe. */
  readonly wanted: boolean;
  /** The last probe of this back-off; undefined before the first. */
  readonly lastProbe: { readonly at: number; readonly result: ProbeResult } | undefined;
}

/** A probe handed out by `takeProbe`; its `token` reports the result. */
export interface ProbeTicket {
  readonly unit: number;
  readonly token: number;
}

interface SlaveState {
  /** Consecutive counted silent attempts (before the back-off). */
  silent: number;
  /** Back-off periods in a row (0: not backed off). */
  periods: number;
  /** Probe at the end of the period: the first one, or asked for since the last probe. */
  wanted: boolean;
  since: number;
  until: number;
  lastProbe: { at: number; result: ProbeResult } | undefined;
}

export class SlaveHealth {
  readonly #deadAfter: number;
  readonly #baseMs: number;
  readonly #maxMs: number;
  readonly #slaves = new Map<number, SlaveState>();
  #probing: ProbeTicket | undefined;
  #tokens = 0;

  constructor(options: SlaveHealthOptions = {}) {
    this.#deadAfter = Math.max(1, options.deadAfter ?? SLAVE_HEALTH_DEFAULTS.deadAfter);
    this.#baseMs = options.baseMs ?? SLAVE_HEALTH_DEFAULTS.baseMs;
    this.#maxMs = options.maxMs ?? SLAVE_HEALTH_DEFAULTS.maxMs;
  }

  /** Backed off from the `deadAfter`-th counted silence until a probe answers. */
  gate(unit: number): SlaveGate {
    return (this.#slaves.get(unit)?.periods ?? 0) > 0 ? 'backed-off' : 'ok';
  }

  /** Slaves backed off now (probe pending or not), ascending. */
  backedOff(): number[] {
    return [...this.#slaves]
      .filter(([, s]) => s.periods > 0)
      .map(([u]) => u)
      .sort((a, b) => a - b);
  }

  /**
   * One attempt of a client's request; `counts`: `countsTowardDead` of it.
   * True when this attempt backed the slave off. Ignored while backed off
   * (only probes decide then).
   */
  record(unit: number, result: AttemptResult, now: number, counts: boolean): boolean {
    const s = this.#slaves.get(unit);
    if (s !== undefined && s.periods > 0) return false;
    if (result === 'ok') {
      this.#slaves.delete(unit);
      return false;
    }
    if (result === 'corrupt' || !counts) return false;
    const state = s ?? { silent: 0, periods: 0, wanted: false, since: 0, until: 0, lastProbe: undefined };
    this.#slaves.set(unit, state);
    state.silent++;
    if (state.silent < this.#deadAfter) return false;
    state.periods = 1;
    state.wanted = true;
    state.since = now;
    state.until = now + Math.min(this.#maxMs, this.#baseMs);
    return true;
  }

  /** A request for a backed-off slave failed fast: probe it when its period ends. True when that is news. */
  want(unit: number): boolean {
    const s = this.#slaves.get(unit);
    if (s === undefined || s.periods === 0 || s.wanted) return false;
    s.wanted = true;
    return true;
  }

  /** When the next probe is due; undefined when a probe is out or no backed-off slave is wanted. */
  nextProbeAt(): number | undefined {
    if (this.#probing !== undefined) return undefined;
    let at: number | undefined;
    for (const s of this.#slaves.values()) {
      if (s.periods > 0 && s.wanted && (at === undefined || s.until < at)) at = s.until;
    }
    return at;
  }

  /** The slave whose probe is due first at `now`, marked as probing; undefined when none or one is out. */
  takeProbe(now: number): ProbeTicket | undefined {
    if (this.#probing !== undefined) return undefined;
    let due: [number, SlaveState] | undefined;
    for (const e of this.#slaves) {
      const s = e[1];
      if (s.periods > 0 && s.wanted && s.until <= now && (due === undefined || s.until < due[1].until))
        due = e;
    }
    if (due === undefined) return undefined;
    due[1].wanted = false;
    this.#probing = { unit: due[0], token: ++this.#tokens };
    return this.#probing;
  }

  /** Whether this probe is still the line's current one (the state was not cleared meanwhile). */
  isCurrent(token: number): boolean {
    return this.#probing?.token === token;
  }

  /** The result of the current probe; false (ignored) for a stale token. */
  probed(token: number, result: ProbeResult, now: number): boolean {
    const p = this.#probing;
    if (p === undefined || p.token !== token) return false;
    this.#probing = undefined;
    const s = this.#slaves.get(p.unit);
    if (s === undefined || s.periods === 0) return false;
    s.lastProbe = { at: now, result };
    if (result === 'alive') this.#slaves.delete(p.unit);
    else if (result === 'not-sent') {
      s.until = now + this.#baseMs;
      s.wanted = true;
    } else {
      s.until = now + Math.min(this.#maxMs, this.#baseMs * 2 ** Math.min(s.periods, 30));
      s.periods++;
    }
    return true;
  }

  /** Every backed-off slave, ascending unit. */
  snapshot(): BackedOffSlave[] {
    const out: BackedOffSlave[] = [];
    for (const [unit, s] of this.#slaves) {
      if (s.periods === 0) continue;
      const { since, until, periods, wanted, lastProbe } = s;
      out.push({ unit, since, until, periods, probing: this.#probing?.unit === unit, wanted, lastProbe });
    }
    return out.sort((a, b) => a.unit - b.unit);
  }

  /** Forgets every slave and any probe out (the line reopened). */
  clear(): void {
    this.#slaves.clear();
    this.#probing = undefined;
  }
}
