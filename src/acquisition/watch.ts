/**
 * Live polling leases (PRODUCT L3 "faster live polling for the monitoring
 * pages"): a client watching devices holds a lease and renews it while its
 * page is open; a lease not renewed within `leaseMs` ends by itself, so a
 * closed browser tab stops the extra traffic without any call. Bounded: at
 * most `maxLeases` leases and `maxWatchedDevices` distinct devices watched at
 * once (BUSY beyond, so the API answers 429).
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../shared/clock.js';
import { ErrorCodes, WattgateError } from '../shared/errors.js';

export interface WatchSettings {
  readonly leaseMs: number;
  readonly maxWatchedDevices: number;
  readonly maxLeases: number;
}

export interface WatchLease {
  readonly id: string;
  readonly deviceIds: readonly number[];
  readonly expiresAt: number;
}

export class WatchLeases {
  readonly #clock: Clock;
  readonly #settings: () => WatchSettings;
  readonly #leases = new Map<string, WatchLease>();

  constructor(clock: Clock, settings: () => WatchSettings) {
    this.#clock = clock;
    this.#settings = settings;
  }

  /** Opens a lease on `deviceIds` (deduplicated). */
  watch(deviceIds: readonly number[]): WatchLease {
    const s = this.#settings();
    const now = this.#clock.now();
    this.#purge(now);
    const ids = [...new Set(deviceIds)];
    if (this.#leases.size >= s.maxLeases) {
      throw new WattgateError(ErrorCodes.BUSY, `${s.maxLeases} watch leases are open already`);
    }
    const all = this.watched(now);
    for (const id of ids) all.add(id);
    if (all.size > s.maxWatchedDevices) {
      throw new WattgateError(
        ErrorCodes.BUSY,
        `at most ${s.maxWatchedDevices} devices can be watched at once`,
      );
    }
    const lease = { id: randomUUID(), deviceIds: ids, expiresAt: now + s.leaseMs };
    this.#leases.set(lease.id, lease);
    return lease;
  }

  renew(id: string): WatchLease {
    const now = this.#clock.now();
    this.#purge(now);
    const lease = this.#leases.get(id);
    if (!lease) throw new WattgateError(ErrorCodes.NOT_FOUND, 'no such watch lease (expired?)');
    const renewed = { ...lease, expiresAt: now + this.#settings().leaseMs };
    this.#leases.set(id, renewed);
    return renewed;
  }

  end(id: string): boolean {
    return this.#leases.delete(id);
  }

  /** Devices watched by a lease still valid at `now`. */
  watched(now = this.#clock.now()): Set<number> {
    this.#purge(now);
    const out = new Set<number>();
    for (const lease of this.#leases.values()) for (const id of lease.deviceIds) out.add(id);
    return out;
  }

  get size(): number {
    return this.#leases.size;
  }

  #purge(now: number): void {
    for (const [id, lease] of this.#leases) if (lease.expiresAt <= now) this.#leases.delete(id);
  }
}
