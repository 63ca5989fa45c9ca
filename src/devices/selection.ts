/**
 * Which measurements of a device are logged (PRODUCT L3): the device's own
 * `measurements` list when present (keys unknown to its model are reported,
 * not polled), else the model's default selection — every measurement that
 * changes over time (kinds instant, counter, status, bitmap). Identity texts
 * and settings are read on demand (live view), not logged periodically.
 */
import type { MeasurementKind, ResolvedModel } from './model-schema.js';

const LOGGED_BY_DEFAULT: ReadonlySet<MeasurementKind> = new Set(['instant', 'counter', 'status', 'bitmap']);

export function defaultSelection(model: ResolvedModel): string[] {
  return model.measurements.filter((m) => LOGGED_BY_DEFAULT.has(m.kind)).map((m) => m.key);
}

export interface Selection {
  /** Keys to poll, in the model's order, without duplicates. */
  readonly keys: string[];
  /** Keys asked for that the model does not have. */
  readonly unknown: string[];
}

export function selectMeasurements(model: ResolvedModel, chosen: readonly string[] | undefined): Selection {
  if (chosen === undefined) return { keys: defaultSelection(model), unknown: [] };
  const known = new Set(model.measurements.map((m) => m.key));
  const want = new Set(chosen);
  return {
    keys: model.measurements.filter((m) => want.has(m.key)).map((m) => m.key),
    unknown: chosen.filter((k) => !known.has(k)),
  };
}
