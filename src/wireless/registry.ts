/**
 * The paired wireless devices (PRODUCT W3, W4), in configuration order, by
 * radio id and by virtual id, plus the unknown devices heard on the radio
 * (W4: "unknown devices that appear are flagged for the admin").
 *
 * `apply(paired)` follows the configuration live: a device whose radio id and
 * model are unchanged keeps its run-time state (last seen, link, register
 * image) and only takes its new name, label or virtual id; a device whose
 * model changed starts afresh; a removed one is stopped. A device that gets
 * paired leaves the unknown list.
 */
import { type DeviceContext, type PairedDevice, WirelessDevice } from './device.js';
import type { RfId } from './driver.js';
import { formatRfId } from './rf-id.js';

/** Why a device heard is not paired: discovery closed, install code, no model for it, refused by validation. */
export type UnknownReason = 'not-permitted' | 'install-code' | 'no-model' | 'refused';

export interface UnknownDeviceView {
  readonly rfId: string;
  readonly model: string | null;
  readonly reason: UnknownReason;
  readonly firstSeen: number;
  readonly lastSeen: number;
}

/** Unknown devices kept for the admin (oldest dropped beyond). */
export const MAX_UNKNOWN = 100;

export interface ApplyResult {
  readonly added: readonly WirelessDevice[];
  readonly removed: readonly WirelessDevice[];
}

export class WirelessRegistry {
  readonly #ctx: DeviceContext;
  #devices = new Map<string, WirelessDevice>();
  #byVirtual = new Map<number, WirelessDevice>();
  readonly #unknown = new Map<string, UnknownDeviceView>();

  constructor(ctx: DeviceContext) {
    this.#ctx = ctx;
  }

  apply(paired: readonly PairedDevice[]): ApplyResult {
    const old = this.#devices;
    const next = new Map<string, WirelessDevice>();
    const added: WirelessDevice[] = [];
    for (const cfg of paired) {
      const kept = old.get(cfg.rfIdHex);
      if (kept !== undefined && kept.config.modelId === cfg.modelId && kept.config.model === cfg.model) {
        kept.update(cfg);
        next.set(cfg.rfIdHex, kept);
      } else {
        const device = new WirelessDevice(cfg, this.#ctx);
        next.set(cfg.rfIdHex, device);
        added.push(device);
      }
      this.#unknown.delete(cfg.rfIdHex);
    }
    const removed = [...old.values()].filter((d) => next.get(d.config.rfIdHex) !== d);
    for (const d of removed) d.stop();
    this.#devices = next;
    this.#byVirtual = new Map();
    for (const d of next.values()) {
      const id = d.config.virtualId;
      if (id !== undefined && !this.#byVirtual.has(id)) this.#byVirtual.set(id, d);
    }
    return { added, removed };
  }

  get(rfIdHex: string): WirelessDevice | undefined {
    return this.#devices.get(rfIdHex.toUpperCase());
  }

  byRfId(rfId: bigint): WirelessDevice | undefined {
    return this.#devices.get(formatRfId(rfId));
  }

  byVirtualId(id: number): WirelessDevice | undefined {
    return this.#byVirtual.get(id);
  }

  /** Paired devices in configuration order. */
  list(): WirelessDevice[] {
    return [...this.#devices.values()];
  }

  get size(): number {
    return this.#devices.size;
  }

  /** Records a device heard that is not paired; false when it is paired after all. */
  noteUnknown(ev: { rfId: RfId; t: number; modelId?: string; reason: UnknownReason }): boolean {
    const hex = formatRfId(ev.rfId);
    if (this.#devices.has(hex)) return false;
    const prev = this.#unknown.get(hex);
    this.#unknown.delete(hex);
    this.#unknown.set(hex, {
      rfId: hex,
      model: ev.modelId ?? prev?.model ?? null,
      reason: ev.reason,
      firstSeen: prev?.firstSeen ?? ev.t,
      lastSeen: ev.t,
    });
    while (this.#unknown.size > MAX_UNKNOWN) {
      const oldest = this.#unknown.keys().next().value;
      if (oldest === undefined) break;
      this.#unknown.delete(oldest);
    }
    return prev === undefined;
  }

  unknown(): UnknownDeviceView[] {
    return [...this.#unknown.values()];
  }

  forgetUnknown(rfIdHex?: string): void {
    if (rfIdHex === undefined) this.#unknown.clear();
    else this.#unknown.delete(rfIdHex.toUpperCase());
  }

  stop(): void {
    for (const d of this.#devices.values()) d.stop();
  }
}
