/**
 * The dead-slave probes of one RTU line (rtu-master.ts, rtu-policy.ts): one
 * timer for the next probe due, the probe request learned per slave (the last
 * read it answered, else the line's `probePdu`, else a one-register read), and
 * the line's last probe for stats. The master queues the probe job itself
 * (`send`) and reports its outcome back through `probed`.
 */
import type { ModbusRequest } from '../protocol/modbus/index.js';
import type { Clock, TimerHandle } from '../shared/clock.js';
import type { ProbeRecord } from './rtu-contract.js';
import { DEFAULT_PROBE, type ProbeResult, probeFrom, type SlaveHealth } from './rtu-policy.js';

export type SendProbe = (unit: number, token: number, pdu: Uint8Array) => void;

export class RtuProbes {
  readonly #clock: Clock;
  readonly #health: SlaveHealth;
  readonly #send: SendProbe;
  readonly #fixed: Uint8Array | undefined;
  /** Per slave, the probe derived from the last read it answered. */
  readonly #learned = new Map<number, Uint8Array>();
  #timer: TimerHandle | undefined;
  #last: ProbeRecord | null = null;
  #running = false;

  constructor(clock: Clock, health: SlaveHealth, send: SendProbe, probePdu: Uint8Array | undefined) {
    this.#clock = clock;
    this.#health = health;
    this.#send = send;
    this.#fixed = probePdu;
  }

  /** The line's last probe; null when none was made since start. */
  get last(): ProbeRecord | null {
    return this.#last;
  }

  start(): void {
    this.#running = true;
  }

  stop(): void {
    this.#running = false;
    this.#timer?.cancel();
    this.#timer = undefined;
  }

  /** A slave answered `request`: a read becomes its probe. */
  learn(unit: number, request: ModbusRequest | undefined): void {
    const probe = probeFrom(request);
    if (probe !== undefined) this.#learned.set(unit, probe);
  }

  /** (Re)arms the one timer of the line's next probe. */
  schedule(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
    if (!this.#running) return;
    const at = this.#health.nextProbeAt();
    if (at === undefined) return;
    const delay = Math.max(0, Math.ceil(at - this.#clock.monotonic()));
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      this.#due();
    }, delay);
  }

  /**
   * Records a probe's outcome; true when it still counted (not superseded by a
   * reopened line) — then the next probe is scheduled.
   */
  probed(unit: number, token: number, result: ProbeResult): boolean {
    if (!this.#health.probed(token, result, this.#clock.monotonic())) return false;
    this.#last = { unit, at: this.#clock.now(), result };
    this.schedule();
    return true;
  }

  #due(): void {
    const ticket = this.#health.takeProbe(this.#clock.monotonic());
    if (ticket === undefined) {
      this.schedule();
      return;
    }
    const { unit, token } = ticket;
    this.#send(unit, token, this.#fixed ?? this.#learned.get(unit) ?? DEFAULT_PROBE);
  }
}
