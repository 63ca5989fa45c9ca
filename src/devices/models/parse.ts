/**
 * From untrusted input to a typed document: JSON text or a parsed value is
 * checked against the TypeBox schema (model-schema.ts) and every problem is
 * reported at once (modelError). Never throws anything but WattgateError.
 */
import type { ErrorDetail } from '../../shared/errors.js';
import {
  type DeviceModel,
  DeviceModelSchema,
  type ModelFragment,
  ModelFragmentSchema,
} from '../model-schema.js';
import { measurementProblems } from './measurement-rules.js';
import { modelError, parseJsonText, schemaProblems } from './problems.js';

/** Largest JSON text accepted for one model (a model of 2000 measurements fits). */
export const MAX_MODEL_TEXT = 1024 * 1024;

/** A value is copied through JSON first: holes, undefined, functions and getters cannot reach the checks. */
function plain(input: unknown, where: string): unknown {
  try {
    const text = JSON.stringify(input);
    if (text === undefined) throw new Error('not a JSON value');
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw modelError(where, [{ path: '/', message: `must be plain JSON (${(e as Error).message})` }]);
  }
}

function value(input: unknown, where: string): unknown {
  if (typeof input !== 'string') return plain(input, where);
  if (input.length > MAX_MODEL_TEXT)
    throw modelError(where, [{ path: '/', message: `is longer than ${MAX_MODEL_TEXT} characters` }]);
  const parsed = parseJsonText(input);
  if (!parsed.ok) throw modelError(where, [parsed.detail]);
  return parsed.value;
}

/** A model document (JSON text or value) that matches the schema; rules are checked by resolveModel. */
export function parseModelDocument(input: unknown, where: string): DeviceModel {
  const v = value(input, where);
  const problems = schemaProblems(DeviceModelSchema, v);
  if (problems.length > 0) throw modelError(where, problems);
  return v as DeviceModel;
}

/** A fragment document: the schema, then each measurement's own rules. */
export function parseFragmentDocument(input: unknown, where: string): ModelFragment {
  const v = value(input, where);
  const problems = schemaProblems(ModelFragmentSchema, v);
  if (problems.length > 0) throw modelError(where, problems);
  const fragment = v as ModelFragment;
  const rules: ErrorDetail[] = fragment.measurements.flatMap((m, i) =>
    measurementProblems(m, `/measurements/${i}`, m.table ?? 'holding'),
  );
  if (rules.length > 0) throw modelError(where, rules);
  return fragment;
}
