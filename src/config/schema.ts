/**
 * THE configuration schema (ARCHITECTURE convention 5): one TypeBox schema
 * gives the TypeScript type (`Config`), validation, defaults, and the JSON
 * Schema the web UI renders. Every object rejects unknown properties. Rules
 * that span fields (unit-id ownership, unique names, network references) live
 * in `rules.ts`; semantic string checks are formats from `formats.ts`.
 *
 * Limits here are the documented product limits (PRODUCT G1, G6, G7, G10, N2);
 * docs/operations.md copies them.
 */

import type { Static, TObjectOptions, TSchema } from 'typebox';
import Type from 'typebox';
import { Formats } from './formats.js';
import { AuditSchema } from './schema-audit.js';
import { AcquisitionSchema, DevicesSchema } from './schema-devices.js';
import { HistorySchema } from './schema-history.js';
import { InputsSchema } from './schema-inputs.js';
import { WebSchema } from './schema-web.js';
import { WirelessSchema } from './schema-wireless.js';

/** Bump when the shape changes; add the upgrade step in `versions.ts`. */
export const CONFIG_SCHEMA_VERSION = 2;

const closed = { additionalProperties: false } as const;

/** Network names: `ETH1`, `ETH2`, `OT_LAN` … (letters, digits, `_`, `-`; starts with a letter). */
export const NETWORK_NAME_PATTERN = '^[A-Za-z][A-Za-z0-9_-]{0,15}$';
/**
 * Records keyed by network name. The key rule is `propertyNames` (not a
 * patterned key + additionalProperties: false, which TypeBox's Value.Default
 * cannot walk when a key does not match).
 */
const byNetwork = <T extends TSchema>(value: T, options: TObjectOptions = {}) =>
  Type.Record(Type.String(), value, { propertyNames: { pattern: NETWORK_NAME_PATTERN }, ...options });

const Name = Type.String({ minLength: 1, maxLength: 64, pattern: '^\\S(?:.*\\S)?$' });
const Port = (dflt: number, description?: string) =>
  Type.Integer({ minimum: 1, maximum: 65535, default: dflt, ...(description && { description }) });
const Ms = (min: number, max: number, dflt: number, description?: string) =>
  Type.Integer({ minimum: min, maximum: max, default: dflt, ...(description && { description }) });

export const SystemSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 64, default: 'Wattgate' }),
    location: Type.String({ maxLength: 128, default: '' }),
    timezone: Type.String({ format: Formats.timezone, default: 'UTC' }),
  },
  { ...closed, default: {} },
);

export const NetworkSchema = Type.Object(
  {
    addresses: Type.Array(Type.String({ format: Formats.ip }), {
      minItems: 1,
      maxItems: 16,
      uniqueItems: true,
    }),
    description: Type.String({ maxLength: 128, default: '' }),
  },
  // `default: {}` is never used as a value (record keys are always present); it makes
  // TypeBox's Value.Default walk into record values and fill `description`.
  { ...closed, default: {} },
);

export const DEFAULT_NETWORKS = { ETH1: { addresses: ['0.0.0.0'], description: 'Upstream (IT) network' } };

export const NetworksSchema = byNetwork(NetworkSchema, {
  minProperties: 1,
  maxProperties: 8,
  default: DEFAULT_NETWORKS,
});

export const ModbusServerSchema = Type.Object(
  {
    port: Port(502),
    enabled: byNetwork(Type.Boolean(), {
      default: { ETH1: true },
      description: 'Per network: is the Modbus server listening there. A network not listed is off.',
    }),
    maxConnections: Type.Integer({ minimum: 1, maximum: 256, default: 32 }),
    maxConnectionsPerSource: Type.Integer({ minimum: 1, maximum: 256, default: 8 }),
    idleTimeoutMs: Ms(1000, 86_400_000, 120_000),
    frameDeadlineMs: Ms(100, 60_000, 2000),
    maxPendingPerConnection: Type.Integer({ minimum: 1, maximum: 256, default: 16 }),
    unknownFunctionCodes: Type.Enum(['forward', 'reject'], { default: 'forward' }),
    /** Per network: when present, only these sources may connect (empty list = nobody). */
    allowList: byNetwork(
      Type.Array(Type.String({ format: Formats.ipOrCidr }), { maxItems: 256, uniqueItems: true }),
      { default: {} },
    ),
    readOnlyUnits: Type.Array(Type.Integer({ minimum: 0, maximum: 255 }), {
      description: 'Unit ids whose write function codes are answered with exception 01.',
      maxItems: 256,
      uniqueItems: true,
      default: [],
    }),
    /** Writes to the gateway's date/time register (unit 255, register 116). */
    allowTimeSetting: Type.Boolean({
      default: false,
      description: "Writes to the gateway's date/time register (unit 255, register 116).",
    }),
  },
  { ...closed, default: {} },
);

export const SERIAL_BAUD_RATES = [1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200] as const;

/** How a serial line is reached: a local serial device, or a serial device server speaking RTU over TCP. */
export const SERIAL_TRANSPORTS = ['serial', 'rtu-over-tcp'] as const;

/**
 * One physical RS-485 line (PRODUCT G5) and its RTU master. Every field but
 * `name` has a default; docs/operations.md documents each with its limits.
 */
export const SerialLineSchema = Type.Object(
  {
    name: Name,
    enabled: Type.Boolean({
      default: true,
      description: 'Off: the line is not opened and its unit ids answer 0x0A (G4).',
    }),
    transport: Type.Enum([...SERIAL_TRANSPORTS], { default: 'serial' }),
    path: Type.String({
      maxLength: 256,
      default: '',
      description: 'Serial device, e.g. /dev/ttyUSB0 (required for transport serial).',
    }),
    host: Type.Optional(
      Type.String({
        format: Formats.host,
        description: 'Serial device server (required for transport rtu-over-tcp).',
      }),
    ),
    port: Port(502, 'TCP port of the serial device server (rtu-over-tcp).'),
    baud: Type.Enum([...SERIAL_BAUD_RATES], { default: 19200 }),
    parity: Type.Enum(['none', 'even', 'odd'], { default: 'even' }),
    stopBits: Type.Enum([1, 2], { default: 1 }),
    timeoutMs: Ms(50, 60_000, 1000, 'Response timeout, counted from the end of the request on the wire.'),
    retries: Type.Integer({
      minimum: 0,
      maximum: 5,
      default: 1,
      description: 'Extra attempts of a read after a timeout or a corrupt reply.',
    }),
    retryWrites: Type.Boolean({
      default: false,
      description: 'Retry writes (FC 5, 6, 15, 16, 21, 22, 23) too: a timed-out write may have acted.',
    }),
    pauseMs: Ms(0, 10_000, 0, 'Extra silence between two transactions on the line, beyond t3.5.'),
    maxQueue: Type.Integer({
      minimum: 1,
      maximum: 1024,
      default: 64,
      description: 'Requests waiting for the line; one more → 0x06.',
    }),
    /** A request still queued after this long is dropped (0x0B) before reaching the line. */
    queueTimeoutMs: Ms(
      100,
      60_000,
      5000,
      'A request still queued after this long is dropped (0x0B) before reaching the line.',
    ),
    broadcast: Type.Boolean({
      default: false,
      description: 'Unit 0 write requests are sent on this line (G8).',
    }),
    /** Silence after a broadcast, for the slaves to act, before the next frame. */
    broadcastDelayMs: Ms(
      0,
      10_000,
      100,
      'Silence after a broadcast, for the slaves to act, before the next frame.',
    ),
    unitIds: Type.Array(Type.Integer({ minimum: 1, maximum: 247 }), {
      description: 'Slave unit ids served by this line (transparent pass-through, G2).',
      maxItems: 247,
      uniqueItems: true,
      default: [],
    }),
  },
  closed,
);

/** Downstream TCP devices routed by the gateway (virtual ids), the reference's limit (G6). */
export const MAX_TCP_DEVICES = 128;
export const MAX_SERIAL_LINES = 8;

export const ModbusSchema = Type.Object(
  {
    server: ModbusServerSchema,
    serialLines: Type.Array(SerialLineSchema, { maxItems: MAX_SERIAL_LINES, default: [] }),
  },
  { ...closed, default: {} },
);

export const ConfigSchema = Type.Object(
  {
    system: SystemSchema,
    networks: NetworksSchema,
    modbus: ModbusSchema,
    web: WebSchema,
    devices: DevicesSchema,
    acquisition: AcquisitionSchema,
    wireless: WirelessSchema,
    inputs: InputsSchema,
    audit: AuditSchema,
    history: HistorySchema,
  },
  closed,
);

export type Config = Static<typeof ConfigSchema>;
export type SystemConfig = Config['system'];
export type NetworksConfig = Config['networks'];
export type NetworkConfig = Static<typeof NetworkSchema>;
export type ModbusConfig = Config['modbus'];
export type ModbusServerConfig = ModbusConfig['server'];
export type SerialLineConfig = Static<typeof SerialLineSchema>;
export type { AuditConfig } from './schema-audit.js';
export type {
  AcquisitionConfig,
  DeviceConfig,
  DeviceLocation,
  DevicesConfig,
} from './schema-devices.js';
export type { HistoryConfig } from './schema-history.js';
export type { InputChannelConfig, InputsConfig } from './schema-inputs.js';
export type { WebConfig } from './schema-web.js';
export type { SimulatedSensorConfig, WirelessConfig } from './schema-wireless.js';
export type ConfigSection = keyof Config;

/** Top-level sections in schema order (the order subscribers are notified in). */
export const CONFIG_SECTIONS = Object.keys(ConfigSchema.properties) as ConfigSection[];
