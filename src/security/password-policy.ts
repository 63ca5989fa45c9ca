/**
 * Password rules (PRODUCT S2, SECURITY A1/A2). Pure: no hashing, no I/O except
 * reading the blocklist file once.
 *
 * Profile `reference` (default), exactly as the reference product:
 * - 8 to 50 characters, never truncated (a longer one is refused, not cut);
 * - only A–Z, a–z, 0–9, space and the specials ``!"#$%&'()*+,-./:;<=>?@[]^_`{|}~``;
 * - at least 3 of the 4 classes uppercase, lowercase, digit, special.
 *
 * Profile `nist` (NIST SP 800-63B): 15 to 64 characters (code points, after
 * NFC normalisation), any printable Unicode including space, no class rules.
 *
 * Both profiles: refused when on the common-password blocklist
 * (data/common-passwords.txt, see its header: exact or after stripping leading
 * and trailing digits/specials, case-insensitive) or equal to the account name.
 * A password is never longer than MAX_PASSWORD_BYTES UTF-8 bytes (the byte cap
 * applied before any hashing, src/security/passwords.ts).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ErrorDetail } from '../shared/errors.js';
import { ErrorCodes, WattgateError } from '../shared/errors.js';

export const PASSWORD_PROFILES = ['reference', 'nist'] as const;
export type PasswordProfile = (typeof PASSWORD_PROFILES)[number];

/** The special characters S2 allows (besides space). */
export const PASSWORD_SPECIALS = '!"#$%&\'()*+,-./:;<=>?@[]^_`{|}~';
/** Hard cap on a password's UTF-8 size, checked before hashing (64 code points × 4 bytes). */
export const MAX_PASSWORD_BYTES = 256;

export const PROFILE_LIMITS: Record<PasswordProfile, { min: number; max: number }> = {
  reference: { min: 8, max: 50 },
  nist: { min: 15, max: 64 },
};

const ALLOWED_REFERENCE = /^[A-Za-z0-9 !"#$%&'()*+,\-./:;<=>?@[\]^_`{|}~]*$/;
// Control characters (C0, DEL, C1) and unassigned/surrogate code points are refused in the NIST profile.
const FORBIDDEN_NIST = /[\p{Cc}\p{Cs}\p{Cn}]/u;
const EDGE_NOISE = /^[\d\s!"#$%&'()*+,\-./:;<=>?@[\]^_`{|}~]+|[\d\s!"#$%&'()*+,\-./:;<=>?@[\]^_`{|}~]+$/g;

let blocklist: ReadonlySet<string> | undefined;

/** The blocklist entries (lower-case, ≥ 4 characters), read once from data/common-passwords.txt. */
export function commonPasswords(): ReadonlySet<string> {
  if (blocklist) return blocklist;
  const file = fileURLToPath(new URL('./data/common-passwords.txt', import.meta.url));
  const entries = readFileSync(file, 'utf8')
    .split('\n')
    .map((l) => l.trim().toLowerCase())
    .filter((l) => l.length >= 4 && !l.startsWith('#'));
  blocklist = new Set(entries);
  return blocklist;
}

/** True when the password is on the blocklist, exactly or once edge digits/specials are removed. */
export function isCommonPassword(password: string, accountName?: string): boolean {
  const lower = password.normalize('NFC').toLowerCase();
  const core = lower.replace(EDGE_NOISE, '');
  const list = commonPasswords();
  if (list.has(lower) || list.has(core)) return true;
  const name = accountName?.toLowerCase();
  return name !== undefined && name.length > 0 && (lower === name || core === name);
}

function classCount(password: string): number {
  let n = 0;
  if (/[A-Z]/.test(password)) n++;
  if (/[a-z]/.test(password)) n++;
  if (/[0-9]/.test(password)) n++;
  if (/[ !"#$%&'()*+,\-./:;<=>?@[\]^_`{|}~]/.test(password)) n++;
  return n;
}

function referenceProblems(password: string): string[] {
  const { min, max } = PROFILE_LIMITS.reference;
  const problems: string[] = [];
  if (password.length < min || password.length > max) problems.push(RULES.length('reference'));
  if (!ALLOWED_REFERENCE.test(password)) problems.push(RULES.referenceChars);
  if (classCount(password) < 3) problems.push(RULES.classes);
  return problems;
}

function nistProblems(password: string): string[] {
  const { min, max } = PROFILE_LIMITS.nist;
  const length = [...password.normalize('NFC')].length;
  const problems: string[] = [];
  if (length < min || length > max) problems.push(RULES.length('nist'));
  if (FORBIDDEN_NIST.test(password)) problems.push(RULES.nistChars);
  return problems;
}

const COMMON = 'must not be a common password (blocklist) nor the account name';
const RULES = {
  length: (p: PasswordProfile) => `must be ${PROFILE_LIMITS[p].min} to ${PROFILE_LIMITS[p].max} characters`,
  referenceChars: `may contain only letters A-Z a-z, digits, space and ${PASSWORD_SPECIALS}`,
  classes: 'must contain at least 3 of: uppercase, lowercase, digit, special character',
  nistChars: 'must not contain control characters',
  bytes: `must not exceed ${MAX_PASSWORD_BYTES} bytes`,
};

/**
 * The rules of a profile, worded exactly as `passwordProblems` reports a
 * broken one: a page lists them and marks each met or not as the user types.
 */
export function passwordRules(profile: PasswordProfile): string[] {
  return profile === 'nist'
    ? [RULES.length(profile), RULES.nistChars, COMMON]
    : [RULES.length(profile), RULES.referenceChars, RULES.classes, COMMON];
}

/** Every rule the password breaks (empty when acceptable). */
export function passwordProblems(password: string, profile: PasswordProfile, accountName?: string): string[] {
  const problems = profile === 'nist' ? nistProblems(password) : referenceProblems(password);
  if (Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES) {
    problems.push(RULES.bytes);
  }
  if (isCommonPassword(password, accountName)) {
    problems.push(COMMON);
  }
  return problems;
}

/** Throws WattgateError(PASSWORD_POLICY) listing every broken rule. */
export function assertPasswordAcceptable(
  password: string,
  profile: PasswordProfile,
  accountName?: string,
): void {
  const problems = passwordProblems(password, profile, accountName);
  if (problems.length === 0) return;
  const details: ErrorDetail[] = problems.map((message) => ({ path: '/password', message }));
  throw new WattgateError(ErrorCodes.PASSWORD_POLICY, `password ${problems.join('; ')}`, { details });
}
