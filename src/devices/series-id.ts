/**
 * Stable series ids (FORMATS.md): `modbus:<deviceId>_mb_<measurementKey>`,
 * e.g. `modbus:1_mb_VAB`. `deviceId` is the device's integer id given at
 * creation and never reused (config/schema-devices.ts), NOT its name, so a
 * renamed device keeps its series; `measurementKey` is the model's stable key
 * (model-schema.ts). The publication files' ReducedId is `<deviceId>_mb`, and
 * the device's own id in them is `modbus:<deviceId>_mb`.
 *
 * The digital inputs of unit 255 are not devices of `devices.list`; their
 * series are `input:<name>_di_<field>`, e.g. `input:DI1_di_accumulated`
 * (`inputSeriesId`).
 */
import { MEASUREMENT_KEY_PATTERN } from './model-schema.js';

const KEY = new RegExp(MEASUREMENT_KEY_PATTERN);
const SERIES = /^modbus:([1-9][0-9]{0,9})_mb_([A-Za-z][A-Za-z0-9_]{0,31})$/;

export function seriesId(deviceId: number, key: string): string {
  // join() gives one flat string; a template literal would keep a rope of parts (more memory per id).
  return ['modbus:', deviceId, '_mb_', key].join('');
}

/** `input:DI1_di_accumulated`: a digital input's series. */
export function inputSeriesId(input: string, field: string): string {
  return ['input:', input, '_di_', field].join('');
}

/** `10_mb`: the short id of publication file names. */
export function reducedId(deviceId: number): string {
  return `${deviceId}_mb`;
}

/** `modbus:10_mb`: the device id of publication files. */
export function deviceSeriesPrefix(deviceId: number): string {
  return `modbus:${deviceId}_mb`;
}

/** The device id and measurement key of a series id, or undefined when it is not one. */
export function parseSeriesId(id: string): { deviceId: number; key: string } | undefined {
  const m = SERIES.exec(id);
  if (!m) return undefined;
  const deviceId = Number(m[1]);
  const key = m[2] ?? '';
  if (!Number.isSafeInteger(deviceId) || deviceId > 0x7fffffff || !KEY.test(key)) return undefined;
  return { deviceId, key };
}
