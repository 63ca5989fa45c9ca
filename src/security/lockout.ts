/**
 * Login lockout policy (PRODUCT S4, SECURITY A4), pure:
 * - 10 consecutive failures → locked 10 minutes;
 * - then every further 5 failures (15, 20, 25 …) → locked 60 minutes;
 * - a success (only possible while unlocked) resets the count to 0;
 * - locked means `now < lockedUntil`: at 9:59.999 still locked, at 10:00 open.
 * Failures while locked are refused before hashing and do not count.
 * The persistence (one immediate SQLite transaction per attempt, before the
 * answer) is in accounts.ts.
 */

export interface LockoutPolicy {
  firstThreshold: number;
  firstLockMs: number;
  /** After the first lock, lock again every `repeatEvery` further failures. */
  repeatEvery: number;
  repeatLockMs: number;
}

export const REFERENCE_LOCKOUT: LockoutPolicy = {
  firstThreshold: 10,
  firstLockMs: 10 * 60_000,
  repeatEvery: 5,
  repeatLockMs: 60 * 60_000,
};

/** How long to lock after the `failures`-th consecutive failure (0 = no lock). */
export function lockDurationAfter(failures: number, policy: LockoutPolicy = REFERENCE_LOCKOUT): number {
  if (failures === policy.firstThreshold) return policy.firstLockMs;
  const beyond = failures - policy.firstThreshold;
  if (beyond > 0 && beyond % policy.repeatEvery === 0) return policy.repeatLockMs;
  return 0;
}

export function isLocked(lockedUntil: number | null, now: number): boolean {
  return lockedUntil !== null && now < lockedUntil;
}
