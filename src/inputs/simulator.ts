/**
 * The simulated input driver (PRODUCT L5; default driver for the demo and
 * tests), following `inputs.channels` live.
 *
 * Every 250 ms of the injected clock it delivers, as one batch in time order,
 * the edges that happened since the previous batch (as a GPIO character
 * device delivers buffered line events with their timestamps):
 * - pulse inputs: a pulse of `pulseWidthMs` (at most 60 % of the period) every
 *   1/`pulsesPerSecond` s (±5 % jitter; above 16/s the filter rejects the
 *   excess as too fast, or as too short once the width falls below 30 ms), plus on
 *   average `glitchesPerMinute` glitches, half of them a 5 ms spike (too
 *   short), half a 30 ms pulse 5 ms after a pulse (too fast);
 * - status inputs: the level flips at random, `meanToggleSeconds` apart on
 *   average (exponential).
 * `inject(input, edges)` delivers given edges at once (tests).
 */
import type { InputChannelConfig, InputName, InputsConfig } from '../config/schema-inputs.js';
import { INPUT_NAMES } from '../config/schema-inputs.js';
import type { Clock, TimerHandle } from '../shared/clock.js';
import type { ConfigView } from '../shared/config-view.js';
import type { InputDriver, InputEdge } from './driver.js';

export const SIM_TICK_MS = 250;
const SPIKE_MS = 5;
const FAST_GAP_MS = 5;
const FAST_WIDTH_MS = 30;

export interface SimulatedInputsContext {
  readonly clock: Clock;
  readonly config: ConfigView<InputsConfig>;
  /** Default Math.random. */
  readonly random?: () => number;
}

interface SimChannel {
  readonly key: string;
  readonly cfg: InputChannelConfig;
  level: 0 | 1;
  next: number;
}

export class SimulatedInputs implements InputDriver {
  readonly kind = 'simulator';
  readonly #ctx: SimulatedInputsContext;
  readonly #random: () => number;
  readonly #listeners = new Set<(edges: readonly InputEdge[]) => void>();
  readonly #channels = new Map<InputName, SimChannel>();
  #timer: TimerHandle | undefined;
  #unsubscribe: (() => void) | undefined;

  constructor(ctx: SimulatedInputsContext) {
    this.#ctx = ctx;
    this.#random = ctx.random ?? Math.random;
  }

  start(): void {
    if (this.#timer !== undefined) return;
    this.#sync(this.#ctx.config.get());
    this.#unsubscribe = this.#ctx.config.subscribe((next) => this.#sync(next));
    this.#timer = this.#ctx.clock.setInterval(() => this.#tick(), SIM_TICK_MS);
  }

  stop(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
  }

  level(input: InputName): 0 | 1 | undefined {
    return this.#channels.get(input)?.level;
  }

  onEdges(fn: (edges: readonly InputEdge[]) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  /** Delivers these edges now (tests); the level follows the last one. */
  inject(input: InputName, edges: ReadonlyArray<{ t: number; level: 0 | 1 }>): void {
    const ch = this.#channels.get(input);
    const last = edges[edges.length - 1];
    if (ch !== undefined && last !== undefined) ch.level = last.level;
    this.#emit(edges.map((e) => ({ input, ...e })));
  }

  #sync(cfg: InputsConfig): void {
    const now = this.#ctx.clock.now();
    for (const name of INPUT_NAMES) {
      const c = cfg.channels[name];
      const key = JSON.stringify(c);
      if (c === undefined) this.#channels.delete(name);
      else if (this.#channels.get(name)?.key !== key) {
        this.#channels.set(name, { key, cfg: c, level: 0, next: now + this.#gap(c) });
      }
    }
  }

  /** Time to the next pulse or toggle. */
  #gap(c: InputChannelConfig): number {
    if (c.kind === 'status') return -Math.log(1 - this.#random()) * c.simulator.meanToggleSeconds * 1000;
    const rate = c.simulator.pulsesPerSecond;
    return rate > 0 ? (1000 / rate) * (0.95 + 0.1 * this.#random()) : Number.POSITIVE_INFINITY;
  }

  #tick(): void {
    const now = this.#ctx.clock.now();
    const edges: InputEdge[] = [];
    for (const [input, ch] of this.#channels) {
      if (ch.cfg.kind === 'status') this.#toggles(input, ch, now, edges);
      else this.#pulses(input, ch, now, edges);
    }
    if (edges.length > 0) this.#emit(edges.sort((a, b) => a.t - b.t));
  }

  #toggles(input: InputName, ch: SimChannel, now: number, out: InputEdge[]): void {
    for (let i = 0; i < 1000 && ch.next <= now; i++) {
      ch.level = ch.level === 1 ? 0 : 1;
      out.push({ input, t: ch.next, level: ch.level });
      ch.next += this.#gap(ch.cfg);
    }
  }

  #pulses(input: InputName, ch: SimChannel, now: number, out: InputEdge[]): void {
    const sim = ch.cfg.simulator;
    // A pulse never outlasts 60 % of the period (pulses do not overlap at high rates).
    const width = Math.min(sim.pulseWidthMs, (0.6 * 1000) / Math.max(sim.pulsesPerSecond, 1e-9));
    // Bounded: at most 50 pulses/s × the tick, plus slack after a long pause of the clock.
    for (let i = 0; i < 100_000 && ch.next + width <= now; i++) {
      const start = ch.next;
      out.push({ input, t: start, level: 1 }, { input, t: start + width, level: 0 });
      ch.next = start + this.#gap(ch.cfg);
      const glitchChance = sim.glitchesPerMinute / 60 / Math.max(sim.pulsesPerSecond, 1e-9);
      if (this.#random() < glitchChance) this.#glitch(input, start + width, ch.next, out);
    }
  }

  /** A glitch after a pulse that ended at `end`, if it fits before the next pulse. */
  #glitch(input: InputName, end: number, nextStart: number, out: InputEdge[]): void {
    const spike = this.#random() < 0.5;
    const start = end + (spike ? 3 * FAST_GAP_MS : FAST_GAP_MS);
    const width = spike ? SPIKE_MS : FAST_WIDTH_MS;
    if (start + width + FAST_GAP_MS > nextStart) return;
    out.push({ input, t: start, level: 1 }, { input, t: start + width, level: 0 });
  }

  #emit(edges: readonly InputEdge[]): void {
    for (const fn of [...this.#listeners]) fn(edges);
  }
}

export function createSimulatedInputs(ctx: SimulatedInputsContext): SimulatedInputs {
  return new SimulatedInputs(ctx);
}
