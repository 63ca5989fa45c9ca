/**
 * THE reading (PRODUCT L3): what every source of measurements publishes —
 * the poller (acquisition/), the wireless concentrator (wireless/) and the
 * digital inputs (inputs/) — and what history, alarms and publication
 * consume: one shape, so a consumer never needs to know where a value came from.
 *
 * - `seriesId`: the stable measurement id (FORMATS.md): `modbus:<id>_mb_<key>`
 *   for a device of `devices.list` (wired or wireless, series-id.ts),
 *   `input:<DI1>_di_<key>` for a digital input of unit 255.
 * - `t`: epoch ms (UTC). For a periodic sample, the START of the sampling
 *   period it belongs to (a 15-minute sample taken at 10:15:00.4 has
 *   t = 10:15:00.000), so the series of every device share timestamps; for a
 *   live reading, when it was read.
 * - `quality`: 'valid'; 'invalid' — the device answered but the value is its
 *   invalid marker (Float32 0xFFC00000, INT64 0x8000…, UINT16 0xFFFF …, the
 *   data-type table), a NaN, or the device refused the read with a Modbus
 *   exception; 'comm-error' — no usable answer (timeout, connection down,
 *   line busy, gateway exception 0x0A/0x0B, a wireless device silent for
 *   more than twice its period). `value` is null unless quality is 'valid'.
 *
 * Readings travel in batches: one per device poll, per wireless sample, per
 * input minute. `origin` says whose they are.
 */
import type { ReadingValue } from './decode.js';

export type { ReadingValue } from './decode.js';

export type Quality = 'valid' | 'invalid' | 'comm-error';

export interface Reading {
  readonly seriesId: string;
  /** The measurement's key in its model (or the input's field). */
  readonly key: string;
  readonly t: number;
  readonly value: ReadingValue;
  readonly quality: Quality;
}

/** A device of `devices.list` (by its stable id), or a digital input of unit 255 (by name, "DI1"). */
export type ReadingOrigin =
  | { readonly kind: 'device'; readonly id: number }
  | { readonly kind: 'input'; readonly id: string };

export interface ReadingBatch {
  readonly origin: ReadingOrigin;
  /** Same as every reading's `t`. */
  readonly t: number;
  /** The sampling period (samples), or the live interval (live readings). */
  readonly periodMs: number;
  readonly readings: readonly Reading[];
}

/** The origin of a device's batches (one object per device, shared by its batches). */
export function deviceOrigin(id: number): ReadingOrigin {
  return { kind: 'device', id };
}
