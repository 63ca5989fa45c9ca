/**
 * Readings: what acquisition publishes on the application bus (PRODUCT L3).
 * AcquisitionEvents is meant to be merged into AppEvents (core/context.ts);
 * the history store subscribes to `acquisition.samples`.
 *
 * - `acquisition.samples`: periodic samples, one batch per device poll. `t` is
 *   the START of the sampling period the sample belongs to (a 15-minute sample
 *   taken at 10:15:00.4 has t = 10:15:00.000 UTC), so the series of every
 *   device share timestamps (FORMATS.md JSON `timestamp`).
 * - `acquisition.live`: readings of watched devices (live polling), `t` = the
 *   time the live poll started. Not meant for history.
 * - `acquisition.status`: a device's communication state changed.
 *
 * Quality: 'valid'; 'invalid' — the device answered but the value is its
 * invalid marker (Float32 0xFFC00000, INT64 0x8000…, UINT16 0xFFFF …, see
 * the data-type table), a NaN, or the device refused the read with a Modbus
 * exception; 'comm-error' — no usable answer (timeout, connection down, line
 * busy, gateway exception 0x0A/0x0B). `value` is null unless quality is valid.
 */
import type { ReadingValue } from '../devices/decode.js';
import type { DeviceStatus } from './status.js';

export type Quality = 'valid' | 'invalid' | 'comm-error';

export interface Reading {
  /** `modbus:<deviceId>_mb_<key>` (FORMATS.md). */
  readonly seriesId: string;
  readonly deviceId: number;
  readonly key: string;
  /** Epoch ms (UTC): start of the sampling period (samples) or of the live poll. */
  readonly t: number;
  readonly value: ReadingValue;
  readonly quality: Quality;
}

export interface ReadingBatch {
  readonly deviceId: number;
  /** Same as every reading's `t`. */
  readonly t: number;
  /** Sampling period of the device (samples); the live interval (live). */
  readonly periodMs: number;
  readonly readings: readonly Reading[];
}

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
