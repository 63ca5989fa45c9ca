/**
 * A model-driven simulated device: fill a UnitBank so that the Modbus slave
 * (sim/modbus/tcp-slave.ts) serves exactly the values given, per measurement
 * key of a ResolvedModel. Values are in engineering units (after scale and
 * offset): the raw register value is `(value − offset) / scale`, rounded for
 * integer types, then encoded by the one data-type table (encodeValue) in the
 * measurement's byte and word order, into its table. `SIM_INVALID` writes the
 * measurement's invalid marker (its own `invalid`, else the type's).
 *
 *   const slave = await startModelSlave([{ unit: 1, model, values: { T: 21.5, CommRef: 'EMS59440' } }]);
 *   setMeasurement(slave.bank(1), model, 'T', SIM_INVALID);
 */

import type { Measurement, ResolvedModel } from '../../src/devices/model-schema.js';
import {
  type DataFormat,
  DataTypes,
  type DataValue,
  encodeValue,
  registerCount,
} from '../../src/protocol/modbus/data-types.js';
import type { UnitBank } from '../modbus/bank.js';
import { startTcpSlave, type TcpSlave, type TcpSlaveOptions } from '../modbus/tcp-slave.js';

/** Write the invalid marker instead of a value. */
export const SIM_INVALID: unique symbol = Symbol('invalid');
export type SimValue = DataValue | typeof SIM_INVALID;

const INTEGER = new Set(['int16', 'uint16', 'int32', 'uint32', 'bitmap16', 'bitmap32']);

/** The measurement's data format (type, orders, string length) for the data-type table. */
export function formatOf(m: Measurement): DataFormat {
  return {
    type: m.type,
    byteOrder: m.byteOrder ?? 'big',
    wordOrder: m.wordOrder ?? 'big',
    ...(m.registers === undefined ? {} : { registers: m.registers }),
  };
}

/** The invalid marker in canonical big/big registers, or null when the measurement has none. */
export function invalidMarker(m: Measurement): number[] | null {
  if (m.invalid !== undefined) return m.invalid.length === 0 ? null : [...m.invalid];
  const ref = DataTypes[m.type].invalid;
  if (ref === null) return null;
  if (ref === 'zero') return new Array<number>(registerCount(formatOf(m))).fill(0);
  return [...ref];
}

/** Engineering value → the raw value the registers hold (inverse scale and offset). */
export function rawValue(m: Measurement, value: DataValue): DataValue {
  const scale = m.scale ?? 1;
  const offset = m.offset ?? 0;
  if (typeof value === 'bigint') {
    if (scale === 1 && offset === 0) return value;
    return BigInt(Math.round((Number(value) - offset) / scale));
  }
  if (typeof value !== 'number') return value;
  const raw = (value - offset) / scale;
  if (m.type === 'int64' || m.type === 'uint64') return BigInt(Math.round(raw));
  return INTEGER.has(m.type) ? Math.round(raw) : raw;
}

/** The registers (wire order) that make the measurement read `value`. */
export function encodeMeasurement(m: Measurement, value: SimValue): number[] {
  const format = formatOf(m);
  if (value !== SIM_INVALID) return encodeValue(format, rawValue(m, value));
  const marker = invalidMarker(m);
  if (marker === null) throw new Error(`measurement ${m.key} (${m.type}) has no invalid marker`);
  // The marker is canonical big/big: put it through the byte/word order like a value would be.
  const swap = (w: number) => ((w & 0xff) << 8) | (w >> 8);
  let words = format.byteOrder === 'little' ? marker.map(swap) : marker;
  if (format.wordOrder === 'little' && m.type !== 'string' && m.type !== 'datetime')
    words = [...words].reverse();
  return words;
}

function measurement(model: ResolvedModel, key: string): Measurement {
  const m = model.measurements.find((x) => x.key === key);
  if (m === undefined) throw new Error(`model ${model.id} has no measurement ${key}`);
  return m;
}

export function setMeasurement(bank: UnitBank, model: ResolvedModel, key: string, value: SimValue): void {
  const m = measurement(model, key);
  bank.setRegisters(m.table ?? 'holding', m.address, encodeMeasurement(m, value));
}

/** Sets every given measurement (keys not in the model are an error; others are left as they are). */
export function fillBank(
  bank: UnitBank,
  model: ResolvedModel,
  values: Readonly<Record<string, SimValue>>,
): void {
  for (const [key, value] of Object.entries(values)) setMeasurement(bank, model, key, value);
}

export interface SimulatedDevice {
  readonly unit: number;
  readonly model: ResolvedModel;
  readonly values: Readonly<Record<string, SimValue>>;
}

/** A TCP slave with one unit per device, each filled from its model and values. */
export async function startModelSlave(
  devices: readonly SimulatedDevice[],
  opts: Omit<TcpSlaveOptions, 'units'> = {},
): Promise<TcpSlave> {
  const slave = await startTcpSlave({ ...opts, units: devices.map((d) => d.unit) });
  for (const d of devices) fillBank(slave.bank(d.unit), d.model, d.values);
  return slave;
}
