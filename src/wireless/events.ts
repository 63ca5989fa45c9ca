/**
 * What the wireless concentrator publishes (on the sink its context gives it).
 *
 * - `wireless.readings`: one batch per frame received from a paired device:
 *   the measured values it reported (kinds instant, counter, status, bitmap),
 *   decoded back from the virtual server's registers — exactly what a Modbus
 *   client reads (float32 rounding included). `t` = reception time. Quality
 *   'valid', or 'invalid' when the device reported the value invalid (value
 *   null).
 * - `wireless.samples`: one batch per wireless device of `devices.list` and
 *   sampling period, aligned to the clock (sampler.ts), in THE reading shape
 *   (devices/reading.ts; series `modbus:<deviceId>_mb_<key>`): what history,
 *   alarms and publication consume.
 * - `wireless.status`: a paired device turned connected / not connected.
 * - `wireless.paired` / `wireless.removed`: pairing changes (discovery, admin).
 * - `wireless.unknown`: a device not paired was heard (first time; W4).
 * - `wireless.discovery`: permit-join opened or closed (W2).
 */
import type { ReadingValue } from '../devices/decode.js';
import type { ReadingBatch } from '../devices/reading.js';
import type { EventSink } from '../shared/events.js';
import type { WirelessStatus } from './device.js';
import type { UnknownReason } from './registry.js';

export interface WirelessReading {
  readonly key: string;
  readonly value: ReadingValue;
  readonly quality: 'valid' | 'invalid';
}

export interface WirelessReadingsEvent {
  /** Radio id, 16 upper-case hex digits. */
  readonly rfId: string;
  readonly virtualId: number | null;
  readonly model: string;
  readonly name: string;
  /** Epoch ms: when the frame was received. */
  readonly t: number;
  /** The device's communication period. */
  readonly periodMs: number;
  readonly readings: readonly WirelessReading[];
}

export interface WirelessStatusEvent {
  readonly rfId: string;
  readonly virtualId: number | null;
  readonly name: string;
  readonly status: WirelessStatus;
  readonly lastSeen: number | null;
  readonly t: number;
}

export interface WirelessPairingEvent {
  readonly rfId: string;
  /** The device's id in `devices.list` (its series are `modbus:<deviceId>_mb_<key>`). */
  readonly deviceId: number;
  readonly model: string;
  readonly name: string;
  readonly virtualId: number | null;
  /** Who: 'discovery' (joined while permit-join was open) or the admin's actor id. */
  readonly actor: string;
  readonly t: number;
}

export interface WirelessUnknownEvent {
  readonly rfId: string;
  readonly model: string | null;
  readonly reason: UnknownReason;
  readonly t: number;
}

export interface WirelessDiscoveryEvent {
  readonly open: boolean;
  readonly until: number | null;
}

export const WirelessEventNames = {
  READINGS: 'wireless.readings',
  SAMPLES: 'wireless.samples',
  STATUS: 'wireless.status',
  PAIRED: 'wireless.paired',
  REMOVED: 'wireless.removed',
  UNKNOWN: 'wireless.unknown',
  DISCOVERY: 'wireless.discovery',
} as const;

export interface WirelessEvents {
  'wireless.readings': WirelessReadingsEvent;
  'wireless.samples': ReadingBatch;
  'wireless.status': WirelessStatusEvent;
  'wireless.paired': WirelessPairingEvent;
  'wireless.removed': WirelessPairingEvent;
  'wireless.unknown': WirelessUnknownEvent;
  'wireless.discovery': WirelessDiscoveryEvent;
}

/** Where the wireless Part publishes (the composition root's channel for it). */
export type WirelessEventSink = EventSink<WirelessEvents>;
