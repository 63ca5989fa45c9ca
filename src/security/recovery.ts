/**
 * Local recovery (PRODUCT S3, SECURITY A4): pure functions the CLI calls on the
 * host, with the settings database open — never reachable over the network.
 * - `unlockAccount(db, name)`: clears an account's failure count and lock
 *   (`wattgate unlock <name>`).
 * - `resetAdminPassword(db, deviceCode, newPassword)`: sets the admin password
 *   when the device code matches; clears the lock and ends admin sessions.
 */
import type Database from 'better-sqlite3';
import { systemClock } from '../shared/clock.js';
import { ErrorCodes, WattgateError } from '../shared/errors.js';
import { AccountStore } from './accounts.js';
import { verifyDeviceCode } from './device-code.js';
import { assertPasswordAcceptable, type PasswordProfile } from './password-policy.js';
import { PasswordHasher } from './passwords.js';

export function unlockAccount(db: Database.Database, name: string): void {
  const accounts = new AccountStore(db, { now: systemClock.now() });
  if (!accounts.unlock(name)) throw new WattgateError(ErrorCodes.NOT_FOUND, `no account named ${name}`);
}

export async function resetAdminPassword(
  db: Database.Database,
  deviceCode: string,
  newPassword: string,
  opts: { profile?: PasswordProfile; now?: number } = {},
): Promise<void> {
  const now = opts.now ?? systemClock.now();
  const accounts = new AccountStore(db, { now });
  if (!verifyDeviceCode(db, deviceCode)) throw new WattgateError(ErrorCodes.AUTH_FAILED, 'wrong device code');
  assertPasswordAcceptable(newPassword, opts.profile ?? 'reference', 'admin');
  const hash = await new PasswordHasher().hash(newPassword);
  const admin = accounts.get('admin');
  if (!admin) throw new WattgateError(ErrorCodes.NOT_FOUND, 'no admin account');
  accounts.setPassword(admin.id, hash, now);
}
