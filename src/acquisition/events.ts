/**
 * What acquisition publishes (on the sink its context gives it; PRODUCT L3).
 * Readings are THE reading shape (devices/reading.ts), origin = the device.
 *
 * - `acquisition.samples`: periodic samples, one batch per device poll, `t` =
 *   the start of the sampling period;
 * - `acquisition.live`: readings of watched devices (live polling), `t` = the
 *   time the live poll started. Not meant for history;
 * - `acquisition.status`: a device's communication state changed.
 */
import type { ReadingBatch } from '../devices/reading.js';
import type { DeviceStatus } from './status.js';

export type { Quality, Reading, ReadingBatch } from '../devices/reading.js';

export const AcquisitionEventNames = {
  SAMPLES: 'acquisition.samples',
  LIVE: 'acquisition.live',
  STATUS: 'acquisition.status',
} as const;

export interface AcquisitionEvents {
  'acquisition.samples': ReadingBatch;
  'acquisition.live': ReadingBatch;
  'acquisition.status': DeviceStatus;
}
