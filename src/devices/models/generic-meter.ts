/**
 * Generic wired meters: Wattgate's OWN register layouts (source kind
 * "generic"), not any product's map. `genericMeterModel(options)` builds a
 * model for a meter whose registers follow this layout from `base` on, in
 * either encoding, byte and word order and table; its output passes the model
 * schema and rules (tested). templates/generic-meter/ holds the two defaults
 * (float32, big/big, holding from 0) and the demo simulator's layout.
 *
 * Layout (offsets from `base`; instant values 2 registers, energies 4):
 *   three-phase  0 VAN  2 VBN  4 VCN  6 VAB  8 VBC 10 VCA 12 IA 14 IB 16 IC 18 IN
 *               20 PA  22 PB  24 PC  26 PTot 28 QTot 30 STot 32 PF 34 Freq
 *               36 EActDelTot 40 EActRecTot 44 EReactDelTot 48 EReactRecTot   (52 registers)
 *   one-phase    0 VAN  2 IA  4 PTot  6 QTot  8 STot 10 PF 12 Freq
 *               14 EActDelTot 18 EActRecTot 22 EReactDelTot 26 EReactRecTot   (30 registers)
 * Encodings: `float32` (values in V, A, W, VAR, VA, —, Hz) or `int32-scaled`
 * (int32 in 0.1 V, 1 mA, 1 W, 1 VAR, 1 VA, 0.001, 0.01 Hz). Energies are
 * uint64 Wh in both.
 */
import { ErrorCodes, WattgateError } from '../../shared/errors.js';
import type { DeviceModel, Measurement } from '../model-schema.js';

export const GENERIC_METER_TYPES = ['float32', 'int32-scaled'] as const;
export type GenericMeterType = (typeof GENERIC_METER_TYPES)[number];

export interface GenericMeterOptions {
  /** Model id (MODEL_ID_PATTERN). */
  readonly id: string;
  readonly name?: string;
  readonly phases: 1 | 3;
  /** First register (0-based address); default 0. */
  readonly base?: number;
  /** Default float32. */
  readonly type?: GenericMeterType;
  readonly table?: 'holding' | 'input';
  readonly byteOrder?: 'big' | 'little';
  readonly wordOrder?: 'big' | 'little';
}

type Quantity = readonly [key: string, name: string, unit: string, int32Scale: number, group: string];

const V = (key: string, name: string): Quantity => [key, name, 'V', 0.1, 'Voltage'];
const I = (key: string, name: string): Quantity => [key, name, 'A', 0.001, 'Current'];
const P = (key: string, name: string, unit = 'W'): Quantity => [key, name, unit, 1, 'Power'];

const THREE_PHASE: readonly Quantity[] = [
  V('VAN', 'Voltage A-N'),
  V('VBN', 'Voltage B-N'),
  V('VCN', 'Voltage C-N'),
  V('VAB', 'Voltage A-B'),
  V('VBC', 'Voltage B-C'),
  V('VCA', 'Voltage C-A'),
  I('IA', 'Current, phase A'),
  I('IB', 'Current, phase B'),
  I('IC', 'Current, phase C'),
  I('IN', 'Current, neutral'),
  P('PA', 'Active power, phase A'),
  P('PB', 'Active power, phase B'),
  P('PC', 'Active power, phase C'),
  P('PTot', 'Active power, total'),
  P('QTot', 'Reactive power, total', 'VAR'),
  P('STot', 'Apparent power, total', 'VA'),
  ['PF', 'Power factor, total', '', 0.001, 'Power factor'],
  ['Freq', 'Frequency', 'Hz', 0.01, 'Frequency'],
];

const ONE_PHASE: readonly Quantity[] = [
  V('VAN', 'Voltage'),
  I('IA', 'Current'),
  P('PTot', 'Active power'),
  P('QTot', 'Reactive power', 'VAR'),
  P('STot', 'Apparent power', 'VA'),
  ['PF', 'Power factor', '', 0.001, 'Power factor'],
  ['Freq', 'Frequency', 'Hz', 0.01, 'Frequency'],
];

const ENERGIES = [
  ['EActDelTot', 'Active energy delivered, total', 'Wh'],
  ['EActRecTot', 'Active energy received, total', 'Wh'],
  ['EReactDelTot', 'Reactive energy delivered, total', 'VARh'],
  ['EReactRecTot', 'Reactive energy received, total', 'VARh'],
] as const;

/** Registers the layout needs from `base` on. */
export const genericMeterSize = (phases: 1 | 3): number =>
  2 * (phases === 3 ? THREE_PHASE : ONE_PHASE).length + 4 * ENERGIES.length;

function instant(q: Quantity, address: number, type: GenericMeterType): Measurement {
  const [key, name, unit, scale, group] = q;
  const scaled = type === 'int32-scaled' && scale !== 1 ? { scale } : {};
  const t = type === 'float32' ? 'float32' : 'int32';
  return { key, name, address, type: t, ...scaled, unit, kind: 'instant', group };
}

function check(o: GenericMeterOptions, base: number): void {
  const bad = (message: string, path: string) => {
    throw new WattgateError(ErrorCodes.INVALID_ARGUMENT, message, { details: [{ path, message }] });
  };
  if (o.phases !== 1 && o.phases !== 3) bad('phases must be 1 or 3', '/phases');
  if (!Number.isInteger(base) || base < 0 || base + genericMeterSize(o.phases) > 0x10000)
    bad(`base must be an integer from 0 to ${0x10000 - genericMeterSize(o.phases)}`, '/base');
  if (o.type !== undefined && !GENERIC_METER_TYPES.includes(o.type))
    bad(`type must be one of ${GENERIC_METER_TYPES.join(', ')}`, '/type');
}

/** A generic meter model on Wattgate's own layout (see the header). */
export function genericMeterModel(o: GenericMeterOptions): DeviceModel {
  const base = o.base ?? 0;
  check(o, base);
  const type = o.type ?? 'float32';
  const quantities = o.phases === 3 ? THREE_PHASE : ONE_PHASE;
  const measurements: Measurement[] = quantities.map((q, i) => instant(q, base + 2 * i, type));
  const first = base + 2 * quantities.length;
  ENERGIES.forEach(([key, name, unit], i) => {
    measurements.push({
      key,
      name,
      address: first + 4 * i,
      type: 'uint64',
      unit,
      kind: 'counter',
      group: 'Energy',
    });
  });
  const phases = o.phases === 3 ? 'three-phase' : 'single-phase';
  return {
    id: o.id,
    name: o.name ?? `Generic ${phases} meter (${type})`,
    family: 'generic-meter',
    description:
      `Wattgate's own generic ${phases} layout (not a product's register map): ${type} values from ` +
      `register ${base}, energies as uint64 Wh (docs/device-models.md).`,
    source: { kind: 'generic' },
    defaults: {
      table: o.table ?? 'holding',
      byteOrder: o.byteOrder ?? 'big',
      wordOrder: o.wordOrder ?? 'big',
    },
    measurements,
  };
}
