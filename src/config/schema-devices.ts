/**
 * The `devices` and `acquisition` configuration sections (PRODUCT G2, G6,
 * W3, L1–L3). The root schema (schema.ts) includes them.
 *
 * `devices`: every physical device, defined ONCE: its location — a serial
 * line (by name) and slave address, a Modbus TCP host/port/unit, or a
 * wireless radio id — its model (by id, templates/), its name, the
 * attributes the energy pages group by (usage, zone, commodity) and its
 * sampling choice (a period and the measurement keys logged; absent = the
 * model's default selection, src/devices/selection.ts; an empty list = not
 * sampled). From that one entry:
 * - the gateway routes it when it has a `virtualId`: a TCP device is proxied
 *   under that unit id (G2 "virtual server id"); a wireless device's virtual
 *   Modbus server answers on it (W3; absent = the first free id from 100,
 *   given at pairing and saved). A serial device is reached upstream at its
 *   own slave address through its line (transparent RTU, the line's
 *   `unitIds`), so it takes no `virtualId`;
 * - the datalogger samples it at `periodMinutes` (wired devices are polled,
 *   wireless ones sampled from their latest frame), when it has a model;
 * - `enabled: false` takes it out of service: not routed (its unit id
 *   answers 0x0A), not sampled.
 * A device without a model (a TCP device only forwarded by the gateway) is
 * routed and never sampled. Pairing a wireless device creates its entry.
 *
 * `id` is a stable integer given at creation from `nextId` and never reused
 * (nextId only grows): series ids (`modbus:<id>_mb_<key>`, FORMATS.md) are
 * built from it, not from the name, so a rename keeps the history. Rules that
 * span fields (unique ids/names/locations, a serial line that exists, the
 * device limit) are in rules.ts.
 *
 * `acquisition`: limits and timings of the poller. The device limit defaults
 * to the reference's 128 and is configurable.
 */
import type { Static } from 'typebox';
import Type from 'typebox';
import { Formats } from './formats.js';
import { MEASUREMENT_KEY_PATTERN, MODEL_ID_PATTERN } from './patterns.js';

const closed = { additionalProperties: false } as const;
const Name = Type.String({ minLength: 1, maxLength: 64, pattern: '^\\S(?:.*\\S)?$' });
const Int = (min: number, max: number, dflt: number) =>
  Type.Integer({ minimum: min, maximum: max, default: dflt });

/** Sampling periods in minutes (PRODUCT L3). */
export const PERIOD_MINUTES = [1, 5, 10, 15, 20, 30, 60] as const;
export type PeriodMinutes = (typeof PERIOD_MINUTES)[number];

/** Commodities of the reference's Home page (Electricity is its default). */
export const COMMODITIES = ['electricity', 'gas', 'fuel-oil', 'air', 'steam', 'water'] as const;

/**
 * What a device's consumption is used for, for the Home page's "by usage"
 * chart. Our list (the reference's exact list is not in our specification);
 * `none` = not assigned, such a device is left out of the usage chart.
 */
export const USAGES = [
  'none',
  'main',
  'sub-main',
  'lighting',
  'heating',
  'cooling',
  'hvac',
  'ventilation',
  'hot-water',
  'plug-loads',
  'it',
  'elevators',
  'kitchen',
  'refrigeration',
  'pumps',
  'compressed-air',
  'ev-charging',
  'production',
  'renewables',
  'other',
] as const;

/** Up to the schema's hard cap; the configurable limit is `acquisition.maxDevices`. */
export const DEVICES_HARD_MAX = 4096;
export const DEFAULT_MAX_DEVICES = 128;

export const SerialLocationSchema = Type.Object(
  {
    kind: Type.Literal('serial'),
    /** A `modbus.serialLines[].name`. */
    line: Name,
    slave: Type.Integer({ minimum: 1, maximum: 247 }),
  },
  closed,
);

export const TcpLocationSchema = Type.Object(
  {
    kind: Type.Literal('tcp'),
    host: Type.String({ format: Formats.host }),
    port: Int(1, 65535, 502),
    unit: Int(0, 255, 255),
    /** Bounds the wait in the queue and for the reply (src/modbus/tcp-master.ts). */
    timeoutMs: Int(100, 60_000, 1000),
    /** The device takes one request at a time: its endpoint's connection sends no more. */
    oneInFlight: Type.Boolean({ default: false }),
  },
  closed,
);

export const WirelessLocationSchema = Type.Object(
  {
    kind: Type.Literal('wireless'),
    /** The radio id (IEEE EUI-64 as 16 hex digits); readings come from the wireless registry. */
    rfId: Type.String({ pattern: '^[0-9A-Fa-f]{16}$' }),
    /** Register 31011 of its virtual server holds 5 characters (ref); empty = none. */
    label: Type.String({ maxLength: 5, pattern: '^[\\x20-\\x7e]*$', default: '' }),
  },
  closed,
);

export const DeviceLocationSchema = Type.Union([
  SerialLocationSchema,
  TcpLocationSchema,
  WirelessLocationSchema,
]);

export const DeviceSchema = Type.Object(
  {
    /** Stable id given at creation (never reused); series ids are built from it. */
    id: Type.Integer({ minimum: 1, maximum: 0x7fffffff }),
    name: Name,
    /** The device model; absent = not sampled (a TCP device the gateway only forwards to). */
    model: Type.Optional(Type.String({ pattern: MODEL_ID_PATTERN })),
    enabled: Type.Boolean({ default: true }),
    location: DeviceLocationSchema,
    /** Unit id under which upstream clients reach it through the gateway (TCP and wireless devices). */
    virtualId: Type.Optional(Type.Integer({ minimum: 1, maximum: 247 })),
    usage: Type.Enum([...USAGES], { default: 'none' }),
    /** Free text ("Floor 2", "Workshop"); empty = no zone. */
    zone: Type.String({ maxLength: 64, default: '' }),
    commodity: Type.Enum([...COMMODITIES], { default: 'electricity' }),
    periodMinutes: Type.Enum([...PERIOD_MINUTES], { default: 15 }),
    /** Keys of the model's measurements that are logged; absent = the model's default selection. */
    measurements: Type.Optional(
      Type.Array(Type.String({ pattern: MEASUREMENT_KEY_PATTERN }), { maxItems: 2000, uniqueItems: true }),
    ),
  },
  closed,
);

export const DevicesSchema = Type.Object(
  {
    /** The id the next added device gets; only grows, so ids are never reused. */
    nextId: Type.Integer({ minimum: 1, maximum: 0x7fffffff, default: 1 }),
    list: Type.Array(DeviceSchema, { maxItems: DEVICES_HARD_MAX, default: [] }),
  },
  { ...closed, default: {} },
);

export const AcquisitionSchema = Type.Object(
  {
    /** Wired (TCP and serial) devices allowed in `devices.list` (the reference: 128); wireless ones count apart (≤ 100). */
    maxDevices: Int(1, DEVICES_HARD_MAX, DEFAULT_MAX_DEVICES),
    /** Poll plan: two measurements are read together when at most this many registers lie between them. */
    maxGapRegisters: Int(0, 100, 10),
    tcp: Type.Object(
      {
        /** Requests in progress at once to all TCP devices together. */
        maxConcurrent: Int(1, 4096, 256),
        /** Requests in progress at once to one TCP device. */
        maxInFlightPerDevice: Int(1, 16, 1),
      },
      { ...closed, default: {} },
    ),
    live: Type.Object(
      {
        /** Period of live polling of watched devices. */
        intervalMs: Int(1000, 60_000, 2000),
        /** A watch lease not renewed within this time ends. */
        leaseMs: Int(5000, 600_000, 30_000),
        /** Devices watched at once (all leases together). */
        maxWatchedDevices: Int(1, 256, 32),
        maxLeases: Int(1, 256, 32),
      },
      { ...closed, default: {} },
    ),
    /** A device failing `afterFailures` polls in a row is skipped for baseMs, doubling up to maxMs. */
    backoff: Type.Object(
      {
        afterFailures: Int(1, 100, 3),
        baseMs: Int(1000, 3_600_000, 10_000),
        maxMs: Int(1000, 86_400_000, 300_000),
      },
      { ...closed, default: {} },
    ),
  },
  { ...closed, default: {} },
);

export type DevicesConfig = Static<typeof DevicesSchema>;
export type DeviceConfig = Static<typeof DeviceSchema>;
export type DeviceLocation = Static<typeof DeviceLocationSchema>;
export type SerialLocation = Static<typeof SerialLocationSchema>;
export type TcpLocation = Static<typeof TcpLocationSchema>;
export type WirelessLocation = Static<typeof WirelessLocationSchema>;
export type AcquisitionConfig = Static<typeof AcquisitionSchema>;
export type Usage = (typeof USAGES)[number];
export type Commodity = (typeof COMMODITIES)[number];

/** A short stable text for a location (unique-location rule, logs, discovery results). */
export function locationKey(loc: DeviceLocation): string {
  switch (loc.kind) {
    case 'serial':
      return `serial:${loc.line}/${loc.slave}`;
    case 'tcp':
      return `tcp:${loc.host.toLowerCase()}:${loc.port}/${loc.unit}`;
    case 'wireless':
      return `wireless:${loc.rfId.toUpperCase()}`;
  }
}
