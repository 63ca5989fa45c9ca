/**
 * The `inputs` configuration section (PRODUCT L5; issue 8 part 3; design in
 * docs/wireless.md): the two local digital inputs DI1 and DI2 that unit 255
 * reports at registers 1001–1448 (Panel_Server.tsv).
 *
 * An input is absent (not connected: its registers hold the invalid markers)
 * or configured as
 * - `pulse`: a meter's pulse output (water, gas, air, steam, electricity):
 *   pulses of at least 30 ms, at most 16 a second (ref); `weight` is what one
 *   pulse is worth in `unit`, `offset` is added to the accumulated value;
 * - `status`: a contact (breaker position, door …), `polarity` says which
 *   electrical level is "active".
 * The texts and codes (name, label, usage, commodity, features, custom texts)
 * are reported as given, in the registers of the reference.
 *
 * `driver`: 'simulator' (the only one today; a Linux GPIO character-device
 * driver is not written, see docs/wireless.md). `simulator` per input: pulse
 * rate and width, injected glitches (too short or too fast, to be filtered),
 * mean time between status changes.
 */
import type { Static } from 'typebox';
import Type from 'typebox';

const closed = { additionalProperties: false } as const;
const Text = (max: number) => Type.String({ maxLength: max, pattern: '^[\\x20-\\x7e]*$', default: '' });

export const INPUT_DRIVERS = ['simulator'] as const;
/** Register 1219/1220 codes 1–8 (ref), in order. */
export const INPUT_COMMODITIES = [
  'electricity',
  'gas',
  'fuel-oil',
  'air',
  'steam',
  'water',
  'environment',
  'other',
] as const;
export const INPUT_NAMES = ['DI1', 'DI2'] as const;
export type InputName = (typeof INPUT_NAMES)[number];

/** The reference's limits (PRODUCT L5). */
export const MIN_PULSE_MS = 30;
export const MAX_PULSES_PER_SECOND = 16;

export const InputSimulatorSchema = Type.Object(
  {
    /** Pulse inputs: mean pulse rate (0 = none); above 16/s pulses are filtered. */
    pulsesPerSecond: Type.Number({ minimum: 0, maximum: 50, default: 1 }),
    /** Pulse inputs: width of a pulse. */
    pulseWidthMs: Type.Integer({ minimum: 1, maximum: 1000, default: 50 }),
    /** Pulse inputs: extra glitches a minute (a 5 ms spike, or a pulse too soon after the last). */
    glitchesPerMinute: Type.Number({ minimum: 0, maximum: 600, default: 0 }),
    /** Status inputs: mean time between two changes of level. */
    meanToggleSeconds: Type.Integer({ minimum: 1, maximum: 86_400, default: 600 }),
  },
  { ...closed, default: {} },
);

export const InputChannelSchema = Type.Object(
  {
    kind: Type.Enum(['pulse', 'status']),
    /** User application name (registers 1005/1025: 40 characters). */
    name: Text(40),
    /** Electrical label (registers 1045/1048: 6 characters). */
    label: Text(6),
    /** Usage code 1–37 of the reference (default 21, "Other"). */
    usage: Type.Integer({ minimum: 1, maximum: 37, default: 21 }),
    commodity: Type.Enum([...INPUT_COMMODITIES], { default: 'other' }),
    /** Pulse: what one pulse is worth, in `unit`. */
    weight: Type.Number({ exclusiveMinimum: 0, maximum: 1e9, default: 1 }),
    /** Pulse: added to the accumulated value (registers 1091/1095). */
    offset: Type.Integer({ minimum: -(2 ** 52), maximum: 2 ** 52, default: 0 }),
    /** Pulse: unit of the accumulated value ("L", "m3", "Wh" …; registers 1329/1349). */
    unit: Text(40),
    /** Pulse: unit of the flow (registers 1409/1429), e.g. "L/h". */
    flowUnit: Text(40),
    /** Pulse: names of the accumulated value and of the flow (registers 1289…, 1369…). */
    meteringName: Text(40),
    flowName: Text(40),
    /** Pulse: metering feature code 0–53 of the reference (registers 1287/1288; 53 = custom). */
    meteringFeature: Type.Integer({ minimum: 0, maximum: 53, default: 53 }),
    /** Status: feature code of the reference (registers 1221/1222; 1 = custom). */
    statusFeature: Type.Integer({ minimum: 0, maximum: 127, default: 1 }),
    /** Status: 'active-high' = high level is active (0 V inactive). */
    polarity: Type.Enum(['active-high', 'active-low'], { default: 'active-high' }),
    /** Status, custom feature: context, inactive and active texts (20 characters each). */
    contextText: Text(20),
    inactiveText: Text(20),
    activeText: Text(20),
    simulator: InputSimulatorSchema,
  },
  closed,
);

export const InputsSchema = Type.Object(
  {
    driver: Type.Enum([...INPUT_DRIVERS], { default: 'simulator' }),
    /** DI1 and DI2; an absent input is "not connected". */
    channels: Type.Object(
      { DI1: Type.Optional(InputChannelSchema), DI2: Type.Optional(InputChannelSchema) },
      { ...closed, default: {} },
    ),
  },
  { ...closed, default: {} },
);

export type InputsConfig = Static<typeof InputsSchema>;
export type InputChannelConfig = Static<typeof InputChannelSchema>;
