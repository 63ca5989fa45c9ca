/**
 * The device-model schema (PRODUCT L1; ARCHITECTURE conventions 6 and 7): a
 * model is DATA — one JSON file per model under `templates/<family>/` — and
 * describes a register map, never an address. A device (registry) is a model
 * plus a location (serial line + slave, TCP host/port/unit, or wireless id).
 *
 * Addresses are 0-based protocol addresses (the reference's "register n is at
 * address n − 1"). Types come from the one data-type table
 * (src/protocol/modbus/data-types.ts); byte/word order default to the model's
 * `defaults`, then to big/big. `value = raw × scale + offset`. A measurement's
 * `invalid` overrides the type's default invalid marker (`[]` = none); markers
 * are compared in canonical big/big register order (`isInvalid`).
 *
 * `key` is the stable measurement key used in series ids (`modbus:1_mb_VAB`,
 * FORMATS.md): letters, digits and `_`, unique within a model; it must never
 * change once a model is published, because stored history is keyed on it.
 *
 * `source` says where the register map comes from: a public register file (the
 * reference's, named by file), a generic layout of our own (configurable
 * meters), or a custom import. A register map is never presented as a real
 * product's unless it comes from a public source.
 *
 * Added after the first version (optional, additive only):
 * - `Measurement.overlap`: the measurement deliberately shares registers with
 *   another one (e.g. a 32-bit value also exposed as its two halves); without
 *   it the loader refuses overlapping registers within one table.
 *
 * What the loader (src/devices/models/) guarantees about a `ResolvedModel`:
 * fragments are merged and every rule of docs/device-models.md holds (unique
 * keys — measurement and bit keys share one namespace —, no undeclared
 * overlap, string lengths, bits within the type's width, finite non-zero
 * scale …); every measurement has `table`, `byteOrder` and `wordOrder` filled
 * in (from `defaults`, then holding/big/big), so consumers need not look at
 * `defaults`; measurements are sorted by table (holding first) then address;
 * the object is deep-frozen.
 */
import type { Static } from 'typebox';
import Type from 'typebox';
import { MEASUREMENT_KEY_PATTERN, MODEL_ID_PATTERN } from '../config/patterns.js';
import { DATA_TYPE_NAMES } from '../protocol/modbus/data-types.js';

const closed = { additionalProperties: false } as const;

export { MEASUREMENT_KEY_PATTERN, MODEL_ID_PATTERN } from '../config/patterns.js';

const Order = Type.Enum(['big', 'little']);
const Table = Type.Enum(['holding', 'input']);
const Marker = Type.Array(Type.Integer({ minimum: 0, maximum: 0xffff }), { maxItems: 4 });

/** One named bit of a status/alarm bitmap. */
export const BitSchema = Type.Object(
  {
    bit: Type.Integer({ minimum: 0, maximum: 31 }),
    key: Type.String({ pattern: MEASUREMENT_KEY_PATTERN }),
    name: Type.String({ minLength: 1, maxLength: 128 }),
    /** An alarm bit (raised when set) rather than a plain status bit. */
    alarm: Type.Optional(Type.Boolean()),
  },
  closed,
);

export const MEASUREMENT_KINDS = ['instant', 'counter', 'status', 'bitmap', 'text', 'setting'] as const;

export const MeasurementSchema = Type.Object(
  {
    key: Type.String({ pattern: MEASUREMENT_KEY_PATTERN }),
    name: Type.String({ minLength: 1, maxLength: 128 }),
    /** 0-based protocol address (register number − 1). */
    address: Type.Integer({ minimum: 0, maximum: 0xffff }),
    type: Type.Enum([...DATA_TYPE_NAMES]),
    /** Length in registers: required for `string`, ignored otherwise. */
    registers: Type.Optional(Type.Integer({ minimum: 1, maximum: 125 })),
    byteOrder: Type.Optional(Order),
    wordOrder: Type.Optional(Order),
    table: Type.Optional(Table),
    scale: Type.Optional(Type.Number()),
    offset: Type.Optional(Type.Number()),
    /** Unit after scaling: 'V', 'A', 'W', 'Wh', '°C', '%', 'ppm', '' … */
    unit: Type.String({ maxLength: 16 }),
    /** instant (sampled), counter (cumulative, e.g. energy), status, bitmap, text (identity), setting. */
    kind: Type.Enum([...MEASUREMENT_KINDS]),
    access: Type.Optional(Type.Enum(['r', 'rw'])),
    /** Overrides the type's default invalid marker; `[]` = the type has no marker here. */
    invalid: Type.Optional(Marker),
    bits: Type.Optional(Type.Array(BitSchema, { maxItems: 32 })),
    /** Grouping for pages and discovery ("Voltage", "Energy", "Identification" …). */
    group: Type.Optional(Type.String({ maxLength: 64 })),
    /** Deliberately shares registers with another measurement (see the header). */
    overlap: Type.Optional(Type.Boolean()),
  },
  closed,
);

/** How discovery recognises this model: FC 43/14 objects and/or identification registers. */
export const IdentificationSchema = Type.Object(
  {
    /** Regular expressions matched against FC 43/14 basic objects. */
    vendorName: Type.Optional(Type.String({ maxLength: 128 })),
    productCode: Type.Optional(Type.String({ maxLength: 128 })),
    modelName: Type.Optional(Type.String({ maxLength: 128 })),
    /** Or a register whose decoded value must match (string regex, or number equality). */
    register: Type.Optional(
      Type.Object(
        {
          key: Type.String({ pattern: MEASUREMENT_KEY_PATTERN }),
          matches: Type.Union([Type.String({ maxLength: 128 }), Type.Number()]),
        },
        closed,
      ),
    ),
  },
  closed,
);

export const ModelSourceSchema = Type.Object(
  {
    kind: Type.Enum(['public-register-map', 'generic', 'custom']),
    /** For public maps: the document (e.g. "reference/modbus-map/TH110.tsv, rev 06 08/2023"). */
    document: Type.Optional(Type.String({ maxLength: 256 })),
  },
  closed,
);

export const DeviceModelSchema = Type.Object(
  {
    id: Type.String({ pattern: MODEL_ID_PATTERN }),
    name: Type.String({ minLength: 1, maxLength: 128 }),
    /** Family (folder under templates/): "powertag", "heattag", "generic-meter" … */
    family: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,63}$' }),
    description: Type.Optional(Type.String({ maxLength: 1024 })),
    source: ModelSourceSchema,
    /** Commercial references this model covers (discovery, UI), when public. */
    references: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 256 })),
    /** Wireless families: the radio sensor's communication period range in seconds. */
    wireless: Type.Optional(
      Type.Object(
        {
          periodSeconds: Type.Integer({ minimum: 1, maximum: 3600 }),
        },
        closed,
      ),
    ),
    defaults: Type.Optional(
      Type.Object(
        { byteOrder: Type.Optional(Order), wordOrder: Type.Optional(Order), table: Type.Optional(Table) },
        closed,
      ),
    ),
    identification: Type.Optional(IdentificationSchema),
    /** Shared fragments (templates/fragments/<name>.json) merged before `measurements`. */
    include: Type.Optional(
      Type.Array(Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,63}$' }), { maxItems: 16 }),
    ),
    measurements: Type.Array(MeasurementSchema, { maxItems: 2000 }),
  },
  closed,
);

/** A fragment: measurements shared by several models (e.g. the wireless identification block). */
export const ModelFragmentSchema = Type.Object(
  {
    fragment: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,63}$' }),
    description: Type.Optional(Type.String({ maxLength: 1024 })),
    measurements: Type.Array(MeasurementSchema, { maxItems: 2000 }),
  },
  closed,
);

export type MeasurementBit = Static<typeof BitSchema>;
export type Measurement = Static<typeof MeasurementSchema>;
export type MeasurementKind = Measurement['kind'];
export type DeviceModel = Static<typeof DeviceModelSchema>;
export type ModelFragment = Static<typeof ModelFragmentSchema>;
export type ModelIdentification = Static<typeof IdentificationSchema>;

/** A model after its fragments were merged: what the rest of the code uses. */
export type ResolvedModel = Readonly<Omit<DeviceModel, 'include' | 'measurements'>> & {
  readonly measurements: readonly Measurement[];
};
