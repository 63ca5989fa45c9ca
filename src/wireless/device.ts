/**
 * One paired wireless device at run time (PRODUCT W3, W4): its register image
 * (device-image.ts), what the radio told us (last seen, period, RSSI/LQI,
 * lost frames) and its status.
 *
 * Status: **connected** while `now − lastSeen ≤ LOST_AFTER_PERIODS × period`
 * (k = 2: one lost frame is tolerated, the second makes the device "not
 * connected"), not connected before its first frame, after that deadline, or
 * once it left the network. The period is the one the radio reports, else the
 * model's `wireless.periodSeconds`, else 60 s. A timer on the injected clock
 * fires at the deadline, so the change is seen (and published) even when
 * nobody reads.
 *
 * Who writes which register:
 * - the panel (never a frame): `VirtAddr`, `RfId`, `DevName`, `DevLabel`, the
 *   panel's own identity `Panel*` (from unit 255's Identity), `RfValid` and
 *   `CommOk` (1 connected / 0 not), the link figures measured on received
 *   frames `GwRssi`, `GwLqi`, `GwPer` and their extremes `RssiMin`, `LqiMin`,
 *   `PerMax`; `DevRssi`/`DevLqi`/`DevPer` too unless the device reports them;
 * - the device (frames): every other key of its model.
 * When the device is not connected, every measured value (kinds instant,
 * counter, bitmap, status) reads its invalid marker (bitmaps: 0) — except the
 * identification and the panel's fields above; texts and settings keep their
 * last value.
 */
import type { ReadingValue } from '../devices/decode.js';
import type { ResolvedModel } from '../devices/model-schema.js';
import { formatVersion, type Identity } from '../modbus/identity.js';
import type { Clock, TimerHandle } from '../shared/clock.js';
import { DeviceImage, type ImageValue } from './device-image.js';
import type { FrameEvent, FrameValue, RfId } from './driver.js';

/** k of the status rule (see the header). */
export const LOST_AFTER_PERIODS = 2;
export const DEFAULT_PERIOD_S = 60;

export type WirelessStatus = 'connected' | 'not-connected';

export interface PairedDevice {
  /** The device's id in `devices.list`. */
  readonly deviceId: number;
  readonly rfId: RfId;
  /** 16 upper-case hex digits. */
  readonly rfIdHex: string;
  readonly modelId: string;
  /** Undefined when the model is not in the catalog (listed, no virtual server). */
  readonly model: ResolvedModel | undefined;
  readonly name: string;
  readonly label: string;
  /** Undefined when no id was left (see virtual-ids.ts). */
  readonly virtualId: number | undefined;
}

export interface WirelessDeviceView {
  readonly deviceId: number;
  readonly rfId: string;
  readonly name: string;
  readonly label: string;
  readonly model: string;
  readonly virtualId: number | null;
  readonly status: WirelessStatus;
  readonly lastSeen: number | null;
  readonly periodS: number;
  readonly rssi: number | null;
  readonly lqi: number | null;
  readonly per: number | null;
  readonly framesReceived: number;
  readonly framesLost: number;
}

const PANEL_KEYS = new Set(['VirtAddr', 'RfId', 'DevName', 'DevLabel', 'RfValid', 'CommOk']);
const LINK_KEYS = new Set(['GwRssi', 'GwLqi', 'GwPer', 'RssiMin', 'LqiMin', 'PerMax']);
const DEVICE_LINK_KEYS = ['DevRssi', 'DevLqi', 'DevPer'] as const;
const KEEP_WHEN_LOST = new Set([
  'WlProductId',
  'Vendor',
  'CommRef',
  'FwRev',
  'HwRev',
  'SerialNum',
  'ProductRange',
  'ProductModel',
  'ProductFamily',
  'PanelProductId',
]);
const MEASURED = new Set(['instant', 'counter', 'bitmap', 'status']);
const PER_SMOOTHING = 0.05;

export interface DeviceContext {
  readonly clock: Clock;
  /** Unit 255's identity, for the `Panel*` registers; absent → their invalid markers. */
  readonly panel?: Identity;
  /** Called when the device turns not connected by its deadline. */
  readonly onLost: (device: WirelessDevice) => void;
}

interface Link {
  rssi?: number;
  lqi?: number;
  per?: number;
  rssiMin?: number;
  lqiMin?: number;
  perMax?: number;
}

export class WirelessDevice {
  #config: PairedDevice;
  readonly image: DeviceImage | undefined;
  readonly #ctx: DeviceContext;
  #lastSeen: number | undefined;
  #periodS: number;
  #left = false;
  #link: Link = {};
  #lastSeq: number | undefined;
  #received = 0;
  #lost = 0;
  #deviceLink = new Set<string>();
  #timer: TimerHandle | undefined;

  constructor(config: PairedDevice, ctx: DeviceContext) {
    this.#config = config;
    this.#ctx = ctx;
    this.image = config.model === undefined ? undefined : new DeviceImage(config.model);
    this.#periodS = config.model?.wireless?.periodSeconds ?? DEFAULT_PERIOD_S;
    this.#writePanel();
  }

  get config(): PairedDevice {
    return this.#config;
  }

  get periodS(): number {
    return this.#periodS;
  }

  /** New name, label or virtual id (same radio id and model). */
  update(config: PairedDevice): void {
    this.#config = config;
    this.#writePanel();
  }

  connected(now = this.#ctx.clock.now()): boolean {
    if (this.#left || this.#lastSeen === undefined) return false;
    return now - this.#lastSeen <= LOST_AFTER_PERIODS * this.#periodS * 1000;
  }

  status(now?: number): WirelessStatus {
    return this.connected(now) ? 'connected' : 'not-connected';
  }

  /** Applies a frame; returns the measured keys it wrote (for readings). */
  applyFrame(ev: FrameEvent): string[] {
    this.#left = false;
    this.#lastSeen = ev.t;
    if (ev.periodS !== undefined && ev.periodS > 0) this.#periodS = ev.periodS;
    this.#count(ev.seq);
    this.#linkFrom(ev.rssi, ev.lqi);
    const written = this.#writeValues(ev.values);
    this.#writePanel();
    this.#arm();
    return written;
  }

  /** A link-quality report outside a frame. */
  applyLink(rssi: number, lqi: number, per?: number): void {
    this.#linkFrom(rssi, lqi);
    if (per !== undefined) this.#setPer(per);
    this.#writePanel();
  }

  /** The device left the network: not connected at once. */
  markLeft(): void {
    this.#left = true;
    this.#timer?.cancel();
    this.#invalidate();
  }

  /** The measured value the registers hold now (null = invalid marker). */
  value(key: string): ReadingValue | undefined {
    return this.image?.get(key);
  }

  view(now = this.#ctx.clock.now()): WirelessDeviceView {
    const c = this.#config;
    return {
      deviceId: c.deviceId,
      rfId: c.rfIdHex,
      name: c.name,
      label: c.label,
      model: c.modelId,
      virtualId: c.virtualId ?? null,
      status: this.status(now),
      lastSeen: this.#lastSeen ?? null,
      periodS: this.#periodS,
      rssi: this.#link.rssi ?? null,
      lqi: this.#link.lqi ?? null,
      per: this.#link.per ?? null,
      framesReceived: this.#received,
      framesLost: this.#lost,
    };
  }

  stop(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
  }

  #writeValues(values: Readonly<Record<string, FrameValue>>): string[] {
    const image = this.image;
    if (image === undefined) return [];
    const written: string[] = [];
    for (const [key, value] of Object.entries(values)) {
      if (PANEL_KEYS.has(key) || LINK_KEYS.has(key) || key.startsWith('Panel')) continue;
      const c = image.measurement(key);
      if (c === undefined) continue;
      image.set(key, value);
      if ((DEVICE_LINK_KEYS as readonly string[]).includes(key)) this.#deviceLink.add(key);
      if (MEASURED.has(c.measurement.kind)) written.push(key);
    }
    return written;
  }

  #count(seq: number | undefined): void {
    this.#received++;
    if (seq === undefined) return;
    const missed = this.#lastSeq === undefined ? 0 : (seq - this.#lastSeq - 1 + 256) % 256;
    this.#lastSeq = seq;
    this.#lost += missed;
    this.#setPer(missed / (missed + 1));
  }

  #setPer(sample: number): void {
    const per =
      this.#link.per === undefined ? sample : this.#link.per + PER_SMOOTHING * (sample - this.#link.per);
    this.#link.per = per;
    this.#link.perMax = Math.max(this.#link.perMax ?? 0, per);
  }

  #linkFrom(rssi: number | undefined, lqi: number | undefined): void {
    const l = this.#link;
    if (rssi !== undefined && Number.isFinite(rssi)) {
      l.rssi = rssi;
      l.rssiMin = Math.min(l.rssiMin ?? rssi, rssi);
    }
    if (lqi !== undefined && Number.isFinite(lqi)) {
      l.lqi = lqi;
      l.lqiMin = Math.min(l.lqiMin ?? lqi, lqi);
    }
  }

  /** Schedules the "not connected" deadline after a frame. */
  #arm(): void {
    this.#timer?.cancel();
    const last = this.#lastSeen;
    if (last === undefined) return;
    const delay = last + LOST_AFTER_PERIODS * this.#periodS * 1000 - this.#ctx.clock.now();
    this.#timer = this.#ctx.clock.setTimeout(() => this.#deadline(), Math.max(0, delay) + 1);
  }

  #deadline(): void {
    this.#timer = undefined;
    if (this.connected()) return;
    this.#invalidate();
    this.#ctx.onLost(this);
  }

  #invalidate(): void {
    const image = this.image;
    if (image === undefined) return;
    for (const c of image.measurements()) {
      const key = c.key;
      if (KEEP_WHEN_LOST.has(key) || PANEL_KEYS.has(key) || key.startsWith('Panel')) continue;
      if (MEASURED.has(c.measurement.kind) || LINK_KEYS.has(key)) image.set(key, null);
    }
    this.#writePanel();
  }

  #writePanel(): void {
    const image = this.image;
    if (image === undefined) return;
    const on = this.connected();
    const c = this.#config;
    const set = (key: string, value: ImageValue) => image.set(key, value);
    set('VirtAddr', c.virtualId ?? null);
    set('RfId', c.rfId);
    set('DevName', c.name);
    set('DevLabel', c.label);
    set('RfValid', on ? 1 : 0);
    set('CommOk', on ? 1 : 0);
    this.#writePanelIdentity(set);
    const l = this.#link;
    set('GwRssi', on ? (l.rssi ?? null) : null);
    set('GwLqi', on ? (l.lqi ?? null) : null);
    set('GwPer', on ? (l.per ?? null) : null);
    set('RssiMin', l.rssiMin ?? null);
    set('LqiMin', l.lqiMin ?? null);
    set('PerMax', l.perMax ?? null);
    const mirror = { DevRssi: l.rssi, DevLqi: l.lqi, DevPer: l.per };
    for (const key of DEVICE_LINK_KEYS) {
      if (!this.#deviceLink.has(key) || !on) set(key, on ? (mirror[key] ?? null) : null);
    }
  }

  #writePanelIdentity(set: (key: string, value: ImageValue) => void): void {
    const p = this.#ctx.panel;
    set('PanelProductId', null); // Wattgate has no numeric product id (as unit 255, register 61443)
    set('PanelCommRef', p?.productCode ?? null);
    set('PanelFw', p === undefined ? null : formatVersion(p.firmwareVersion));
    set('PanelSerial', p?.serialNumber ?? null);
    set('PanelModel', p?.modelName ?? null);
  }
}
