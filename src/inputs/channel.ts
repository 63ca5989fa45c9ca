/**
 * One local digital input (PRODUCT L5): its configuration, its filter
 * (filters.ts) and its counters, and the view unit 255 reports
 * (src/modbus/gateway-digital-inputs.ts).
 *
 * Pulse input: counted pulses, non-resettable and resettable; accumulated
 * value = round(pulses × weight) + offset (in the input's unit); flow = what
 * the pulses of the last 60 s are worth, per hour.
 * Status input: logical level = electrical level after polarity; operations
 * = activations (inactive → active), operating time = time active, in whole
 * seconds, non-resettable and resettable.
 * Resettable counters take the value written (0 = reset) and the time of it.
 * `state()`/`restore()` carry the counters across restarts (a store given by
 * the composition root).
 */
import type { InputChannelConfig, InputName } from '../config/schema-inputs.js';
import { INPUT_COMMODITIES } from '../config/schema-inputs.js';
import type { DigitalInputField, DigitalInputView } from '../modbus/gateway-digital-inputs.js';
import { PulseFilter, type PulseOutcome, StatusFilter, type StatusTransition } from './filters.js';

const FLOW_WINDOW_MS = 60_000;

/** The counters kept across restarts. */
export interface CounterState {
  readonly pulsesTotal: number;
  readonly pulses: number;
  readonly pulsesResetAt: number | null;
  readonly operationsTotal: number;
  readonly operations: number;
  readonly operationsResetAt: number | null;
  readonly activeTotalMs: number;
  readonly activeMs: number;
  readonly activeResetAt: number | null;
}

export const EMPTY_COUNTERS: CounterState = {
  pulsesTotal: 0,
  pulses: 0,
  pulsesResetAt: null,
  operationsTotal: 0,
  operations: 0,
  operationsResetAt: null,
  activeTotalMs: 0,
  activeMs: 0,
  activeResetAt: null,
};

export type ChannelEvent =
  | { readonly kind: 'pulse'; readonly outcome: PulseOutcome; readonly t: number }
  | { readonly kind: 'status'; readonly transition: StatusTransition; readonly logical: 0 | 1 };

export class InputChannel {
  readonly name: InputName;
  readonly config: InputChannelConfig;
  readonly pulses = new PulseFilter();
  readonly status: StatusFilter;
  #c: { -readonly [K in keyof CounterState]: CounterState[K] };
  #recent: number[] = [];
  #activeSince: number | undefined;

  constructor(name: InputName, config: InputChannelConfig, initialLevel?: 0 | 1, saved?: CounterState) {
    this.name = name;
    this.config = config;
    this.status = new StatusFilter(initialLevel);
    this.#c = { ...(saved ?? EMPTY_COUNTERS) };
  }

  /** The level after polarity (1 = active). */
  logical(level: 0 | 1 | undefined): 0 | 1 | undefined {
    if (level === undefined) return undefined;
    return this.config.polarity === 'active-high' ? level : level === 1 ? 0 : 1;
  }

  /** Starts counting the active time when the input is active now (after a start). */
  begin(now: number): void {
    if (this.config.kind === 'status' && this.logical(this.status.level) === 1) this.#activeSince = now;
  }

  edge(t: number, level: 0 | 1): ChannelEvent | undefined {
    if (this.config.kind === 'pulse') {
      const outcome = this.pulses.edge(t, level);
      if (outcome === 'counted') this.#count(t);
      return outcome === undefined ? undefined : { kind: 'pulse', outcome, t };
    }
    return this.#transition(this.status.edge(t, level));
  }

  /** Commits a debounced status change whose time has come. */
  settle(now: number): ChannelEvent | undefined {
    return this.config.kind === 'status' ? this.#transition(this.status.settle(now)) : undefined;
  }

  write(field: DigitalInputField, value: number, now: number): boolean {
    const c = this.#c;
    if (field === 'pulseCount' && this.config.kind === 'pulse') {
      c.pulses = value;
      c.pulsesResetAt = now;
    } else if (field === 'operationCount' && this.config.kind === 'status') {
      c.operations = value;
      c.operationsResetAt = now;
    } else if (field === 'operatingTime' && this.config.kind === 'status') {
      this.#accrue(now);
      c.activeMs = value * 1000;
      c.activeResetAt = now;
    } else {
      return false;
    }
    return true;
  }

  state(now: number): CounterState {
    this.#accrue(now);
    return { ...this.#c };
  }

  accumulated(): number {
    return Math.round(this.#c.pulsesTotal * this.config.weight) + this.config.offset;
  }

  flow(now: number): number {
    this.#recent = this.#recent.filter((t) => now - t < FLOW_WINDOW_MS);
    return this.#recent.length * this.config.weight * (3_600_000 / FLOW_WINDOW_MS);
  }

  view(now: number, level: 0 | 1 | undefined): DigitalInputView {
    this.#accrue(now);
    const cfg = this.config;
    const c = this.#c;
    const shown = cfg.kind === 'status' ? this.status.level : level;
    const logical = this.logical(shown);
    return {
      mode: cfg.kind,
      name: cfg.name,
      label: cfg.label,
      usage: cfg.usage,
      commodity: INPUT_COMMODITIES.indexOf(cfg.commodity) + 1,
      level: shown ?? null,
      logical: logical ?? null,
      polarity: cfg.polarity === 'active-high' ? 0 : 1,
      operatingTimeTotalS: Math.floor(c.activeTotalMs / 1000),
      operatingTimeS: Math.floor(c.activeMs / 1000),
      operatingTimeResetAt: c.activeResetAt,
      operationsTotal: c.operationsTotal,
      operations: c.operations,
      operationsResetAt: c.operationsResetAt,
      pulseWeight: cfg.weight,
      offset: cfg.offset,
      pulsesTotal: c.pulsesTotal,
      pulses: c.pulses,
      pulsesResetAt: c.pulsesResetAt,
      accumulated: this.accumulated(),
      flow: this.flow(now),
      statusFeature: cfg.statusFeature,
      meteringFeature: cfg.meteringFeature,
      contextText: cfg.contextText,
      inactiveText: cfg.inactiveText,
      activeText: cfg.activeText,
      meteringName: cfg.meteringName,
      meteringUnit: cfg.unit,
      flowName: cfg.flowName,
      flowUnit: cfg.flowUnit,
    };
  }

  #count(t: number): void {
    this.#c.pulsesTotal++;
    this.#c.pulses++;
    this.#recent.push(t);
    if (this.#recent.length > 4 * 16 * 60) this.#recent.splice(0, this.#recent.length - 16 * 60);
  }

  #transition(tr: StatusTransition | undefined): ChannelEvent | undefined {
    if (tr === undefined) return undefined;
    const before = this.logical(tr.from);
    const after = this.logical(tr.to) ?? 0;
    if (after === 1 && before !== 1) {
      this.#c.operationsTotal++;
      this.#c.operations++;
      this.#activeSince = tr.t;
    } else if (after === 0 && before === 1) {
      this.#accrue(tr.t);
      this.#activeSince = undefined;
    }
    return { kind: 'status', transition: tr, logical: after };
  }

  /** Adds the active time up to `now`. */
  #accrue(now: number): void {
    const since = this.#activeSince;
    if (since === undefined || now <= since) return;
    this.#c.activeTotalMs += now - since;
    this.#c.activeMs += now - since;
    this.#activeSince = now;
  }
}
