/**
 * The wireless network as the Part sees it through the radio driver: events
 * in (frames → registers and readings, link quality, joins, leaves, unknown
 * devices, discovery state) and the admin's network actions out (permit-join,
 * remove a device, rebuild the network). Pairing a device that joins and
 * unpairing one are changes of `devices.list` (pairing.ts; `saveDevices`), so
 * they are validated and audited like any other; the Part applies the saved
 * configuration through its subscription. Joins are handled one at a time
 * (each save sees the previous).
 */
import type { DeviceConfig, DevicesConfig } from '../config/schema-devices.js';
import type { WirelessConfig } from '../config/schema-wireless.js';
import type { ChangeMeta } from '../config/store.js';
import type { ModelMatcher } from '../devices/model-source.js';
import { checkInstallCode } from '../protocol/zigbee/install-code.js';
import type { Clock } from '../shared/clock.js';
import { ErrorCodes, WattgateError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import type { WirelessDevice } from './device.js';
import type { FrameEvent, JoinedEvent, LeftEvent, RadioDriver, UnknownDeviceEvent } from './driver.js';
import { WirelessEventNames, type WirelessEventSink, type WirelessUnknownEvent } from './events.js';
import { findWireless, wirelessEntries, withoutWireless, withPaired } from './pairing.js';
import type { WirelessRegistry } from './registry.js';
import { formatRfId, parseRfId } from './rf-id.js';
import { assignVirtualIds } from './virtual-ids.js';

export interface DiscoveryState {
  readonly open: boolean;
  readonly until: number | null;
}

export interface NetworkContext {
  readonly log: Logger;
  readonly clock: Clock;
  readonly events: WirelessEventSink;
  readonly models: ModelMatcher;
  readonly registry: WirelessRegistry;
  readonly config: () => WirelessConfig;
  readonly devices: () => DevicesConfig;
  readonly reserved: () => ReadonlySet<number>;
  /** Stores a new `devices` section (validated with the whole configuration; throws INVALID_CONFIG). */
  readonly saveDevices: (next: DevicesConfig, by: ChangeMeta) => Promise<void>;
  readonly driver: () => RadioDriver | undefined;
  readonly radioOn: () => boolean;
  readonly statusChanged: (device: WirelessDevice) => void;
}

/** Actor recorded for devices paired by discovery. */
export const DISCOVERY_ACTOR = 'discovery';

export class RadioNetwork {
  readonly #ctx: NetworkContext;
  #offs: Array<() => void> = [];
  #discovery: DiscoveryState = { open: false, until: null };
  #joins: Promise<void> = Promise.resolve();

  constructor(ctx: NetworkContext) {
    this.#ctx = ctx;
  }

  get discovery(): DiscoveryState {
    return this.#discovery;
  }

  attach(driver: RadioDriver): void {
    this.detach();
    const e = driver.events;
    this.#offs = [
      e.on('frame', (ev) => this.#frame(ev)),
      e.on('link-quality', (ev) => this.#ctx.registry.byRfId(ev.rfId)?.applyLink(ev.rssi, ev.lqi, ev.per)),
      e.on('joined', (ev) => {
        this.#joins = this.#joins
          .then(() => this.#joined(ev))
          .catch((error: unknown) => this.#ctx.log.error({ err: error }, 'pairing a joined device failed'));
      }),
      e.on('left', (ev) => this.#left(ev)),
      e.on('unknown', (ev) => this.#unknown(ev, ev.reason)),
      e.on('permit-join', (ev) => {
        this.#discovery = { open: ev.open, until: ev.open ? (ev.until ?? null) : null };
        this.#ctx.events.emit(WirelessEventNames.DISCOVERY, this.#discovery);
      }),
    ];
  }

  detach(): void {
    for (const off of this.#offs.splice(0)) off();
    this.#discovery = { open: false, until: null };
  }

  /** Waits for the joins being handled (tests). */
  settled(): Promise<void> {
    return this.#joins;
  }

  /** Install codes as printed on labels (spaces, dashes); each checksum verified (INVALID_ARGUMENT, nothing opened). */
  async permitJoin(durationS: number, codes: ReadonlyArray<{ code: string; rfId?: string }>): Promise<void> {
    const checked = codes.map((c) => checkInstallCode(c.code));
    const details = checked.flatMap((c, i) =>
      c.ok ? [] : [{ path: `/installCodes/${i}/code`, message: c.message }],
    );
    if (details.length > 0)
      throw new WattgateError(ErrorCodes.INVALID_ARGUMENT, details.map((d) => d.message).join('; '), {
        details,
      });
    const driver = this.#radio();
    const installCodes = codes.map((c, i) => ({
      code: (checked[i] as { code: string }).code,
      ...(c.rfId === undefined ? {} : { rfId: parseRfId(c.rfId) }),
    }));
    await driver.permitJoin(durationS, installCodes);
  }

  async remove(rfIdHex: string, by: ChangeMeta): Promise<void> {
    const hex = rfIdHex.toUpperCase();
    const devices = this.#ctx.devices();
    const entry = findWireless(devices, hex);
    if (entry === undefined)
      throw new WattgateError(ErrorCodes.NOT_FOUND, `no paired wireless device ${hex}`);
    const virtualId = this.#ctx.registry.get(hex)?.config.virtualId ?? null;
    await this.#ctx.saveDevices(withoutWireless(devices, new Set([hex])), by);
    await this.#leave(hex);
    this.#pairingEvent(WirelessEventNames.REMOVED, entry, virtualId, by.actor ?? 'unknown');
  }

  async rebuild(by: ChangeMeta): Promise<void> {
    const devices = this.#ctx.devices();
    const paired = wirelessEntries(devices);
    const ids = new Map(this.#ctx.registry.list().map((d) => [d.config.rfIdHex, d.config.virtualId ?? null]));
    const all = new Set(paired.map((d) => d.location.rfId.toUpperCase()));
    await this.#ctx.saveDevices(withoutWireless(devices, all), by);
    for (const d of paired) {
      const hex = d.location.rfId.toUpperCase();
      await this.#leave(hex);
      this.#pairingEvent(WirelessEventNames.REMOVED, d, ids.get(hex) ?? null, by.actor ?? 'unknown');
    }
    this.#ctx.registry.forgetUnknown();
    if (this.#ctx.radioOn()) await this.permitJoin(this.#ctx.config().permitJoinSeconds, []);
  }

  #radio(): RadioDriver {
    const driver = this.#ctx.driver();
    if (driver === undefined || !this.#ctx.radioOn()) {
      throw new WattgateError(ErrorCodes.UNAVAILABLE, 'wireless is disabled');
    }
    return driver;
  }

  async #leave(hex: string): Promise<void> {
    const driver = this.#ctx.driver();
    if (driver === undefined || !this.#ctx.radioOn()) return;
    try {
      await driver.remove(parseRfId(hex));
    } catch (error) {
      this.#ctx.log.warn({ err: error, rfId: hex }, 'wireless device did not confirm leaving');
    }
  }

  #frame(ev: FrameEvent): void {
    const device = this.#ctx.registry.byRfId(ev.rfId);
    if (device === undefined) {
      this.#unknown({ rfId: ev.rfId, t: ev.t }, 'not-permitted');
      return;
    }
    const before = device.connected(ev.t);
    const keys = device.applyFrame(ev);
    if (!before) this.#ctx.statusChanged(device);
    const c = device.config;
    this.#ctx.events.emit(WirelessEventNames.READINGS, {
      rfId: c.rfIdHex,
      virtualId: c.virtualId ?? null,
      model: c.modelId,
      name: c.name,
      t: ev.t,
      periodMs: device.periodS * 1000,
      readings: keys.map((key) => {
        const value = device.value(key) ?? null;
        return { key, value, quality: value === null ? 'invalid' : 'valid' };
      }),
    });
  }

  #left(ev: LeftEvent): void {
    const device = this.#ctx.registry.byRfId(ev.rfId);
    if (device === undefined) return;
    const before = device.connected(ev.t);
    device.markLeft();
    if (before) this.#ctx.statusChanged(device);
  }

  #unknown(
    ev: Pick<UnknownDeviceEvent, 'rfId' | 't' | 'modelId'>,
    reason: WirelessUnknownEvent['reason'],
  ): void {
    const noted = this.#ctx.registry.noteUnknown({
      rfId: ev.rfId,
      t: ev.t,
      ...(ev.modelId === undefined ? {} : { modelId: ev.modelId }),
      reason,
    });
    if (!noted) return;
    const rfId = formatRfId(ev.rfId);
    this.#ctx.events.emit(WirelessEventNames.UNKNOWN, { rfId, model: ev.modelId ?? null, reason, t: ev.t });
  }

  /** A device joined while discovery was open: pair it (see the Part's header). */
  async #joined(ev: JoinedEvent): Promise<void> {
    const hex = formatRfId(ev.rfId);
    if (this.#ctx.registry.get(hex) !== undefined) return; // already paired: a rejoin
    const { models } = this.#ctx;
    const byRef = models.match({ productCode: ev.identification.commercialReference ?? '' })[0];
    const modelId = ev.modelId ?? byRef;
    if (modelId === undefined || models.get(modelId) === undefined) {
      this.#unknown({ ...ev, ...(modelId ? { modelId } : {}) }, 'no-model');
      return;
    }
    const devices = this.#ctx.devices();
    const ids = assignVirtualIds([...wirelessEntries(devices), {}], this.#ctx.reserved());
    const virtualId = ids[ids.length - 1];
    const { next, device } = withPaired(devices, { rfIdHex: hex, model: modelId, virtualId });
    try {
      await this.#ctx.saveDevices(next, { actor: DISCOVERY_ACTOR, actorKind: 'system' });
    } catch (error) {
      this.#ctx.log.warn({ err: error, rfId: hex }, 'wireless device joined but could not be paired');
      this.#unknown({ ...ev, modelId }, 'refused');
      return;
    }
    this.#pairingEvent(WirelessEventNames.PAIRED, device, virtualId ?? null, DISCOVERY_ACTOR);
  }

  #pairingEvent(
    name: 'wireless.paired' | 'wireless.removed',
    d: DeviceConfig,
    virtualId: number | null,
    actor: string,
  ): void {
    const rfId = d.location.kind === 'wireless' ? d.location.rfId.toUpperCase() : '';
    this.#ctx.events.emit(name, {
      rfId,
      deviceId: d.id,
      model: d.model ?? '',
      name: d.name,
      virtualId,
      actor,
      t: this.#ctx.clock.now(),
    });
  }
}
