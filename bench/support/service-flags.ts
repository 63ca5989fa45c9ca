/**
 * The node flags the shipped service runs with (heap limits), read from the
 * systemd unit's ExecStart (deploy/wattgate.service), so that the benchmarks
 * measure the process as it ships: `wattgate start` under these flags.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './processes.js';

/** The `--max-…` flags of the unit's ExecStart, in order (e.g. `--max-old-space-size=64`). */
export function serviceNodeFlags(): string[] {
  const unit = readFileSync(join(ROOT, 'deploy/wattgate.service'), 'utf8');
  const exec = /^ExecStart=(.*)$/m.exec(unit)?.[1];
  if (exec === undefined) throw new Error('deploy/wattgate.service has no ExecStart');
  return exec.split(/\s+/).filter((w) => /^--max-[a-z-]+=\d+$/.test(w));
}
