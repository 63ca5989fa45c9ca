/**
 * The acquisition engine (PRODUCT L3): periodic samples of every enabled
 * device, aligned to the clock, plus live polling of watched devices.
 *
 * - One PeriodTimer per distinct period (period-timer.ts); at a boundary `t`
 *   every device of that period starts a poll (poll.ts) whose readings are
 *   stamped `t`. A device whose previous poll is still running is skipped for
 *   that boundary (counted as an overrun), never queued twice; a device in
 *   back-off (status.ts) is skipped too.
 * - TCP polls and TCP requests of all devices each go through a Limiter
 *   (`tcp.maxConcurrent`): a boundary's burst of due devices is worked
 *   through, not started all at once; each device has at most
 *   `tcp.maxInFlightPerDevice` reads in progress. Serial requests go to the
 *   line's own queue with low priority (links.ts).
 * - Live: while some devices are watched (watch.ts), a timer of
 *   `live.intervalMs` polls their live plan (every measurement but settings)
 *   and publishes `acquisition.live`, stamped with the time the poll started.
 * - Readings are published in one batch per poll (events.ts); the newest
 *   value of each measurement is kept per device for `latest()` (latest.ts).
 * - Devices are replaced live (`setDevices`): unchanged devices keep their
 *   state; a TCP location no device uses any more is closed.
 */
import { setMaxListeners } from 'node:events';
import type { AcquisitionConfig } from '../config/schema-devices.js';
import type { PlannedRead } from '../devices/poll-plan.js';
import { deviceOrigin, type ReadingOrigin } from '../devices/reading.js';
import type { DeviceRuntime } from '../devices/registry.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { Reading, ReadingBatch } from './events.js';
import { LatestValues } from './latest.js';
import { Limiter } from './limiter.js';
import { type DeviceLink, type LinkContext, LinkPool } from './links.js';
import { PeriodTimer } from './period-timer.js';
import { type PollOutcome, pollDevice } from './poll.js';
import { type CommState, DeviceHealth, type DeviceStatus } from './status.js';

/** A value another part measured for a device (wireless frames). */
export interface ExternalReading {
  readonly key: string;
  readonly value: Reading['value'];
  readonly quality: Reading['quality'];
}

export interface EnginePublisher {
  samples(batch: ReadingBatch): void;
  live(batch: ReadingBatch): void;
  status(status: DeviceStatus): void;
}

export interface EngineContext extends LinkContext {
  readonly log: Logger;
  readonly clock: Clock;
  readonly publish: EnginePublisher;
  /** Devices watched now (watch.ts leases, which expire by themselves); default none. */
  readonly watched?: () => ReadonlySet<number>;
}

export type EngineSettings = Pick<AcquisitionConfig, 'tcp' | 'backoff'> & {
  readonly live: Pick<AcquisitionConfig['live'], 'intervalMs'>;
};

interface Entry {
  readonly d: DeviceRuntime;
  readonly link: DeviceLink | undefined;
  readonly plan: PlannedRead[];
  readonly livePlan: PlannedRead[];
  readonly health: DeviceHealth;
  busy: boolean;
  liveBusy: boolean;
  readonly latest: LatestValues;
  readonly origin: ReadingOrigin;
}

export interface EngineStats {
  readonly devices: number;
  readonly polls: number;
  readonly readings: number;
  readonly overruns: number;
  readonly missedBoundaries: number;
  readonly tcpActive: number;
  readonly tcpWaiting: number;
  readonly tcpClients: number;
}

const direct = <T>(task: () => Promise<T>): Promise<T> => task();

function initialState(d: DeviceRuntime, link: DeviceLink | undefined): CommState {
  if (!d.config.enabled) return 'disabled';
  return link === undefined || d.plan.length === 0 ? 'not-polled' : 'unknown';
}

export class AcquisitionEngine {
  readonly #ctx: EngineContext;
  #settings: EngineSettings;
  readonly #links: LinkPool;
  readonly #limiter: Limiter;
  /** Polls of TCP devices in progress at once: a boundary's burst is worked through, not all started at once. */
  readonly #polls: Limiter;
  readonly #entries = new Map<number, Entry>();
  readonly #timers = new Map<number, PeriodTimer>();
  #live: PeriodTimer | undefined;
  #abort = new AbortController();
  readonly #inFlight = new Set<Promise<void>>();
  #running = false;
  #c = { polls: 0, readings: 0, overruns: 0 };

  constructor(ctx: EngineContext, settings: EngineSettings) {
    this.#ctx = ctx;
    this.#settings = settings;
    this.#links = new LinkPool(ctx);
    this.#limiter = new Limiter(settings.tcp.maxConcurrent);
    this.#polls = new Limiter(settings.tcp.maxConcurrent);
  }

  get stats(): EngineStats {
    let missed = 0;
    for (const timer of this.#timers.values()) missed += timer.missed;
    return {
      devices: this.#entries.size,
      ...this.#c,
      missedBoundaries: missed,
      tcpActive: this.#limiter.active,
      tcpWaiting: this.#limiter.waiting,
      tcpClients: this.#links.tcpClients,
    };
  }

  configure(settings: EngineSettings): void {
    const liveChanged = settings.live.intervalMs !== this.#settings.live.intervalMs;
    this.#settings = settings;
    this.#limiter.setMax(settings.tcp.maxConcurrent);
    this.#polls.setMax(settings.tcp.maxConcurrent);
    this.#links.retain([...this.#entries.values()].map((e) => e.d.config.location));
    if (liveChanged) {
      this.#live?.stop();
      this.#live = undefined;
      this.#syncLive();
    }
  }

  /** Replaces the device set; entries of unchanged runtimes (same object) keep their state. */
  setDevices(devices: readonly DeviceRuntime[]): void {
    const next = new Map<number, Entry>();
    for (const d of devices) {
      const prev = this.#entries.get(d.id);
      next.set(d.id, prev && prev.d === d ? prev : this.#entry(d, prev));
    }
    this.#entries.clear();
    for (const [id, e] of next) this.#entries.set(id, e);
    this.#links.retain(devices.map((d) => d.config.location));
    this.#syncTimers();
  }

  /** The watched set changed (a lease opened or ended): starts or stops live polling. */
  watchChanged(): void {
    this.#syncLive();
  }

  #watched(): ReadonlySet<number> {
    return this.#ctx.watched?.() ?? new Set();
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#abort = new AbortController();
    setMaxListeners(0, this.#abort.signal); // one listener per queued request (tcp-device.ts), all removed
    this.#syncTimers();
    this.#syncLive();
  }

  /** Stops timers, aborts and closes every request, waits for the polls in progress. */
  async stop(): Promise<void> {
    this.#running = false;
    for (const timer of this.#timers.values()) timer.stop();
    this.#timers.clear();
    this.#live?.stop();
    this.#live = undefined;
    this.#abort.abort();
    this.#links.stop();
    await Promise.allSettled([...this.#inFlight]);
  }

  status(id: number): DeviceStatus | undefined {
    return this.#entries.get(id)?.health.snapshot();
  }

  statuses(): DeviceStatus[] {
    return [...this.#entries.values()].map((e) => e.health.snapshot());
  }

  /** The newest reading of each measurement of a device (sampled or live), in model order. */
  latest(id: number): Reading[] | undefined {
    return this.#entries.get(id)?.latest.readings();
  }

  /**
   * Values a wireless device reported (a received frame): kept as its newest
   * readings, so Monitoring shows wireless and wired devices alike. Nothing
   * is polled or published (the wireless part publishes its own samples).
   */
  noteWireless(rfId: string, t: number, readings: readonly ExternalReading[]): void {
    const id = rfId.toUpperCase();
    for (const e of this.#entries.values()) {
      const loc = e.d.config.location;
      if (loc.kind !== 'wireless' || loc.rfId.toUpperCase() !== id) continue;
      for (const r of readings) e.latest.set(e.d.keyIndex.get(r.key) ?? -1, t, r.value, r.quality);
      return;
    }
  }

  #entry(d: DeviceRuntime, prev: Entry | undefined): Entry {
    const link = d.config.enabled ? this.#links.link(d.config.location) : undefined;
    const state = initialState(d, link);
    // Same device and place, new settings (rename, new selection): its communication history holds.
    const keep =
      prev !== undefined &&
      state === 'unknown' &&
      prev.link !== undefined &&
      JSON.stringify(prev.d.config.location) === JSON.stringify(d.config.location);
    const health = keep ? prev.health : new DeviceHealth(d.id, state, d.problem ?? null);
    health.setProblem(d.problem ?? null);
    return {
      d,
      link,
      plan: [...d.plan],
      livePlan: [...d.livePlan],
      health,
      busy: false,
      liveBusy: false,
      origin: prev?.origin ?? deviceOrigin(d.id),
      latest:
        keep && prev.d.model === d.model
          ? prev.latest
          : new LatestValues(d.model?.measurements.map((m) => m.key) ?? [], d.seriesIds),
    };
  }

  #syncTimers(): void {
    if (!this.#running) return;
    const periods = new Set<number>();
    for (const e of this.#entries.values()) if (e.link && e.d.config.enabled) periods.add(e.d.periodMs);
    for (const [p, timer] of this.#timers) {
      if (!periods.has(p)) {
        timer.stop();
        this.#timers.delete(p);
      }
    }
    for (const p of periods) {
      if (this.#timers.has(p)) continue;
      const timer = new PeriodTimer(this.#ctx.clock, p, (t) => this.#tick(p, t));
      this.#timers.set(p, timer);
      timer.start();
    }
  }

  #syncLive(): void {
    const want = this.#running && this.#watched().size > 0;
    if (!want) {
      this.#live?.stop();
      this.#live = undefined;
      return;
    }
    if (this.#live) return;
    this.#live = new PeriodTimer(this.#ctx.clock, this.#settings.live.intervalMs, () => this.#liveTick());
    this.#live.start();
  }

  #tick(periodMs: number, t: number): void {
    for (const e of this.#entries.values()) {
      if (e.d.periodMs !== periodMs || !e.link || !e.d.config.enabled || e.plan.length === 0) continue;
      if (e.busy) {
        this.#c.overruns++;
        e.health.skip();
        continue;
      }
      if (!e.health.mayPoll(this.#ctx.clock.now())) continue;
      this.#start(e, e.link, t, 'samples');
    }
  }

  #liveTick(): void {
    const watched = this.#watched();
    if (watched.size === 0) this.#syncLive(); // every lease expired
    for (const id of watched) {
      const e = this.#entries.get(id);
      if (!e?.link || !e.d.config.enabled || e.liveBusy || e.livePlan.length === 0) continue;
      if (!e.health.mayPoll(this.#ctx.clock.now())) continue;
      this.#start(e, e.link, undefined, 'live');
    }
  }

  /** Marks the device busy at once (a queued poll counts), then polls — TCP polls through the poll limiter. */
  #start(e: Entry, link: DeviceLink, t: number | undefined, kind: 'samples' | 'live'): void {
    if (kind === 'live') e.liveBusy = true;
    else e.busy = true;
    const poll = () => this.#poll(e, link, t, kind);
    const p = (link.kind === 'tcp' ? this.#polls.run(poll) : poll()).finally(() => {
      this.#idle(e, kind);
      this.#inFlight.delete(p);
    });
    this.#inFlight.add(p);
  }

  #pollOptions(link: DeviceLink) {
    return {
      link,
      signal: this.#abort.signal,
      run: link.kind === 'tcp' ? <T>(task: () => Promise<T>) => this.#limiter.run(task) : direct,
      now: () => this.#ctx.clock.now(),
      inFlight: link.kind === 'tcp' ? this.#settings.tcp.maxInFlightPerDevice : 1,
    };
  }

  async #poll(e: Entry, link: DeviceLink, t: number | undefined, kind: 'samples' | 'live'): Promise<void> {
    if (this.#abort.signal.aborted) return;
    const clock = this.#ctx.clock;
    const started = clock.monotonic();
    const stamp = t ?? clock.now();
    try {
      const plan = kind === 'live' ? e.livePlan : e.plan;
      const outcome = await pollDevice(e.d, plan, stamp, this.#pollOptions(link));
      if (this.#abort.signal.aborted) return;
      this.#idle(e, kind); // before publishing: a consumer reacting to the batch sees the device free
      this.#record(e, outcome, clock.monotonic() - started);
      this.#publish(e, kind, outcome.readings, stamp);
    } catch (error) {
      this.#ctx.log.error({ err: error, device: e.d.id }, 'poll failed unexpectedly');
    }
  }

  #idle(e: Entry, kind: 'samples' | 'live'): void {
    if (kind === 'live') e.liveBusy = false;
    else e.busy = false;
  }

  #record(e: Entry, outcome: PollOutcome, durationMs: number): void {
    const now = this.#ctx.clock.now();
    this.#c.polls++;
    const changed =
      outcome.failed && outcome.error
        ? e.health.failure(now, durationMs, outcome.error, this.#settings.backoff)
        : e.health.success(now, durationMs, outcome.error);
    if (changed) this.#ctx.publish.status(e.health.snapshot());
  }

  #publish(e: Entry, kind: 'samples' | 'live', readings: Reading[], t: number): void {
    this.#c.readings += readings.length;
    const index = e.d.keyIndex;
    for (const r of readings) e.latest.set(index.get(r.key) ?? -1, r.t, r.value, r.quality);
    if (kind === 'live') {
      const batch = { origin: e.origin, t, periodMs: this.#settings.live.intervalMs, readings };
      this.#ctx.publish.live(batch);
    } else {
      this.#ctx.publish.samples({ origin: e.origin, t, periodMs: e.d.periodMs, readings });
    }
  }
}
