/**
 * Turns TypeBox validation errors into Wattgate's error details: one
 * `{ path, message }` per problem, the path a JSON pointer into the input
 * (`/` for the root) and the message naming the rule that failed
 * (`must be <= 65535`, `unknown property is not allowed`, `is required` …).
 */

import type { TSchema } from 'typebox';
import type { TLocalizedValidationError } from 'typebox/error';
import { Settings } from 'typebox/system';
import { Value } from 'typebox/value';
import { ErrorCodes, type ErrorDetail, WattgateError } from '../shared/errors.js';
import { ensureFormats, FORMAT_DESCRIPTIONS } from './formats.js';

/** At most this many details are reported for one input (a garbage upload stays readable). */
export const MAX_DETAILS = 50;

function pointerEscape(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

function child(path: string, key: string): string {
  return `${path}/${pointerEscape(key)}`;
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

function messageFor(e: TLocalizedValidationError): ErrorDetail[] {
  const path = e.instancePath;
  switch (e.keyword) {
    case 'additionalProperties':
      return e.params.additionalProperties.map((k) => ({
        path: child(path, k),
        message: 'unknown property is not allowed',
      }));
    case 'required':
      return e.params.requiredProperties.map((k) => ({ path: child(path, k), message: 'is required' }));
    case 'enum':
      return [{ path, message: `must be one of ${e.params.allowedValues.map(describe).join(', ')}` }];
    case 'format':
      return [
        {
          path,
          message: `must be ${FORMAT_DESCRIPTIONS[e.params.format] ?? `in format ${e.params.format}`}`,
        },
      ];
    case 'pattern':
      return e.schemaPath.endsWith('/propertyNames')
        ? [{ path, message: `name must match pattern ${String(e.params.pattern)}` }]
        : [{ path, message: `must match pattern ${String(e.params.pattern)}` }];
    case 'uniqueItems':
      return [{ path, message: 'must not contain duplicate items' }];
    case 'propertyNames': // each bad name is reported by its own `pattern` error
    case 'boolean':
      // `false` schemas come from additionalProperties: false, reported above.
      return [];
    default:
      return [{ path, message: e.message }];
  }
}

/**
 * TypeBox stops collecting after `maxErrors` (a global setting, default 8).
 * Raise it for this call only — validation is synchronous — so one answer
 * lists up to MAX_DETAILS problems, then restore it for other users.
 */
function collectErrors(schema: TSchema, value: unknown): TLocalizedValidationError[] {
  ensureFormats();
  const previous = Settings.Get().maxErrors;
  Settings.Set({ maxErrors: MAX_DETAILS * 2 });
  try {
    return Value.Errors(schema, value);
  } finally {
    Settings.Set({ maxErrors: previous });
  }
}

/** Validation details for `value` against `schema`; empty when valid. */
export function schemaErrors(schema: TSchema, value: unknown): ErrorDetail[] {
  const out: ErrorDetail[] = [];
  const seen = new Set<string>();
  for (const e of collectErrors(schema, value)) {
    for (const d of messageFor(e)) {
      const detail = { path: d.path === '' ? '/' : d.path, message: d.message };
      const key = `${detail.path}\u0000${detail.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(detail);
    }
  }
  return out;
}

/** Prefixes every detail path (e.g. `/config` for an imported document). */
export function prefixDetails(prefix: string, details: readonly ErrorDetail[]): ErrorDetail[] {
  return details.map((d) => ({ path: d.path === '/' ? prefix : `${prefix}${d.path}`, message: d.message }));
}

/** The one error shape for refused configuration input. */
export function invalidConfig(what: string, details: readonly ErrorDetail[]): WattgateError {
  const shown = details.slice(0, MAX_DETAILS);
  const more = details.length > shown.length ? ` (+${details.length - shown.length} more)` : '';
  const summary = shown
    .slice(0, 5)
    .map((d) => `${d.path}: ${d.message}`)
    .join('; ');
  const n = details.length;
  return new WattgateError(
    ErrorCodes.INVALID_CONFIG,
    `${what}: ${n} error${n === 1 ? '' : 's'}: ${summary}${n > 5 ? ' …' : ''}${more}`,
    { details: shown },
  );
}
