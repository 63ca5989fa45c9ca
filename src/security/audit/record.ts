/**
 * Audit records (PRODUCT S6; SECURITY D1, D2): what one record holds, and the
 * rules that keep it safe to store and print.
 *
 * - Fields: UTC time (ISO 8601, ms), a gap-free sequence number, category,
 *   event, actor (kind + account or token name), source address (nullable:
 *   switched off by `audit.recordSource`), result, structured details (JSON).
 * - Never a secret: a details property whose name looks like a credential
 *   (password, secret, private key, device code, session, cookie, raw token
 *   value) is replaced by "[redacted]" before hashing, at any depth. Token
 *   NAMES go under `tokenName`, which is not a secret.
 * - Newline-safe: details are stored as JSON (control characters escaped);
 *   text fields (event, actor, source) are limited in length and their control
 *   characters are escaped as `\xNN`, so a record is always one line in every
 *   export and a forged "second record" cannot be injected through a name.
 */

export const AUDIT_CATEGORIES = [
  'auth',
  'account',
  'session',
  'token',
  'config',
  'service',
  'certificate',
  'time',
  'system',
  'audit',
] as const;
export type AuditCategory = (typeof AUDIT_CATEGORIES)[number];

export const ACTOR_KINDS = ['account', 'token', 'system', 'host', 'anonymous'] as const;
export type ActorKind = (typeof ACTOR_KINDS)[number];

export const AUDIT_RESULTS = ['success', 'failure', 'denied', 'info'] as const;
export type AuditResult = (typeof AUDIT_RESULTS)[number];

export type JsonValue = string | number | boolean | null | JsonValue[] | { [k: string]: JsonValue };

export interface AuditActor {
  kind: ActorKind;
  /** Account or token name; null for system/anonymous. */
  name: string | null;
}

/** What a part hands to the audit log. */
export interface AuditEntry {
  category: AuditCategory;
  event: string;
  actor: AuditActor;
  source?: string | null;
  result: AuditResult;
  details?: Record<string, JsonValue | undefined>;
}

/** A stored record (as read back and exported). */
export interface AuditRecord {
  seq: number;
  time: string;
  category: string;
  event: string;
  actorKind: string;
  actor: string | null;
  source: string | null;
  result: string;
  /** JSON text exactly as hashed. */
  details: string;
}

export const SYSTEM_ACTOR: AuditActor = { kind: 'system', name: null };
export const HOST_ACTOR: AuditActor = { kind: 'host', name: 'cli' };

export const REDACTED = '[redacted]';
const SECRET_KEY = /password|passwd|secret|private.?key|device.?code|cookie|session.?token|^token$|csrf/i;
const MAX_TEXT = 128;
const MAX_DETAILS_BYTES = 8192;

/** Control characters (and the backslash that starts an escape) as `\xNN`: one line, reversible. */
export function escapeControl(s: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  return s.replace(/[\\\x00-\x1f\x7f\u2028\u2029]/g, (c) =>
    c === '\\' ? '\\\\' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
}

export function cleanText(s: string | null | undefined): string | null {
  if (s === null || s === undefined) return null;
  return escapeControl(s.length > MAX_TEXT ? `${s.slice(0, MAX_TEXT)}…` : s);
}

/** Details with credential-named properties redacted and `undefined` dropped. */
export function redactDetails(v: unknown): JsonValue {
  if (Array.isArray(v)) return v.map(redactDetails);
  if (v === null || typeof v !== 'object') {
    if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
    if (typeof v === 'bigint') return v.toString();
    return v === undefined ? null : (v as JsonValue);
  }
  const out: Record<string, JsonValue> = {};
  for (const [k, x] of Object.entries(v)) {
    if (x === undefined) continue;
    out[k] = SECRET_KEY.test(k) ? REDACTED : redactDetails(x);
  }
  return out;
}

/** The details as stored: redacted JSON, capped in size (a too-large value keeps a marker). */
export function detailsJson(details: AuditEntry['details']): string {
  const json = JSON.stringify(redactDetails(details ?? {}));
  if (Buffer.byteLength(json) <= MAX_DETAILS_BYTES) return json;
  return JSON.stringify({ truncated: true, bytes: Buffer.byteLength(json) });
}

/** The exact bytes the chain hashes for a record: field order fixed, JSON-escaped. */
export function canonical(r: AuditRecord): string {
  return JSON.stringify([
    r.seq,
    r.time,
    r.category,
    r.event,
    r.actorKind,
    r.actor,
    r.source,
    r.result,
    r.details,
  ]);
}
