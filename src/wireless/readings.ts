/**
 * Wireless readings → the datalogger's reading shape (acquisition/events.ts
 * `ReadingBatch`, repeated here structurally because wireless/ does not import
 * acquisition/): a datalogger device (`devices.list[]` with location
 * `{ kind: 'wireless', rfId }`) has the integer id its series are named
 * after, `modbus:<deviceId>_mb_<key>` (FORMATS.md). The composition root
 * looks the device up by radio id and publishes the batch where history
 * listens. `keys` limits the batch to the device's selected measurements.
 */
import type { ReadingValue } from '../devices/decode.js';
import { seriesId } from '../devices/series-id.js';
import type { WirelessReadingsEvent } from './events.js';

export interface WirelessReadingBatch {
  readonly deviceId: number;
  readonly t: number;
  readonly periodMs: number;
  readonly readings: ReadonlyArray<{
    readonly seriesId: string;
    readonly deviceId: number;
    readonly key: string;
    readonly t: number;
    readonly value: ReadingValue;
    readonly quality: 'valid' | 'invalid';
  }>;
}

export function toReadingBatch(
  ev: WirelessReadingsEvent,
  deviceId: number,
  keys?: ReadonlySet<string>,
): WirelessReadingBatch {
  const picked = keys === undefined ? ev.readings : ev.readings.filter((r) => keys.has(r.key));
  return {
    deviceId,
    t: ev.t,
    periodMs: ev.periodMs,
    readings: picked.map((r) => ({
      seriesId: seriesId(deviceId, r.key),
      deviceId,
      key: r.key,
      t: ev.t,
      value: r.value,
      quality: r.quality,
    })),
  };
}
