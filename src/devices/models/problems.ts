/**
 * How a device model is refused: one WattgateError naming WHERE (the template
 * file, or "custom model") with every problem found as `details`
 * `[{ path, message }]` — the path a JSON pointer into that document (or
 * `fragments/<name>.json#/…` for a measurement merged from a fragment), the
 * message naming the rule. TypeBox schema errors are translated here too, so
 * a custom import lists every problem at once in the same shape as the
 * configuration's errors (src/config/messages.ts; not imported: devices/ sits
 * below config/ in the import order).
 */
import type { TSchema } from 'typebox';
import type { TLocalizedValidationError } from 'typebox/error';
import { Settings } from 'typebox/system';
import { Value } from 'typebox/value';
import { type ErrorCode, ErrorCodes, type ErrorDetail, WattgateError } from '../../shared/errors.js';

/** At most this many details are kept for one document. */
export const MAX_PROBLEMS = 50;

const pointerEscape = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');
const show = (v: unknown) => (typeof v === 'string' ? JSON.stringify(v) : String(v));

function translate(e: TLocalizedValidationError): ErrorDetail[] {
  const path = e.instancePath;
  switch (e.keyword) {
    case 'additionalProperties':
      return e.params.additionalProperties.map((k) => ({
        path: `${path}/${pointerEscape(k)}`,
        message: 'unknown property is not allowed',
      }));
    case 'required':
      return e.params.requiredProperties.map((k) => ({
        path: `${path}/${pointerEscape(k)}`,
        message: 'is required',
      }));
    case 'enum':
      return [{ path, message: `must be one of ${e.params.allowedValues.map(show).join(', ')}` }];
    case 'pattern':
      return [{ path, message: `must match pattern ${String(e.params.pattern)}` }];
    case 'boolean': // `false` schemas come from additionalProperties: reported above
      return [];
    default:
      return [{ path, message: e.message }];
  }
}

/** Schema problems of `value` (empty when valid), deduplicated, `/` for the root. */
export function schemaProblems(schema: TSchema, value: unknown): ErrorDetail[] {
  const previous = Settings.Get().maxErrors;
  Settings.Set({ maxErrors: MAX_PROBLEMS * 2 });
  let errors: TLocalizedValidationError[];
  try {
    errors = Value.Errors(schema, value);
  } finally {
    Settings.Set({ maxErrors: previous });
  }
  const out: ErrorDetail[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    for (const d of translate(e)) {
      const detail = { path: d.path === '' ? '/' : d.path, message: d.message };
      const key = `${detail.path}\u0000${detail.message}`;
      if (!seen.has(key)) out.push(detail);
      seen.add(key);
    }
  }
  return out;
}

/**
 * The one error for a refused model: `invalid device model <where>: N errors:
 * <path>: <rule>; …` (the first five in the message, up to MAX_PROBLEMS in details).
 */
export function modelError(
  where: string,
  details: readonly ErrorDetail[],
  code: ErrorCode = ErrorCodes.INVALID_CONFIG,
): WattgateError {
  const shown = details.slice(0, MAX_PROBLEMS);
  const n = details.length;
  const summary = shown
    .slice(0, 5)
    .map((d) => `${d.path}: ${d.message}`)
    .join('; ');
  const more = n > 5 ? ' …' : '';
  return new WattgateError(
    code,
    `invalid device model ${where}: ${n} error${n === 1 ? '' : 's'}: ${summary}${more}`,
    {
      details: shown,
    },
  );
}

/** Parses JSON text, or reports `/: is not valid JSON (…)`. */
export function parseJsonText(
  text: string,
): { ok: true; value: unknown } | { ok: false; detail: ErrorDetail } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (e) {
    return { ok: false, detail: { path: '/', message: `is not valid JSON (${(e as Error).message})` } };
  }
}
