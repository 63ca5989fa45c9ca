/**
 * Test and benchmark helpers for devices (not used by the product): small
 * inline models valid per model-schema.ts, an in-memory ModelMatcher over a
 * list of models (the built-in catalog in src/devices/models/ is another
 * part's), and the register words that make a simulator hold given values.
 */
import { Value } from 'typebox/value';
import { type CompiledMeasurement, compileMeasurement } from '../../src/devices/decode.js';
import { DeviceModelSchema, type Measurement, type ResolvedModel } from '../../src/devices/model-schema.js';
import type { DeviceIdentity, ModelMatcher } from '../../src/devices/model-source.js';
import { type DataValue, encodeValue } from '../../src/protocol/modbus/index.js';

const m = (
  x: Omit<Measurement, 'unit' | 'kind'> & Partial<Pick<Measurement, 'unit' | 'kind'>>,
): Measurement => ({
  unit: '',
  kind: 'instant',
  ...x,
});

/** A three-phase meter: voltages (adjacent float32), frequency, energy (int64), status, identity text. */
export const TEST_METER: ResolvedModel = {
  id: 'test-meter',
  name: 'Test three-phase meter',
  family: 'test',
  source: { kind: 'generic' },
  identification: { vendorName: '^Wattgate Test$', productCode: '^TM-3$' },
  measurements: [
    m({ key: 'VAB', name: 'Voltage A-B', address: 3019, type: 'float32', unit: 'V', group: 'Voltage' }),
    m({ key: 'VBC', name: 'Voltage B-C', address: 3021, type: 'float32', unit: 'V', group: 'Voltage' }),
    m({ key: 'VCA', name: 'Voltage C-A', address: 3023, type: 'float32', unit: 'V', group: 'Voltage' }),
    m({ key: 'VAN', name: 'Voltage A-N', address: 3027, type: 'float32', unit: 'V', group: 'Voltage' }),
    m({ key: 'VBN', name: 'Voltage B-N', address: 3029, type: 'float32', unit: 'V', group: 'Voltage' }),
    m({ key: 'VCN', name: 'Voltage C-N', address: 3031, type: 'float32', unit: 'V', group: 'Voltage' }),
    m({ key: 'F', name: 'Frequency', address: 3109, type: 'float32', unit: 'Hz' }),
    m({
      key: 'EAct',
      name: 'Active energy delivered',
      address: 3203,
      type: 'int64',
      unit: 'Wh',
      kind: 'counter',
    }),
    m({ key: 'PTot', name: 'Total active power', address: 3059, type: 'int32', unit: 'W', scale: 10 }),
    m({ key: 'Status', name: 'Status', address: 100, type: 'uint16', kind: 'status' }),
    m({ key: 'Model', name: 'Model name', address: 49, type: 'string', registers: 10, kind: 'text' }),
    m({ key: 'CtRatio', name: 'CT ratio', address: 200, type: 'uint16', kind: 'setting', access: 'rw' }),
  ],
};

/** A sensor without FC 43/14: recognised by a type code in input register 0. */
export const TEST_SENSOR: ResolvedModel = {
  id: 'test-sensor',
  name: 'Test ambient sensor',
  family: 'test',
  source: { kind: 'generic' },
  defaults: { table: 'input' },
  identification: { register: { key: 'TypeCode', matches: 4242 } },
  measurements: [
    m({ key: 'TypeCode', name: 'Device type code', address: 0, type: 'uint16', kind: 'text' }),
    m({ key: 'Temp', name: 'Temperature', address: 10, type: 'int16', unit: '°C', scale: 0.1 }),
    m({ key: 'Hum', name: 'Relative humidity', address: 11, type: 'uint16', unit: '%', scale: 0.1 }),
    m({ key: 'CO2', name: 'CO2', address: 12, type: 'uint16', unit: 'ppm' }),
  ],
};

/**
 * A model of `n` adjacent float32 measurements `M0`…`M<n-1>` from `address`
 * (the acquisition benchmark: 100 measurements = 200 registers = 2 reads).
 */
export function wideModel(n: number, address = 0, id = 'test-wide'): ResolvedModel {
  const measurements = Array.from({ length: n }, (_, i) =>
    m({ key: `M${i}`, name: `Measurement ${i}`, address: address + 2 * i, type: 'float32', unit: 'W' }),
  );
  return {
    id,
    name: `Test model with ${n} float32`,
    family: 'test',
    source: { kind: 'generic' },
    measurements,
  };
}

/** Throws unless `model` (with `include` omitted) is valid per the model schema. */
export function assertValidModel(model: ResolvedModel): void {
  if (!Value.Check(DeviceModelSchema, model)) {
    const first = Value.Errors(DeviceModelSchema, model)[0];
    throw new Error(`model ${model.id} is invalid: ${first?.instancePath} ${first?.message}`);
  }
}

function identityMatches(model: ResolvedModel, identity: DeviceIdentity): boolean | undefined {
  const id = model.identification;
  const rules = (['vendorName', 'productCode', 'modelName'] as const).filter((k) => id?.[k] !== undefined);
  if (rules.length === 0) return undefined;
  return rules.every((k) => new RegExp(id?.[k] as string).test(identity[k] ?? ''));
}

/** An in-memory ModelMatcher (a stand-in for the built-in catalog). */
export function modelList(models: readonly ResolvedModel[]): ModelMatcher {
  const byId = new Map(models.map((x) => [x.id, x]));
  return {
    get: (id) => byId.get(id),
    list: () => models,
    match: (identity) => models.filter((x) => identityMatches(x, identity) === true).map((x) => x.id),
  };
}

export interface RegisterWrite {
  readonly table: 'holding' | 'input';
  readonly address: number;
  readonly words: number[];
}

const INTEGER = new Set(['int16', 'uint16', 'int32', 'uint32', 'bitmap16', 'bitmap32']);

/** The raw value whose `raw × scale + offset` is `v` (integers rounded). */
function unscaled(c: CompiledMeasurement, v: DataValue): DataValue {
  if (typeof v !== 'number' || (c.scale === 1 && c.offset === 0)) return v;
  const raw = (v - c.offset) / c.scale;
  return INTEGER.has(c.format.type) ? Math.round(raw) : raw;
}

/**
 * The register writes that make a device hold `values` (by measurement key, in
 * engineering units: scale and offset undone), encoded by the data-type table.
 */
export function registersFor(
  model: ResolvedModel,
  values: Readonly<Record<string, DataValue>>,
): RegisterWrite[] {
  const out: RegisterWrite[] = [];
  for (const meas of model.measurements) {
    const v = values[meas.key];
    if (v === undefined) continue;
    const c = compileMeasurement(meas, model);
    out.push({ table: c.table, address: c.address, words: encodeValue(c.format, unscaled(c, v)) });
  }
  return out;
}
