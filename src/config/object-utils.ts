/**
 * Small helpers over plain JSON values: deep clone, deep equality, deep
 * freeze, and the change diff with secret redaction that the audit log
 * records (any path segment named like password/secret/key/token).
 */

export type JsonDiffEntry = { path: string; before: unknown; after: unknown };

export const REDACTED = '[redacted]';
const SECRET_NAME = /password|secret|key|token/i;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A deep copy through JSON (configuration values are JSON by construction). */
export function cloneJson<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

export function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}

/** Replaces the values of secret-named properties, at any depth, by "[redacted]". */
export function redactSecrets(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(redactSecrets);
  if (!isPlainObject(v)) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = SECRET_NAME.test(k) ? REDACTED : redactSecrets(x);
  return out;
}

function pointerEscape(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

function push(out: JsonDiffEntry[], path: string, secret: boolean, before: unknown, after: unknown): void {
  out.push(
    secret
      ? {
          path,
          before: before === undefined ? undefined : REDACTED,
          after: after === undefined ? undefined : REDACTED,
        }
      : { path, before: redactSecrets(before), after: redactSecrets(after) },
  );
}

function walk(out: JsonDiffEntry[], path: string, secret: boolean, a: unknown, b: unknown): void {
  if (deepEqual(a, b)) return;
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) walk(out, `${path}/${pointerEscape(k)}`, secret || SECRET_NAME.test(k), a[k], b[k]);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) walk(out, `${path}/${i}`, secret, a[i], b[i]);
    return;
  }
  push(out, path === '' ? '/' : path, secret, a, b);
}

/**
 * Leaf-level differences between two JSON values as JSON-pointer paths. An
 * added or removed subtree is one entry (before or after `undefined`).
 */
export function jsonDiff(before: unknown, after: unknown): JsonDiffEntry[] {
  const out: JsonDiffEntry[] = [];
  walk(out, '', false, before, after);
  return out;
}
