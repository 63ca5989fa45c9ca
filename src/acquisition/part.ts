/**
 * The acquisition Part (PRODUCT L1–L3): the device registry (devices/), the
 * engine (engine.ts), watch leases (watch.ts) and discovery
 * (devices/discovery/), wired from the `devices` and `acquisition`
 * configuration sections, which it follows live: a device added, edited or
 * removed is polled, re-planned or dropped at once, without a restart;
 * unchanged devices keep their connection and status.
 *
 * Readings go to `events` (`acquisition.samples`, `acquisition.live`,
 * `acquisition.status`, see events.ts), THE reading shape (devices/reading.ts). It also implements DevicesService,
 * what the devices API needs.
 */
import type { AcquisitionConfig, DevicesConfig } from '../config/schema-devices.js';
import type { ChangeMeta } from '../config/store.js';
import { addDevice, type DevicePatch, type NewDevice, removeDevice, updateDevice } from '../devices/admin.js';
import {
  type DiscoveryContext,
  type DiscoveryRequest,
  DiscoveryRunner,
  type DiscoveryState,
} from '../devices/discovery/discovery.js';
import type { ModelMatcher } from '../devices/model-source.js';
import { DeviceRegistry, type DeviceRuntime } from '../devices/registry.js';
import type { SerialLineTarget } from '../modbus/serial-line-target.js';
import { TcpMasterPool } from '../modbus/tcp-pool.js';
import type { Clock } from '../shared/clock.js';
import type { ConfigView } from '../shared/config-view.js';
import { ErrorCodes, hasCode, WattgateError } from '../shared/errors.js';
import type { EventSink } from '../shared/events.js';
import type { Part } from '../shared/lifecycle.js';
import type { Logger } from '../shared/logger.js';
import { AcquisitionEngine, type EngineSettings, type ExternalReading } from './engine.js';
import type { AcquisitionEvents, Reading } from './events.js';
import type { DevicesService, DeviceView, LiveReading } from './service.js';
import { DeviceHealth } from './status.js';
import { type WatchLease, WatchLeases } from './watch.js';

/** Where acquisition publishes (the composition root's channel for it). */
export type AcquisitionEventSink = EventSink<AcquisitionEvents>;

export interface AcquisitionContext {
  readonly log: Logger;
  readonly clock: Clock;
  readonly events: AcquisitionEventSink;
  readonly devices: ConfigView<DevicesConfig>;
  readonly acquisition: ConfigView<AcquisitionConfig>;
  /** Stores a new `devices` section (validated with the whole configuration; throws INVALID_CONFIG). */
  readonly saveDevices: (next: DevicesConfig, by: ChangeMeta) => void;
  /** The model catalog. */
  readonly models: ModelMatcher;
  /** The gateway's serial lines (`ModbusGateway.serialLines()`). */
  readonly serialLines: () => readonly SerialLineTarget[];
  /** The TCP connections shared with the gateway (one per endpoint); default: a pool of its own. */
  readonly tcpMasters?: TcpMasterPool;
  readonly openTcp?: DiscoveryContext['openTcp'];
}

const engineSettings = (a: AcquisitionConfig): EngineSettings => a;

/** A refused save, with the paths of the device's own fields made relative to it (`/name`, not `/devices/list/3/name`). */
function devicePaths(e: unknown, prefix: string): unknown {
  if (!hasCode(e, ErrorCodes.INVALID_CONFIG)) return e;
  const details = e.details.map((d) => {
    if (d.path === prefix) return { ...d, path: '/' };
    return d.path.startsWith(`${prefix}/`) ? { ...d, path: d.path.slice(prefix.length) } : d;
  });
  return new WattgateError(ErrorCodes.INVALID_CONFIG, e.message, { details });
}

const planOptions = (a: AcquisitionConfig) => ({ maxGap: a.maxGapRegisters });

export class AcquisitionPart implements Part, DevicesService {
  readonly name = 'acquisition';
  readonly #ctx: AcquisitionContext;
  readonly #registry: DeviceRegistry;
  readonly #engine: AcquisitionEngine;
  readonly #leases: WatchLeases;
  readonly #discovery: DiscoveryRunner;
  readonly #tcpMasters: TcpMasterPool;
  readonly #ownPool: boolean;
  #unsubscribe: Array<() => void> = [];

  constructor(ctx: AcquisitionContext) {
    this.#ctx = ctx;
    this.#ownPool = ctx.tcpMasters === undefined;
    this.#tcpMasters = ctx.tcpMasters ?? new TcpMasterPool({ log: ctx.log, clock: ctx.clock });
    const log = ctx.log.child({ component: 'acquisition' });
    const serialLine = (name: string) => ctx.serialLines().find((l) => l.config.name === name);
    this.#registry = new DeviceRegistry(ctx.models, planOptions(ctx.acquisition.get()));
    this.#leases = new WatchLeases(ctx.clock, () => ctx.acquisition.get().live);
    this.#engine = new AcquisitionEngine(
      {
        log,
        clock: ctx.clock,
        serialLine,
        watched: () => this.#leases.watched(),
        publish: {
          samples: (b) => ctx.events.emit('acquisition.samples', b),
          live: (b) => ctx.events.emit('acquisition.live', b),
          status: (s) => ctx.events.emit('acquisition.status', s),
        },
        tcpMasters: this.#tcpMasters,
      },
      engineSettings(ctx.acquisition.get()),
    );
    this.#discovery = new DiscoveryRunner({
      log: log.child({ component: 'discovery' }),
      clock: ctx.clock,
      models: ctx.models,
      serialLine,
      configured: () => ctx.devices.get().list,
      tcpMasters: this.#tcpMasters,
      ...(ctx.openTcp && { openTcp: ctx.openTcp }),
    });
  }

  /** Engine counters (benchmarks, diagnostics). */
  get stats(): AcquisitionEngine['stats'] {
    return this.#engine.stats;
  }

  start(): void {
    this.#applyDevices();
    this.#engine.start();
    this.#unsubscribe = [
      this.#ctx.devices.subscribe(() => this.#applyDevices()),
      this.#ctx.acquisition.subscribe((next) => {
        this.#engine.configure(engineSettings(next));
        this.#applyDevices();
      }),
    ];
  }

  async stop(): Promise<void> {
    for (const off of this.#unsubscribe.splice(0)) off();
    await this.#discovery.stop();
    await this.#engine.stop();
    if (this.#ownPool) this.#tcpMasters.stop();
  }

  /** The model catalog changed (a custom model imported): re-plans every device. */
  refreshModels(): void {
    this.#registry.refresh();
    this.#engine.setDevices(this.#registry.list());
  }

  list(): DeviceView[] {
    return this.#registry.list().map((d) => this.#view(d));
  }

  get(id: number): DeviceView {
    return this.#view(this.#runtime(id));
  }

  add(input: NewDevice, by: ChangeMeta): DeviceView {
    const { next, id } = addDevice(this.#ctx.devices.get(), input, this.#ctx.models);
    this.#save(next, by, id);
    return this.get(id);
  }

  update(id: number, patch: DevicePatch, by: ChangeMeta): DeviceView {
    this.#save(updateDevice(this.#ctx.devices.get(), id, patch, this.#ctx.models), by, id);
    return this.get(id);
  }

  remove(id: number, by: ChangeMeta): void {
    this.#save(removeDevice(this.#ctx.devices.get(), id), by, id);
  }

  latest(id: number): LiveReading[] {
    return this.#withUnits(this.#runtime(id), this.#engine.latest(id) ?? []);
  }

  latestAll(): { deviceId: number; readings: LiveReading[] }[] {
    return this.#ctx.devices.get().list.map((d) => {
      const runtime = this.#registry.get(d.id);
      const readings = this.#engine.latest(d.id) ?? [];
      return { deviceId: d.id, readings: runtime ? this.#withUnits(runtime, readings) : [] };
    });
  }

  /** Each reading with its model's unit (live pages and the API show values with their unit). */
  #withUnits(d: DeviceRuntime, readings: readonly Reading[]): LiveReading[] {
    const units = d.model?.measurements;
    return readings.map((r) => {
      const i = d.keyIndex.get(r.key);
      return { ...r, unit: (i === undefined ? undefined : units?.[i]?.unit) ?? '' };
    });
  }

  /** A wireless device's received values become its newest readings (engine.noteWireless). */
  noteWireless(rfId: string, t: number, readings: readonly ExternalReading[]): void {
    this.#engine.noteWireless(rfId, t, readings);
  }

  watch(deviceIds: readonly number[]): WatchLease {
    for (const id of deviceIds) this.#runtime(id);
    const lease = this.#leases.watch(deviceIds);
    this.#engine.watchChanged();
    return lease;
  }

  renewWatch(leaseId: string): WatchLease {
    return this.#leases.renew(leaseId);
  }

  endWatch(leaseId: string): boolean {
    const ended = this.#leases.end(leaseId);
    this.#engine.watchChanged();
    return ended;
  }

  discover(request: DiscoveryRequest): DiscoveryState {
    return this.#discovery.start(request);
  }

  discovery(): DiscoveryState | undefined {
    return this.#discovery.current();
  }

  cancelDiscovery(): boolean {
    return this.#discovery.cancel();
  }

  #save(next: DevicesConfig, by: ChangeMeta, id: number): void {
    try {
      this.#ctx.saveDevices(next, by);
    } catch (e) {
      throw devicePaths(e, `/devices/list/${next.list.findIndex((d) => d.id === id)}`);
    }
    this.#applyDevices(); // the subscription does it too; idempotent, and covers a store without notification
  }

  #applyDevices(): void {
    const { changed, removed } = this.#registry.apply(
      this.#ctx.devices.get().list,
      planOptions(this.#ctx.acquisition.get()),
    );
    if (changed.length > 0 || removed.length > 0) this.#engine.setDevices(this.#registry.list());
  }

  #runtime(id: number): DeviceRuntime {
    const d = this.#registry.get(id);
    if (!d) throw new WattgateError(ErrorCodes.NOT_FOUND, `no device ${id}`);
    return d;
  }

  #view(d: DeviceRuntime): DeviceView {
    const status = this.#engine.status(d.id) ?? new DeviceHealth(d.id).snapshot();
    const series: Record<string, string> = {};
    for (const c of d.measurements) series[c.key] = d.seriesIds[c.index] ?? '';
    const model = d.model ? { id: d.model.id, name: d.model.name } : null;
    return { device: d.config, model, status, series };
  }
}

export function createAcquisition(ctx: AcquisitionContext): AcquisitionPart {
  return new AcquisitionPart(ctx);
}
