/**
 * The simulator radio driver (PRODUCT W1: the default driver, for demos and
 * tests): a RadioDriver whose "air" holds the simulated sensors of
 * `wireless.simulator.sensors` (followed live: sensors added or removed at
 * once, unchanged ones keep their counters).
 *
 * Every sensor transmits at its period on the injected clock (the first time
 * after a delay spread over one period, from its radio id, so a panel of
 * sensors does not report in one burst). A transmission is an air frame
 * (air-frame.ts) encoded by the sensor and decoded here like untrusted input;
 * `lossRate` corrupts that share of frames, which the parser drops (counted
 * in `stats`, and seen by the registry as sequence gaps → PER).
 *
 * - A sensor in the network (setNetwork) reports `frame`s.
 * - A sensor not in the network tries to join at each period: while
 *   discovery is open it joins (`joined`, with its model and identification)
 *   unless `requireInstallCodes` is on and it has an install code that is
 *   not among the codes given to `permitJoin`; otherwise it is `unknown`.
 * - `send`: the command goes over the air too (an air frame the sensor
 *   decodes); the sensor applies it and answers with a report at once.
 *   Radio stopped → UNAVAILABLE; sensor disconnected or absent → TIMEOUT;
 *   refused value → INVALID_ARGUMENT.
 * - `sensor(rfIdHex)` gives tests and the demo the sensor, to `disconnect()`
 *   or `reconnect()` it.
 */
import type { SimulatedSensorConfig, WirelessConfig } from '../../src/config/schema-wireless.js';
import type { TimerHandle } from '../../src/shared/clock.js';
import { ErrorCodes, WattgateError } from '../../src/shared/errors.js';
import { TypedEvents } from '../../src/shared/events.js';
import type {
  InstallCode,
  NetworkMember,
  RadioCommand,
  RadioDriver,
  RadioDriverEvents,
  RfId,
} from '../../src/wireless/driver.js';
import type { RadioDriverContext } from '../../src/wireless/part.js';
import { formatRfId, parseRfId } from '../../src/wireless/rf-id.js';
import { AirFrameTypes, decodeAirFrame, encodeAirFrame } from './air-frame.js';
import { SimulatedSensor } from './sensor.js';

export interface SimulatorRadioOptions {
  /** Share of frames corrupted on the air (0–1; default 0). */
  readonly lossRate?: number;
  /** Random source for the losses (default Math.random). */
  readonly random?: () => number;
}

interface Slot {
  readonly key: string;
  readonly sensor: SimulatedSensor;
  timer: TimerHandle | undefined;
}

export class SimulatorRadio implements RadioDriver {
  readonly kind = 'simulator';
  readonly events: TypedEvents<RadioDriverEvents>;
  readonly stats = { framesSent: 0, framesDropped: 0, commands: 0 };
  readonly #ctx: RadioDriverContext;
  readonly #opts: SimulatorRadioOptions;
  readonly #slots = new Map<string, Slot>();
  #members = new Set<string>();
  #permit: { until: number; codes: readonly InstallCode[]; timer: TimerHandle } | undefined;
  #running = false;
  #unsubscribe: (() => void) | undefined;

  constructor(ctx: RadioDriverContext, opts: SimulatorRadioOptions = {}) {
    this.#ctx = ctx;
    this.#opts = opts;
    this.events = new TypedEvents<RadioDriverEvents>((event, error) =>
      ctx.log.error({ err: error, event }, 'wireless event listener failed'),
    );
  }

  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    this.#sync(this.#ctx.config.get());
    this.#unsubscribe = this.#ctx.config.subscribe((next) => this.#sync(next));
  }

  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    for (const slot of this.#slots.values()) this.#unschedule(slot);
    this.#closePermit();
  }

  setNetwork(members: readonly NetworkMember[]): void {
    this.#members = new Set(members.map((m) => formatRfId(m.rfId)));
  }

  async permitJoin(durationS: number, installCodes: readonly InstallCode[] = []): Promise<void> {
    if (!this.#running) throw new WattgateError(ErrorCodes.UNAVAILABLE, 'the radio is stopped');
    this.#closePermit();
    if (durationS <= 0) return;
    const until = this.#ctx.clock.now() + durationS * 1000;
    const timer = this.#ctx.clock.setTimeout(() => this.#closePermit(), durationS * 1000);
    this.#permit = { until, codes: installCodes, timer };
    this.events.emit('permit-join', { open: true, until });
  }

  async remove(rfId: RfId): Promise<void> {
    const hex = formatRfId(rfId);
    this.#members.delete(hex);
    this.events.emit('left', { rfId, t: this.#ctx.clock.now(), reason: 'removed' });
  }

  async send(command: RadioCommand, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw new WattgateError(ErrorCodes.ABORTED, 'command abandoned');
    if (!this.#running) throw new WattgateError(ErrorCodes.UNAVAILABLE, 'the radio is stopped');
    const slot = this.#slots.get(formatRfId(command.rfId));
    if (slot === undefined || !slot.sensor.reachable || !this.#members.has(slot.sensor.rfIdHex)) {
      throw new WattgateError(ErrorCodes.TIMEOUT, `no acknowledgement from ${formatRfId(command.rfId)}`);
    }
    const air = encodeAirFrame({
      type: AirFrameTypes.COMMAND,
      rfId: command.rfId,
      seq: this.stats.commands++ & 0xff,
      periodS: 0,
      values: { [command.key]: command.value },
    });
    const heard = decodeAirFrame(air);
    const value = heard.ok ? heard.frame.values[command.key] : undefined;
    if (typeof value !== 'number' && typeof value !== 'bigint') {
      throw new WattgateError(ErrorCodes.TIMEOUT, 'command lost');
    }
    const now = this.#ctx.clock.now();
    if (!slot.sensor.apply(command.key, value, now)) {
      throw new WattgateError(ErrorCodes.INVALID_ARGUMENT, `${command.key} refused by the device`);
    }
    this.#transmit(slot.sensor, now);
  }

  /** A simulated sensor by radio id (tests, demo). */
  sensor(rfIdHex: string): SimulatedSensor | undefined {
    return this.#slots.get(rfIdHex.toUpperCase())?.sensor;
  }

  sensors(): SimulatedSensor[] {
    return [...this.#slots.values()].map((s) => s.sensor);
  }

  #sync(cfg: WirelessConfig): void {
    const wanted = new Map(cfg.simulator.sensors.map((s) => [s.rfId.toUpperCase(), s]));
    for (const [hex, slot] of this.#slots) {
      const s = wanted.get(hex);
      if (s === undefined || JSON.stringify(s) !== slot.key) {
        this.#unschedule(slot);
        this.#slots.delete(hex);
      }
    }
    for (const [hex, s] of wanted) {
      const existing = this.#slots.get(hex);
      if (existing !== undefined) {
        if (this.#running && existing.timer === undefined) this.#schedule(existing);
        continue;
      }
      const sensor = this.#create(s);
      if (sensor === undefined) continue;
      const slot: Slot = { key: JSON.stringify(s), sensor, timer: undefined };
      this.#slots.set(hex, slot);
      if (this.#running) this.#schedule(slot);
    }
  }

  #create(s: SimulatedSensorConfig): SimulatedSensor | undefined {
    const model = this.#ctx.models.get(s.model);
    if (model === undefined) {
      this.#ctx.log.warn({ rfId: s.rfId, model: s.model }, 'simulated sensor skipped: unknown model');
      return undefined;
    }
    return new SimulatedSensor({
      rfId: parseRfId(s.rfId),
      model,
      periodS: s.periodSeconds ?? model.wireless?.periodSeconds ?? 60,
      now: this.#ctx.clock.now(),
      ...(s.profile ? { profile: s.profile } : {}),
      ...(s.ratedPowerW ? { ratedPowerW: s.ratedPowerW } : {}),
      ...(s.installCode ? { installCode: s.installCode } : {}),
    });
  }

  #schedule(slot: Slot): void {
    const periodMs = slot.sensor.periodS * 1000;
    const first = Number(slot.sensor.rfId % BigInt(periodMs));
    slot.timer = this.#ctx.clock.setTimeout(() => {
      this.#tick(slot);
      slot.timer = this.#ctx.clock.setInterval(() => this.#tick(slot), periodMs);
    }, first);
  }

  #unschedule(slot: Slot): void {
    slot.timer?.cancel();
    slot.timer = undefined;
  }

  #tick(slot: Slot): void {
    const t = this.#ctx.clock.now();
    const sensor = slot.sensor;
    if (!sensor.reachable) {
      sensor.advance(t);
      return;
    }
    if (this.#members.has(sensor.rfIdHex)) this.#transmit(sensor, t);
    else this.#tryJoin(sensor, t);
  }

  #transmit(sensor: SimulatedSensor, t: number): void {
    const { seq, values } = sensor.report(t);
    const air = encodeAirFrame({
      type: AirFrameTypes.REPORT,
      rfId: sensor.rfId,
      seq,
      periodS: sensor.periodS,
      values,
    });
    const lossRate = this.#opts.lossRate ?? 0;
    if (lossRate > 0 && (this.#opts.random ?? Math.random)() < lossRate) {
      const at = Math.floor(air.length / 2);
      air[at] = (air[at] ?? 0) ^ 0x5a; // the CRC no longer matches
    }
    const heard = decodeAirFrame(air);
    if (!heard.ok) {
      this.stats.framesDropped++;
      return;
    }
    this.stats.framesSent++;
    const f = heard.frame;
    this.events.emit('frame', {
      rfId: f.rfId,
      t,
      seq: f.seq,
      periodS: f.periodS,
      values: f.values,
      ...sensor.link(),
    });
  }

  #tryJoin(sensor: SimulatedSensor, t: number): void {
    const modelId = sensor.model.id;
    const permit = this.#permit;
    if (permit === undefined || t >= permit.until) {
      this.events.emit('unknown', { rfId: sensor.rfId, t, modelId, reason: 'not-permitted' });
      return;
    }
    const needsCode = this.#ctx.config.get().requireInstallCodes && sensor.installCode !== undefined;
    const codeOk = permit.codes.some(
      (c) => c.code.toUpperCase() === sensor.installCode && (c.rfId === undefined || c.rfId === sensor.rfId),
    );
    if (needsCode && !codeOk) {
      this.events.emit('unknown', { rfId: sensor.rfId, t, modelId, reason: 'install-code' });
      return;
    }
    const identification = sensor.identification();
    this.events.emit('joined', { rfId: sensor.rfId, t, modelId, identification, periodS: sensor.periodS });
  }

  #closePermit(): void {
    const permit = this.#permit;
    if (permit === undefined) return;
    permit.timer.cancel();
    this.#permit = undefined;
    this.events.emit('permit-join', { open: false });
  }
}

/** The factory the composition root passes as `createDriver` (one driver kind today). */
export function createSimulatorDriver(
  ctx: RadioDriverContext,
  opts: SimulatorRadioOptions = {},
): SimulatorRadio {
  return new SimulatorRadio(ctx, opts);
}
