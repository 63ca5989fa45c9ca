/**
 * What the devices API (src/api/routes/devices.ts) needs of the acquisition
 * part: device administration, status, live values, watch leases and
 * discovery. AcquisitionPart implements it; the route plugin receives it as
 * its `devices` option.
 */
import type { DeviceConfig } from '../config/schema-devices.js';
import type { ChangeMeta } from '../config/store.js';
import type { DevicePatch, NewDevice } from '../devices/admin.js';
import type { DiscoveryRequest, DiscoveryState } from '../devices/discovery/discovery.js';
import type { Reading } from './events.js';
import type { DeviceStatus } from './status.js';
import type { WatchLease } from './watch.js';

export interface DeviceView {
  readonly device: DeviceConfig;
  /** The model's id and name, or null when the catalog does not know it. */
  readonly model: { readonly id: string; readonly name: string } | null;
  readonly status: DeviceStatus;
  /** Logged measurement key → series id. */
  readonly series: Readonly<Record<string, string>>;
}

/** A newest reading with the unit its model gives (`''` when none or unknown). */
export type LiveReading = Reading & { readonly unit: string };

export interface DevicesService {
  list(): DeviceView[];
  /** NOT_FOUND when unknown. */
  get(id: number): DeviceView;
  /** Validated against the catalog and the whole configuration; returns the stored device. `by`: who, for the audit log. */
  add(input: NewDevice, by: ChangeMeta): DeviceView;
  update(id: number, patch: DevicePatch, by: ChangeMeta): DeviceView;
  remove(id: number, by: ChangeMeta): void;
  /** The newest reading of each measurement (sampled or live). */
  latest(id: number): LiveReading[];
  /** The newest readings of every device, in one answer (one Rpc call for the Monitoring page, whatever the count). */
  latestAll(): { deviceId: number; readings: LiveReading[] }[];
  watch(deviceIds: readonly number[]): WatchLease;
  renewWatch(leaseId: string): WatchLease;
  endWatch(leaseId: string): boolean;
  discover(request: DiscoveryRequest): DiscoveryState;
  discovery(): DiscoveryState | undefined;
  cancelDiscovery(): boolean;
}
