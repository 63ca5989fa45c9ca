/**
 * Validation at the boundary: unknown input → a complete, deep-frozen
 * `Config`, or WattgateError(INVALID_CONFIG) listing every problem at once
 * (`details: [{ path, message }]`). Steps: clone, fill schema defaults, check
 * the schema (unknown properties rejected, not stripped), then the cross-field
 * rules. Never throws anything else, whatever the input.
 */
import { Value } from 'typebox/value';
import type { ErrorDetail } from '../shared/errors.js';
import { invalidConfig, prefixDetails, schemaErrors } from './messages.js';
import { cloneJson, deepFreeze } from './object-utils.js';
import { crossFieldErrors } from './rules.js';
import { type Config, ConfigSchema } from './schema.js';

/** Copies the input as plain JSON; values JSON cannot hold are refused. */
function toJson(input: unknown): { ok: true; value: unknown } | { ok: false; detail: ErrorDetail } {
  try {
    return { ok: true, value: cloneJson(input) };
  } catch (e) {
    return { ok: false, detail: { path: '/', message: `must be plain JSON (${(e as Error).message})` } };
  }
}

function withDefaults(value: unknown): unknown {
  try {
    return Value.Default(ConfigSchema, value);
  } catch {
    // Defaults are a convenience: a shape TypeBox cannot walk is reported by Errors below.
    return value;
  }
}

export interface ValidateOptions {
  /** Start of the error message, e.g. `invalid configuration document`. */
  what?: string;
  /** Prefix for every detail path, e.g. `/config` when the input sits inside a document. */
  pathPrefix?: string;
}

/** Validates a whole configuration; returns it with defaults filled and deep-frozen. */
export function validateConfig(input: unknown, opts: ValidateOptions = {}): Config {
  const fail = (details: ErrorDetail[]) =>
    invalidConfig(
      opts.what ?? 'invalid configuration',
      opts.pathPrefix ? prefixDetails(opts.pathPrefix, details) : details,
    );
  const json = toJson(input);
  if (!json.ok) throw fail([json.detail]);
  const value = withDefaults(json.value);
  const details = schemaErrors(ConfigSchema, value);
  if (details.length > 0) throw fail(details);
  const cfg = value as Config;
  const cross = crossFieldErrors(cfg);
  if (cross.length > 0) throw fail(cross);
  return deepFreeze(cfg);
}

/** The configuration of a fresh installation: every default. */
export function defaultConfig(): Config {
  return validateConfig({});
}
