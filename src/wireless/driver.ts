/**
 * The radio driver interface (PRODUCT W1): what the wireless concentrator
 * needs from a radio, shaped so that a real coordinator (a Zigbee stack such
 * as zigbee-herdsman, or a Zigbee2MQTT bridge) fits as well as the simulator
 * (sim/wireless/radio.ts).
 *
 * - Lifecycle: `start()` opens the radio (serial port, MQTT session …),
 *   `stop()` closes it; a stopped radio emits nothing.
 * - The network: `setNetwork(members)` tells the driver which devices are
 *   paired (from the configuration); frames from other devices are reported
 *   as `unknown`, never as `frame`.
 * - Discovery (W2): `permitJoin(seconds, installCodes)` opens the network for
 *   a while (0 closes it). A device that needs an install code joins only when
 *   its code is in the list. A device that joins is reported as `joined` with
 *   its identification; the wireless Part pairs it (or not) and calls
 *   `setNetwork` again. `remove(rfId)` asks a device to leave.
 * - Frames in: `frame` carries the values a device reported, keyed by the
 *   MEASUREMENT KEYS of its model (templates/, e.g. `PTot`, `EActDelTot`,
 *   `T`, `CommRef`). A real driver converts its protocol's attributes (ZCL
 *   clusters, JSON properties) into these keys; the rest of Wattgate never
 *   sees radio-specific names. `null` = the device reports the value invalid.
 *   `periodS` is the device's reporting period when the radio knows it.
 * - Commands out: `send({ kind: 'write', rfId, key, value })` writes one
 *   read-write measurement on the device (an energy counter reset …);
 *   resolves once the device acknowledged, rejects with a WattgateError:
 *   TIMEOUT (no acknowledgement), UNAVAILABLE (radio stopped, device not in
 *   the network), ABORTED (signal), INVALID_ARGUMENT (the device refused).
 * - Link quality: `link-quality` (and the optional fields of `frame`): RSSI in
 *   dBm, LQI 0–255, packet error rate 0–1 when the driver can tell.
 */
import type { TypedEvents } from '../shared/events.js';

/** A device's radio id: an IEEE EUI-64 (registers 501–1000 of unit 255 hold it as UINT64). */
export type RfId = bigint;

/** What a device says about itself (ZCL basic cluster or equivalent), as text. */
export interface DeviceIdentification {
  readonly vendor?: string;
  readonly commercialReference?: string;
  readonly firmware?: string;
  readonly hardware?: string;
  readonly serialNumber?: string;
}

/** A value reported by a device: engineering units after the model's scale; null = invalid. */
export type FrameValue = number | bigint | string | null;

export interface JoinedEvent {
  readonly rfId: RfId;
  /** Epoch ms. */
  readonly t: number;
  /** The model the driver recognised (catalog id), if any. */
  readonly modelId?: string;
  readonly identification: DeviceIdentification;
  readonly periodS?: number;
}

export interface LeftEvent {
  readonly rfId: RfId;
  readonly t: number;
  /** 'removed': we asked (remove); 'left': the device left by itself. */
  readonly reason: 'removed' | 'left';
}

export interface FrameEvent {
  readonly rfId: RfId;
  readonly t: number;
  /** The device's frame counter (0–255), to count lost frames; absent when unknown. */
  readonly seq?: number;
  readonly periodS?: number;
  readonly values: Readonly<Record<string, FrameValue>>;
  readonly rssi?: number;
  readonly lqi?: number;
}

export interface LinkQualityEvent {
  readonly rfId: RfId;
  readonly t: number;
  readonly rssi: number;
  readonly lqi: number;
  readonly per?: number;
}

export interface UnknownDeviceEvent {
  readonly rfId: RfId;
  readonly t: number;
  readonly modelId?: string;
  /** Why it is not in the network: discovery closed, or a missing/wrong install code. */
  readonly reason: 'not-permitted' | 'install-code';
}

export interface PermitJoinEvent {
  readonly open: boolean;
  /** Epoch ms when discovery closes (open only). */
  readonly until?: number;
}

export interface RadioDriverEvents extends Record<string, unknown> {
  joined: JoinedEvent;
  left: LeftEvent;
  frame: FrameEvent;
  'link-quality': LinkQualityEvent;
  unknown: UnknownDeviceEvent;
  'permit-join': PermitJoinEvent;
}

export interface NetworkMember {
  readonly rfId: RfId;
  readonly modelId: string;
}

/** An install code for selective discovery (W2), optionally bound to one radio id. */
export interface InstallCode {
  readonly code: string;
  readonly rfId?: RfId;
}

export interface WriteCommand {
  readonly kind: 'write';
  readonly rfId: RfId;
  /** A measurement key of the device's model with access 'rw'. */
  readonly key: string;
  readonly value: number | bigint;
}

export type RadioCommand = WriteCommand;

export interface RadioDriver {
  /** 'simulator', 'zigbee-herdsman' … */
  readonly kind: string;
  readonly events: TypedEvents<RadioDriverEvents>;
  start(): Promise<void>;
  stop(): Promise<void>;
  setNetwork(members: readonly NetworkMember[]): void;
  permitJoin(durationS: number, installCodes?: readonly InstallCode[]): Promise<void>;
  remove(rfId: RfId): Promise<void>;
  send(command: RadioCommand, signal?: AbortSignal): Promise<void>;
}
