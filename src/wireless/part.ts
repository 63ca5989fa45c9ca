/**
 * The wireless concentrator Part (PRODUCT W1–W5): the radio driver, the
 * paired devices (registry.ts) and their virtual Modbus servers
 * (virtual-server.ts), wired from the `wireless` configuration section (the
 * radio) and the wireless entries of `devices.list` (the paired devices,
 * pairing.ts), which it follows live (and `modbus`, whose ids the automatic
 * virtual ids avoid).
 *
 * For the composition root:
 * - `targets()` → `ModbusGateway.setWirelessTargets` (again after each
 *   `onTargetsChanged` call); `list()` → GatewayContext `wirelessList`
 *   (unit 255, registers 501–1000: configuration order, at most 100);
 * - readings, samples (at each wireless device's sampling period, sampler.ts)
 *   and status go to `events` (events.ts);
 * - admin actions: `permitJoin`, `remove`, `rebuildNetwork`; views:
 *   `devices()`, `unknownDevices()`, `discovery`.
 *
 * Radio on = `enabled` and not permanently disabled. Off (W5): the driver is
 * stopped; the devices stay paired, listed and served, and turn "not
 * connected" when their deadline passes (device.ts). `permanentlyDisabled`
 * latches for the life of the process and in `permanentLatch` (which the
 * composition root keeps outside the settings so that it survives a factory
 * reset); the radio never starts again whatever the configuration says.
 *
 * Pairing (W2, W3): a device that joins while discovery is open gets a model
 * (the driver's, else the catalog match of its commercial reference), the
 * first free virtual id from 100, a default name, and is saved as a new
 * entry of `devices.list` through `saveDevices` (validated like any change),
 * so the datalogger samples it at once; the saved configuration then comes
 * back through the subscription. A device without a model, or refused by
 * validation (101st device), is listed as unknown for the admin.
 */
import type { ModbusConfig } from '../config/schema.js';
import type { DevicesConfig } from '../config/schema-devices.js';
import type { WirelessConfig } from '../config/schema-wireless.js';
import type { ChangeMeta } from '../config/store.js';
import type { ModelMatcher } from '../devices/model-source.js';
import type { WirelessListEntry } from '../modbus/gateway-unit.js';
import type { Identity } from '../modbus/identity.js';
import type { UnitTarget } from '../modbus/target.js';
import type { Clock } from '../shared/clock.js';
import type { ConfigView } from '../shared/config-view.js';
import { ErrorCodes, WattgateError } from '../shared/errors.js';
import type { Part } from '../shared/lifecycle.js';
import type { Logger } from '../shared/logger.js';
import type { PairedDevice, WirelessDevice, WirelessDeviceView } from './device.js';
import type { RadioDriver, RfId } from './driver.js';
import { WirelessEventNames, type WirelessEventSink, type WirelessReadingsEvent } from './events.js';
import { type DiscoveryState, RadioNetwork } from './network.js';
import { type WirelessEntry, wirelessEntries } from './pairing.js';
import { type UnknownDeviceView, WirelessRegistry } from './registry.js';
import { parseRfId } from './rf-id.js';
import { type WirelessSampler, wirelessSampler } from './sampler.js';
import { assignVirtualIds, reservedUnitIds } from './virtual-ids.js';
import { WirelessVirtualServer } from './virtual-server.js';

/** What a driver factory gets (the simulator reads its sensors from `config`). */
export interface RadioDriverContext {
  readonly log: Logger;
  readonly clock: Clock;
  readonly config: ConfigView<WirelessConfig>;
  readonly models: ModelMatcher;
}

export type RadioDriverFactory = (kind: WirelessConfig['driver'], ctx: RadioDriverContext) => RadioDriver;

/** Keeps "permanently disabled" outside the settings (survives a factory reset). */
export interface PermanentLatch {
  isSet(): boolean;
  set(): void;
}

export interface WirelessContext {
  readonly log: Logger;
  readonly clock: Clock;
  readonly events: WirelessEventSink;
  readonly config: ConfigView<WirelessConfig>;
  readonly modbus: ConfigView<ModbusConfig>;
  /** The devices: wireless ones are sampled at their period from their latest frame (sampler.ts). */
  readonly devices: ConfigView<DevicesConfig>;
  /** The model catalog (`ModelCatalog` implements it). */
  readonly models: ModelMatcher;
  readonly createDriver: RadioDriverFactory;
  /** Stores a new `devices` section (validated with the whole configuration; throws INVALID_CONFIG). */
  readonly saveDevices: (next: DevicesConfig, by: ChangeMeta) => void | Promise<void>;
  /** Unit 255's identity, for the devices' `Panel*` registers. */
  readonly panel?: Identity;
  readonly permanentLatch?: PermanentLatch;
}

export interface WirelessOverview {
  readonly radioOn: boolean;
  readonly permanentlyDisabled: boolean;
  readonly discovery: DiscoveryState;
  readonly devices: WirelessDeviceView[];
  readonly unknown: UnknownDeviceView[];
}

export class WirelessPart implements Part {
  readonly name = 'wireless';
  readonly #ctx: WirelessContext;
  readonly #log: Logger;
  readonly #registry: WirelessRegistry;
  readonly #network: RadioNetwork;
  readonly #servers = new WeakMap<WirelessDevice, WirelessVirtualServer>();
  #targets = new Map<number, UnitTarget>();
  readonly #listeners = new Set<() => void>();
  #driver: RadioDriver | undefined;
  #driverKind: WirelessConfig['driver'] | undefined;
  #radioOn = false;
  #permanent = false;
  readonly #sampler: WirelessSampler;
  #unsubscribe: Array<() => void> = [];
  #chain: Promise<void> = Promise.resolve();

  constructor(ctx: WirelessContext) {
    this.#ctx = ctx;
    this.#log = ctx.log;
    this.#sampler = wirelessSampler({
      clock: ctx.clock,
      devices: () => ctx.devices.get(),
      record: (b) => ctx.events.emit(WirelessEventNames.SAMPLES, b),
    });
    const events: WirelessEventSink = {
      emit: (event, payload) => {
        if (event === WirelessEventNames.READINGS) this.#sampler.onReadings(payload as WirelessReadingsEvent);
        ctx.events.emit(event, payload);
      },
    };
    this.#registry = new WirelessRegistry({
      clock: ctx.clock,
      ...(ctx.panel && { panel: ctx.panel }),
      onLost: (d) => this.#publishStatus(d),
    });
    this.#network = new RadioNetwork({
      log: ctx.log,
      clock: ctx.clock,
      events,
      models: ctx.models,
      registry: this.#registry,
      config: () => ctx.config.get(),
      devices: () => ctx.devices.get(),
      reserved: () => reservedUnitIds(ctx.modbus.get(), ctx.devices.get()),
      saveDevices: async (next, by) => {
        await ctx.saveDevices(next, by);
      },
      driver: () => this.#driver,
      radioOn: () => this.#radioOn,
      statusChanged: (d) => this.#publishStatus(d),
    });
  }

  async start(): Promise<void> {
    await this.#apply(this.#ctx.config.get());
    this.#sampler.start();
    this.#unsubscribe = [
      this.#ctx.config.subscribe((next) => this.#serial(() => this.#apply(next))),
      this.#ctx.modbus.subscribe(() => this.#serial(() => this.#apply(this.#ctx.config.get()))),
      this.#ctx.devices.subscribe(() => this.#serial(() => this.#apply(this.#ctx.config.get()))),
    ];
  }

  async stop(): Promise<void> {
    for (const off of this.#unsubscribe.splice(0)) off();
    this.#sampler.stop();
    await this.#chain;
    await this.#setRadio(false);
    this.#network.detach();
    this.#registry.stop();
    this.#driver = undefined; // a new start builds a new driver
    this.#driverKind = undefined;
  }

  /** Virtual id → virtual server, for `ModbusGateway.setWirelessTargets`. */
  targets(): ReadonlyMap<number, UnitTarget> {
    return this.#targets;
  }

  /** Called after every change of `targets()`; returns the unsubscribe function. */
  onTargetsChanged(fn: () => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  /** Unit 255's wireless list (registers 501–1000), configuration order. */
  list(): WirelessListEntry[] {
    return this.#registry
      .list()
      .map((d) => ({ rfId: d.config.rfId, virtualId: d.config.virtualId ?? 0xffff }));
  }

  devices(): WirelessDeviceView[] {
    const now = this.#ctx.clock.now();
    return this.#registry.list().map((d) => d.view(now));
  }

  unknownDevices(): UnknownDeviceView[] {
    return this.#registry.unknown();
  }

  /** Everything the wireless page shows, in one answer (plain data: it may cross to the web worker). */
  overview(): WirelessOverview {
    return {
      radioOn: this.#radioOn,
      permanentlyDisabled: this.#permanent,
      discovery: { ...this.#network.discovery },
      devices: this.devices(),
      unknown: this.unknownDevices(),
    };
  }

  get radioOn(): boolean {
    return this.#radioOn;
  }

  get permanentlyDisabled(): boolean {
    return this.#permanent;
  }

  get discovery(): DiscoveryState {
    return this.#network.discovery;
  }

  /** The running driver (tests and the demo reach the simulator through it). */
  get driver(): RadioDriver | undefined {
    return this.#driver;
  }

  /** Opens discovery (W2) for `durationS` (default `permitJoinSeconds`); UNAVAILABLE when the radio is off. */
  permitJoin(
    opts: { durationS?: number; installCodes?: ReadonlyArray<{ code: string; rfId?: string }> } = {},
  ): Promise<void> {
    const durationS = opts.durationS ?? this.#ctx.config.get().permitJoinSeconds;
    return this.#network.permitJoin(durationS, opts.installCodes ?? []);
  }

  /** Unpairs a device (W4): it leaves the network and the configuration. NOT_FOUND when not paired. */
  remove(rfIdHex: string, by: ChangeMeta): Promise<void> {
    return this.#network.remove(rfIdHex, by);
  }

  /** Forgets every device and opens discovery (W4 "rebuild network"). */
  rebuildNetwork(by: ChangeMeta): Promise<void> {
    return this.#network.rebuild(by);
  }

  #serial(fn: () => Promise<void>): Promise<void> {
    const run = this.#chain.then(fn);
    this.#chain = run.catch((error: unknown) => {
      this.#log.error({ err: error }, 'applying the wireless configuration failed');
    });
    return run;
  }

  async #apply(cfg: WirelessConfig): Promise<void> {
    if (cfg.permanentlyDisabled && !this.#permanent) {
      this.#permanent = true;
      this.#ctx.permanentLatch?.set();
      this.#log.warn('wireless permanently disabled');
    }
    if (this.#ctx.permanentLatch?.isSet() === true) this.#permanent = true;
    this.#applyDevices(wirelessEntries(this.#ctx.devices.get()));
    if (this.#driverKind !== cfg.driver) await this.#replaceDriver(cfg.driver);
    await this.#setRadio(cfg.enabled && !this.#permanent);
    this.#driver?.setNetwork(this.#members());
  }

  #applyDevices(devices: readonly WirelessEntry[]): void {
    const ids = assignVirtualIds(devices, reservedUnitIds(this.#ctx.modbus.get(), this.#ctx.devices.get()));
    const paired = devices.map((d, i): PairedDevice => {
      const modelId = d.model ?? '';
      const model = this.#ctx.models.get(modelId);
      if (model === undefined)
        this.#log.warn({ rfId: d.location.rfId, model: modelId }, 'wireless device model unknown');
      return {
        deviceId: d.id,
        rfId: parseRfId(d.location.rfId),
        rfIdHex: d.location.rfId.toUpperCase(),
        modelId,
        model,
        name: d.name,
        label: d.location.label,
        virtualId: ids[i],
      };
    });
    this.#registry.apply(paired);
    this.#rebuildTargets();
  }

  #rebuildTargets(): void {
    const next = new Map<number, UnitTarget>();
    for (const d of this.#registry.list()) {
      const id = d.config.virtualId;
      if (id === undefined || d.image === undefined || next.has(id)) continue;
      next.set(id, this.#serverFor(d, d.image));
    }
    const same =
      next.size === this.#targets.size && [...next].every(([id, t]) => this.#targets.get(id) === t);
    this.#targets = next;
    if (!same) for (const fn of [...this.#listeners]) fn();
  }

  #serverFor(d: WirelessDevice, image: NonNullable<WirelessDevice['image']>): WirelessVirtualServer {
    let server = this.#servers.get(d);
    if (server === undefined) {
      server = new WirelessVirtualServer(d, image, {
        send: (command, signal) => this.#send(command, signal),
        radioOn: () => this.#radioOn,
      });
      this.#servers.set(d, server);
    }
    return server;
  }

  #send(command: Parameters<RadioDriver['send']>[0], signal: AbortSignal): Promise<void> {
    const driver = this.#driver;
    if (driver === undefined || !this.#radioOn) {
      return Promise.reject(new WattgateError(ErrorCodes.UNAVAILABLE, 'wireless is disabled'));
    }
    return driver.send(command, signal);
  }

  #members(): Array<{ rfId: RfId; modelId: string }> {
    return this.#registry.list().map((d) => ({ rfId: d.config.rfId, modelId: d.config.modelId }));
  }

  async #replaceDriver(kind: WirelessConfig['driver']): Promise<void> {
    await this.#setRadio(false);
    this.#network.detach();
    const { log, clock, config, models } = this.#ctx;
    this.#driver = this.#ctx.createDriver(kind, { log: log.child({ driver: kind }), clock, config, models });
    this.#driverKind = kind;
    this.#network.attach(this.#driver);
  }

  async #setRadio(on: boolean): Promise<void> {
    if (on === this.#radioOn || this.#driver === undefined) return;
    this.#radioOn = on;
    if (on) {
      this.#driver.setNetwork(this.#members());
      await this.#driver.start();
      this.#log.info({ driver: this.#driverKind }, 'radio on');
    } else {
      await this.#driver.stop();
      this.#log.info('radio off');
    }
  }

  #publishStatus(d: WirelessDevice): void {
    const v = d.view();
    this.#ctx.events.emit(WirelessEventNames.STATUS, {
      rfId: v.rfId,
      virtualId: v.virtualId,
      name: v.name,
      status: v.status,
      lastSeen: v.lastSeen,
      t: this.#ctx.clock.now(),
    });
  }
}

export function createWirelessPart(ctx: WirelessContext): WirelessPart {
  return new WirelessPart(ctx);
}
