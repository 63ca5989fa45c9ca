/**
 * The digital inputs Part (PRODUCT L5): the input driver, one InputChannel per
 * configured input (DI1, DI2), following the `inputs` section live, and the
 * provider unit 255 reads (`DigitalInputsProvider`: GatewayContext
 * `digitalInputs`).
 *
 * - Edges from the driver go through the channel's filter; a debounced status
 *   change is committed 30 ms after its edge by a timer on the injected clock.
 * - Events (events.ts): `inputs.status` on every committed status change,
 *   `inputs.samples` once a minute (aligned to the clock): each input's
 *   counters as readings (devices/reading.ts; series `input:DI1_di_<field>`), `inputs.counter-set` when a Modbus client sets a counter (FC 16
 *   on unit 255; the audit seam).
 * - A changed input configuration restarts that input's filter; its counters
 *   are kept unless its kind changed (pulse ↔ status).
 * - `store` (optional) keeps the counters across restarts: loaded at start,
 *   saved with each minute's readings and at stop.
 */
import type { InputChannelConfig, InputName, InputsConfig } from '../config/schema-inputs.js';
import { INPUT_NAMES } from '../config/schema-inputs.js';
import type { Reading, ReadingOrigin } from '../devices/reading.js';
import { inputSeriesId } from '../devices/series-id.js';
import type {
  DigitalInputField,
  DigitalInputsProvider,
  DigitalInputsView,
  DigitalInputView,
} from '../modbus/gateway-digital-inputs.js';
import type { Clock, TimerHandle } from '../shared/clock.js';
import type { ConfigView } from '../shared/config-view.js';
import { ErrorCodes, WattgateError } from '../shared/errors.js';
import type { Part } from '../shared/lifecycle.js';
import type { Logger } from '../shared/logger.js';
import { type ChannelEvent, type CounterState, InputChannel } from './channel.js';
import type { InputDriver, InputEdge } from './driver.js';
import { InputsEventNames, type InputsEventSink } from './events.js';
import { createSimulatedInputs } from './simulator.js';

export interface CounterStore {
  load(): Partial<Record<InputName, CounterState>> | undefined;
  save(state: Partial<Record<InputName, CounterState>>): void;
}

export type InputDriverFactory = (
  kind: InputsConfig['driver'],
  ctx: { clock: Clock; config: ConfigView<InputsConfig> },
) => InputDriver;

export interface InputsContext {
  readonly log: Logger;
  readonly clock: Clock;
  readonly events: InputsEventSink;
  readonly config: ConfigView<InputsConfig>;
  /** Default: the simulated driver. */
  readonly createDriver?: InputDriverFactory;
  readonly store?: CounterStore;
}

const READINGS_EVERY_MS = 60_000;

export class InputsPart implements Part, DigitalInputsProvider {
  readonly name = 'inputs';
  readonly #ctx: InputsContext;
  readonly #channels = new Map<InputName, InputChannel>();
  readonly #origins = Object.fromEntries(INPUT_NAMES.map((n) => [n, { kind: 'input', id: n }])) as Record<
    InputName,
    ReadingOrigin
  >;
  #driver: InputDriver | undefined;
  #off: Array<() => void> = [];
  #settleTimers = new Map<InputName, TimerHandle>();
  #minute: TimerHandle | undefined;

  constructor(ctx: InputsContext) {
    this.#ctx = ctx;
  }

  async start(): Promise<void> {
    const cfg = this.#ctx.config.get();
    const factory = this.#ctx.createDriver ?? ((_kind, c) => createSimulatedInputs(c));
    this.#driver = factory(cfg.driver, { clock: this.#ctx.clock, config: this.#ctx.config });
    await this.#driver.start();
    this.#apply(cfg, this.#ctx.store?.load() ?? {});
    this.#off = [
      this.#driver.onEdges((edges) => this.#edges(edges)),
      this.#ctx.config.subscribe((next) => this.#apply(next, {})),
    ];
    this.#scheduleMinute();
  }

  async stop(): Promise<void> {
    for (const off of this.#off.splice(0)) off();
    for (const t of this.#settleTimers.values()) t.cancel();
    this.#settleTimers.clear();
    this.#minute?.cancel();
    this.#minute = undefined;
    this.#save();
    await this.#driver?.stop();
    this.#driver = undefined;
  }

  /** DigitalInputsProvider: what unit 255 reports now. */
  read(): DigitalInputsView {
    const now = this.#ctx.clock.now();
    const out: Partial<Record<InputName, DigitalInputView>> = {};
    for (const [name, ch] of this.#channels) out[name] = ch.view(now, this.#driver?.level(name));
    return out;
  }

  /** DigitalInputsProvider: a Modbus client sets a resettable counter. */
  write(input: InputName, field: DigitalInputField, value: number, source: string): void {
    const ch = this.#channels.get(input);
    const now = this.#ctx.clock.now();
    if (ch === undefined || !ch.write(field, value, now)) {
      throw new WattgateError(ErrorCodes.INVALID_ARGUMENT, `${input} has no ${field} counter`);
    }
    this.#ctx.events.emit(InputsEventNames.COUNTER_SET, { input, field, value, source, t: now });
  }

  /** Filter counters per input (rejected pulses, glitches). */
  stats(): Partial<
    Record<InputName, { counted: number; tooShort: number; tooFast: number; glitches: number }>
  > {
    const out: Partial<
      Record<InputName, { counted: number; tooShort: number; tooFast: number; glitches: number }>
    > = {};
    for (const [name, ch] of this.#channels) {
      const { counted, tooShort, tooFast } = ch.pulses;
      out[name] = { counted, tooShort, tooFast, glitches: ch.status.glitches };
    }
    return out;
  }

  /** The running driver (tests reach the simulator through it). */
  get driver(): InputDriver | undefined {
    return this.#driver;
  }

  #apply(cfg: InputsConfig, saved: Partial<Record<InputName, CounterState>>): void {
    const now = this.#ctx.clock.now();
    for (const name of INPUT_NAMES) {
      const next = cfg.channels[name];
      const old = this.#channels.get(name);
      if (next === undefined) {
        this.#channels.delete(name);
      } else if (old === undefined || JSON.stringify(old.config) !== JSON.stringify(next)) {
        const keep = old !== undefined && old.config.kind === next.kind ? old.state(now) : saved[name];
        this.#channels.set(name, this.#channel(name, next, keep, now));
      }
    }
  }

  #channel(
    name: InputName,
    cfg: InputChannelConfig,
    saved: CounterState | undefined,
    now: number,
  ): InputChannel {
    const ch = new InputChannel(name, cfg, this.#driver?.level(name), saved);
    ch.begin(now);
    return ch;
  }

  #edges(edges: readonly InputEdge[]): void {
    for (const e of edges) {
      const ch = this.#channels.get(e.input);
      if (ch === undefined) continue;
      this.#publish(ch, ch.edge(e.t, e.level));
      this.#armSettle(ch);
    }
  }

  #armSettle(ch: InputChannel): void {
    this.#settleTimers.get(ch.name)?.cancel();
    const until = ch.status.pendingUntil;
    if (ch.config.kind !== 'status' || until === undefined) return;
    const delay = Math.max(0, until - this.#ctx.clock.now());
    const timer = this.#ctx.clock.setTimeout(() => {
      this.#settleTimers.delete(ch.name);
      this.#publish(ch, ch.settle(this.#ctx.clock.now()));
    }, delay);
    this.#settleTimers.set(ch.name, timer);
  }

  #publish(ch: InputChannel, ev: ChannelEvent | undefined): void {
    if (ev?.kind !== 'status') return;
    this.#ctx.events.emit(InputsEventNames.STATUS, {
      input: ch.name,
      name: ch.config.name,
      logical: ev.logical,
      level: ev.transition.to,
      t: ev.transition.t,
    });
  }

  #scheduleMinute(): void {
    const now = this.#ctx.clock.now();
    const delay = READINGS_EVERY_MS - (now % READINGS_EVERY_MS);
    this.#minute = this.#ctx.clock.setTimeout(() => {
      this.#readings();
      this.#scheduleMinute();
    }, delay);
  }

  #readings(): void {
    const now = this.#ctx.clock.now();
    for (const [name, ch] of this.#channels) {
      const v = ch.view(now, this.#driver?.level(name));
      const fields: Array<[string, number | null]> =
        v.mode === 'pulse'
          ? [
              ['pulses', v.pulsesTotal],
              ['accumulated', v.accumulated],
              ['flow', v.flow],
            ]
          : [
              ['logical', v.logical],
              ['operations', v.operationsTotal],
              ['operatingTimeS', v.operatingTimeTotalS],
            ];
      const readings = fields.map(
        ([key, value]): Reading => ({
          seriesId: inputSeriesId(name, key),
          key,
          t: now,
          value,
          quality: value === null || Number.isNaN(value) ? 'invalid' : 'valid',
        }),
      );
      this.#ctx.events.emit(InputsEventNames.SAMPLES, {
        origin: this.#origins[name],
        t: now,
        periodMs: READINGS_EVERY_MS,
        readings,
      });
    }
    this.#save();
  }

  #save(): void {
    const store = this.#ctx.store;
    if (store === undefined) return;
    const now = this.#ctx.clock.now();
    const state: Partial<Record<InputName, CounterState>> = {};
    for (const [name, ch] of this.#channels) state[name] = ch.state(now);
    try {
      store.save(state);
    } catch (error) {
      this.#ctx.log.warn({ err: error }, 'digital input counters not saved');
    }
  }
}

export function createInputsPart(ctx: InputsContext): InputsPart {
  return new InputsPart(ctx);
}
