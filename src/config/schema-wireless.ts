/**
 * The `wireless` configuration section (PRODUCT W1–W5; issue 8; the design is
 * in docs/wireless.md). The root schema (schema.ts) includes it; G2 ownership
 * of the virtual ids is checked in rules.ts.
 *
 * - `enabled`: the radio is on. Off (W5): the driver is stopped, paired
 *   devices stay listed and their virtual servers keep answering, and every
 *   device turns "not connected" once its communication period has run out.
 * - `permanentlyDisabled`: irreversible (W5). Once a running Wattgate has seen
 *   it true, the radio stays off for the life of the process whatever the
 *   configuration says later, and `wirelessTransitionErrors` (rules.ts) refuses
 *   a change back to false; keeping it across a factory reset is the
 *   composition root's job (a latch outside the settings, see the Part).
 * - `driver`: which radio driver runs; only the simulator exists today (W1).
 * - `permitJoinSeconds`: how long discovery stays open when an admin asks (W2).
 * - `requireInstallCodes`: selective discovery ("Protect Plus", on by default,
 *   W2): a device that needs an install code joins only when the code given
 *   with the permit-join request matches.
 * - The paired devices are entries of `devices.list` with a wireless
 *   location (schema-devices.ts: one device, one place), at most 100 (ref):
 *   radio id (EUI-64 as 16 hex digits), model (templates/), name (≤ 20
 *   characters, register 31001) and label (register 31011), and the virtual
 *   Modbus server id. Without `virtualId` a device gets the first free id
 *   from 100 at start (devices in list order); a device that joins is saved
 *   with the id it got, so ids stay stable.
 * - `simulator.sensors`: the simulated sensors "in the air" (driver
 *   'simulator' only): radio id, model, communication period (default: the
 *   model's), load profile and rated power of energy sensors, an install code
 *   when the device needs one. A sensor that is not in `devices` joins when
 *   discovery is open.
 */
import type { Static } from 'typebox';
import Type from 'typebox';
import { MODEL_ID_PATTERN } from './patterns.js';

const closed = { additionalProperties: false } as const;

/** Up to 100 wireless devices (ref, PRODUCT W1). */
export const MAX_WIRELESS_DEVICES = 100;
/** The first virtual server id given to a paired device (ref, PRODUCT W3). */
export const FIRST_WIRELESS_VIRTUAL_ID = 100;

export const RF_ID_PATTERN = '^[0-9A-Fa-f]{16}$';
/** A Zigbee install code: 16 bytes + CRC-16, as 36 hex digits (PRODUCT W2). */
export const INSTALL_CODE_PATTERN = '^[0-9A-Fa-f]{36}$';

export const WIRELESS_DRIVERS = ['simulator'] as const;
export const LOAD_PROFILES = ['office', 'residential', 'industrial'] as const;

const RfId = Type.String({ pattern: RF_ID_PATTERN });

/** Register 31001 of a wireless device's virtual server holds 20 characters (ref). */
export const MAX_WIRELESS_NAME = 20;

export const SimulatedSensorSchema = Type.Object(
  {
    rfId: RfId,
    model: Type.String({ pattern: MODEL_ID_PATTERN }),
    /** Communication period; absent = the model's `wireless.periodSeconds`. */
    periodSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 3600 })),
    /** Daily load curve of an energy sensor (default: from the radio id). */
    profile: Type.Optional(Type.Enum([...LOAD_PROFILES])),
    /** Rated power of the simulated load (default: from the radio id, 2–29 kW). */
    ratedPowerW: Type.Optional(Type.Number({ minimum: 1, maximum: 10_000_000 })),
    /** The device needs this install code to join (selective discovery). */
    installCode: Type.Optional(Type.String({ pattern: INSTALL_CODE_PATTERN })),
  },
  closed,
);

export const WirelessSchema = Type.Object(
  {
    enabled: Type.Boolean({ default: true }),
    permanentlyDisabled: Type.Boolean({ default: false }),
    driver: Type.Enum([...WIRELESS_DRIVERS], { default: 'simulator' }),
    permitJoinSeconds: Type.Integer({ minimum: 10, maximum: 3600, default: 180 }),
    requireInstallCodes: Type.Boolean({ default: true }),
    simulator: Type.Object(
      {
        sensors: Type.Array(SimulatedSensorSchema, { maxItems: 4 * MAX_WIRELESS_DEVICES, default: [] }),
      },
      { ...closed, default: {} },
    ),
  },
  { ...closed, default: {} },
);

export type WirelessConfig = Static<typeof WirelessSchema>;
export type SimulatedSensorConfig = Static<typeof SimulatedSensorSchema>;
export type LoadProfileName = (typeof LOAD_PROFILES)[number];
