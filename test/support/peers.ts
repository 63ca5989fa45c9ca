/**
 * Real-peer test support. A peer is an external program (mbpoll, pymodbus,
 * systemd-analyze …) that a test drives over the wire or on files.
 *
 * `peer(t, name, available)` records whether the peer test ran. When the peer is
 * missing it skips the test locally but fails it under CI=true, so CI can never
 * turn green by silently skipping. The driver (scripts/run-tests.mjs) prints how
 * many peer tests ran.
 */
import { execFile } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import type { TestContext } from 'node:test';
import { promisify } from 'node:util';

export const execFileAsync = promisify(execFile);

function record(state: 'ran' | 'skipped', name: string): void {
  const log = process.env.WATTGATE_PEER_LOG;
  if (log) appendFileSync(log, `${state}\t${name}\n`);
}

/** Resolves to true when `cmd` can be executed (found on PATH or as a path). */
export async function hasCommand(cmd: string, probeArgs: string[] = ['--version']): Promise<boolean> {
  try {
    await execFileAsync(cmd, probeArgs, { timeout: 10_000 });
    return true;
  } catch (e) {
    // Exists but exited non-zero on the probe: still present.
    return (e as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}

/**
 * Returns true when the test may go on with the peer. Returns false after marking
 * the test skipped (local run) or throws (CI=true) when it is missing.
 */
export function peer(t: TestContext, name: string, available: boolean): boolean {
  if (available) {
    record('ran', name);
    return true;
  }
  record('skipped', name);
  if (process.env.CI === 'true') {
    throw new Error(`peer ${name} is missing under CI=true: .ci/run must install it`);
  }
  t.skip(`peer ${name} not installed`);
  return false;
}
