/**
 * Roles (PRODUCT S13, SECURITY B5), one table for accounts and API tokens:
 * - admin: everything;
 * - operator: monitoring, acknowledge alarms; no configuration;
 * - viewer: read only;
 * - support: read, diagnostics and logs; no configuration, no accounts.
 * A route names the roles it allows; `allows` is the only check.
 */
export const ROLES = ['admin', 'operator', 'viewer', 'support'] as const;
export type Role = (typeof ROLES)[number];

/** Role sets routes use. */
export const ANY_ROLE: readonly Role[] = ROLES;
export const ADMIN_ONLY: readonly Role[] = ['admin'];

export function isRole(v: unknown): v is Role {
  return typeof v === 'string' && (ROLES as readonly string[]).includes(v);
}

export function allows(allowed: readonly Role[], role: Role): boolean {
  return allowed.includes(role);
}
