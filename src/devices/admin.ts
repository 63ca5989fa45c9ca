/**
 * Adding, editing and removing devices (the devices API), as pure functions
 * from the `devices` configuration section to the next one; the caller stores
 * the result through the configuration store, whose validation (schema +
 * rules: unique names and locations, existing serial line, device limit) has
 * the last word.
 *
 * - add: the device gets id `nextId`, and `nextId` grows by one — ids are
 *   never reused, so a new device never inherits a removed one's history.
 *   Fields with a schema default (port, unit, timeout, usage …) may be left
 *   out: the configuration store fills them when it validates.
 * - edit: anything but the id; a rename keeps the series ids.
 * - remove: the id stays spent; its history stays in the store.
 *
 * Checked here because the configuration layer does not know the models: the
 * model exists, and the measurement keys chosen are the model's.
 */
import type { DeviceConfig, DevicesConfig } from '../config/schema-devices.js';
import { ErrorCodes, type ErrorDetail, WattgateError } from '../shared/errors.js';
import type { ModelSource } from './model-source.js';

/** A location as given: fields with a schema default may be left out (the store fills them). */
export type DeviceLocationInput =
  | { kind: 'tcp'; host: string; port?: number; unit?: number; timeoutMs?: number; oneInFlight?: boolean }
  | { kind: 'serial'; line: string; slave: number }
  | { kind: 'wireless'; rfId: string; label?: string };

export type NewDevice = Omit<
  DeviceConfig,
  'id' | 'enabled' | 'usage' | 'zone' | 'commodity' | 'periodMinutes' | 'location'
> &
  Partial<Pick<DeviceConfig, 'enabled' | 'usage' | 'zone' | 'commodity' | 'periodMinutes'>> & {
    readonly location: DeviceLocationInput;
  };

/**
 * Fields an edit may change; `measurements: null` returns to the model's
 * default selection, `virtualId: null` stops routing it, `model: null`
 * stops sampling it.
 */
export type DevicePatch = Partial<Omit<NewDevice, 'measurements' | 'virtualId' | 'model'>> & {
  readonly measurements?: readonly string[] | null;
  readonly virtualId?: number | null;
  readonly model?: string | null;
};

function invalid(message: string, details: ErrorDetail[]): WattgateError {
  return new WattgateError(ErrorCodes.INVALID_ARGUMENT, message, { details });
}

function checkModel(device: Pick<DeviceConfig, 'model' | 'measurements'>, models: ModelSource): void {
  if (device.model === undefined) return; // routed only; measurements without a model: a config rule
  const model = models.get(device.model);
  if (!model)
    throw invalid(`unknown model "${device.model}"`, [{ path: '/model', message: 'no such model' }]);
  if (!device.measurements) return;
  const known = new Set(model.measurements.map((m) => m.key));
  const details = device.measurements
    .map((k, i) => ({ k, i }))
    .filter(({ k }) => !known.has(k))
    .map(({ k, i }) => ({
      path: `/measurements/${i}`,
      message: `model "${model.id}" has no measurement "${k}"`,
    }));
  if (details.length > 0) throw invalid(`unknown measurement keys for model "${model.id}"`, details);
}

function find(cfg: DevicesConfig, id: number): number {
  const i = cfg.list.findIndex((d) => d.id === id);
  if (i < 0) throw new WattgateError(ErrorCodes.NOT_FOUND, `no device ${id}`);
  return i;
}

export function addDevice(
  cfg: DevicesConfig,
  input: NewDevice,
  models: ModelSource,
): { next: DevicesConfig; id: number } {
  checkModel(input, models);
  const id = cfg.nextId;
  const device = { ...input, id } as DeviceConfig;
  return { next: { ...cfg, nextId: id + 1, list: [...cfg.list, device] }, id };
}

export function updateDevice(
  cfg: DevicesConfig,
  id: number,
  patch: DevicePatch,
  models: ModelSource,
): DevicesConfig {
  const i = find(cfg, id);
  const { measurements, ...rest } = patch;
  const merged: Record<string, unknown> = { ...(cfg.list[i] as DeviceConfig), ...rest, id };
  for (const k of Object.keys(rest)) if ((rest as Record<string, unknown>)[k] === null) delete merged[k];
  if (measurements === null) delete merged.measurements;
  else if (measurements !== undefined) merged.measurements = [...measurements];
  const device = merged as DeviceConfig;
  checkModel(device, models);
  const list = cfg.list.map((d, k) => (k === i ? device : d));
  return { ...cfg, list };
}

export function removeDevice(cfg: DevicesConfig, id: number): DevicesConfig {
  const i = find(cfg, id);
  return { ...cfg, list: cfg.list.filter((_, k) => k !== i) };
}
