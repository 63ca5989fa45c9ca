/**
 * Wireless readings → THE reading shape (devices/reading.ts): a wireless
 * device of `devices.list` (location `{ kind: 'wireless', rfId }`) has the
 * integer id its series are named after, `modbus:<deviceId>_mb_<key>`
 * (FORMATS.md), like any wired device. `keys` limits the batch to the
 * device's selected measurements.
 */
import { deviceOrigin, type Reading, type ReadingBatch } from '../devices/reading.js';
import { seriesId } from '../devices/series-id.js';
import type { WirelessReadingsEvent } from './events.js';

export function toReadingBatch(
  ev: WirelessReadingsEvent,
  deviceId: number,
  keys?: ReadonlySet<string>,
): ReadingBatch {
  const picked = keys === undefined ? ev.readings : ev.readings.filter((r) => keys.has(r.key));
  return {
    origin: deviceOrigin(deviceId),
    t: ev.t,
    periodMs: ev.periodMs,
    readings: picked.map(
      (r): Reading => ({
        seriesId: seriesId(deviceId, r.key),
        key: r.key,
        t: ev.t,
        value: r.value,
        quality: r.quality,
      }),
    ),
  };
}
