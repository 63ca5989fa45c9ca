/**
 * Local recovery on the host (PRODUCT S3, SECURITY A4): `wattgate unlock
 * <account>` clears a lockout; `wattgate reset-admin-password` sets the admin
 * password with the device code. Both need local access to the data directory
 * (the service account or root); neither is reachable over the network. The
 * device code and the new password are read from standard input, never from
 * the command line, where they would show in process lists and shell history.
 */
import { createInterface } from 'node:readline';
import { ConfigStore } from '../config/index.js';
import { dataPath, ensureDataDir } from '../core/data-dir.js';
import { openDatabase } from '../db/index.js';
import { HOST_ACTOR } from '../security/audit/record.js';
import { resetAdminPassword, unlockAccount } from '../security/recovery.js';
import { hostAudit } from './audit-commands.js';
import { CliError } from './cli-error.js';
import { type CommonOptions, runtime } from './runtime.js';

function openSettings(opts: CommonOptions) {
  const { bootstrap } = runtime(opts, true);
  ensureDataDir(bootstrap.dataDir);
  return openDatabase({ path: dataPath(bootstrap.dataDir, 'settingsDb'), profile: 'durable' });
}

export function unlock(account: string, opts: CommonOptions): string {
  const db = openSettings(opts);
  try {
    unlockAccount(db, account);
  } finally {
    db.close();
  }
  hostAudit(opts, {
    category: 'account',
    event: 'account.unlocked',
    actor: HOST_ACTOR,
    result: 'success',
    details: { account, via: 'cli' },
  });
  return `account ${account} unlocked`;
}

/** Reads `n` lines from standard input (prompts on stderr when it is a terminal). */
async function readLines(prompts: readonly string[]): Promise<string[]> {
  const rl = createInterface({ input: process.stdin, terminal: false });
  const out: string[] = [];
  const it = rl[Symbol.asyncIterator]();
  for (const prompt of prompts) {
    if (process.stdin.isTTY) process.stderr.write(prompt);
    const next = await it.next();
    if (next.done) break;
    out.push(String(next.value));
  }
  rl.close();
  if (out.length < prompts.length)
    throw new CliError('expected the device code and the new password on standard input');
  return out;
}

export async function resetAdmin(opts: CommonOptions): Promise<string> {
  const [code = '', password = ''] = await readLines(['Device code: ', 'New admin password: ']);
  const db = openSettings(opts);
  try {
    const profile = ConfigStore.open(db).section('web').passwordProfile;
    await resetAdminPassword(db, code, password, { profile });
  } catch (e) {
    hostAudit(opts, {
      category: 'account',
      event: 'password.reset',
      actor: HOST_ACTOR,
      result: 'failure',
      details: { account: 'admin', proof: 'device code', reason: (e as Error).message },
    });
    throw e;
  } finally {
    db.close();
  }
  hostAudit(opts, {
    category: 'account',
    event: 'password.reset',
    actor: HOST_ACTOR,
    result: 'success',
    details: { account: 'admin', proof: 'device code' },
  });
  return 'admin password set; the admin account is unlocked and its sessions are ended';
}
