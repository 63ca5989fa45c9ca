/**
 * CPU used on the host by processes outside this benchmark (Linux /proc;
 * elsewhere: always 0). On a shared 2-core machine a compiler or a test suite
 * started by someone else during a measurement changes Modbus latency more
 * than the thing measured, so the login-flood benchmark checks every phase
 * and measures a run again when foreign CPU use was above its threshold.
 *
 * foreign = (user + nice + system time of all CPUs, from /proc/stat)
 *         − (CPU time of this process and all its descendants)
 * over the same interval, as a share of one core. Both snapshots must be taken
 * while the measured children are alive (a child that exits in between would
 * count as foreign).
 */
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_S = 100; // USER_HZ on Linux

export interface HostSnapshot {
  readonly at: number;
  readonly busy: number;
  readonly tree: number;
}

function busyTicks(): number {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]?.trim().split(/\s+/) ?? [];
  // cpu user nice system idle iowait irq softirq …
  return Number(cpu[1]) + Number(cpu[2]) + Number(cpu[3]);
}

function treeTicks(root: number): number {
  const procs = new Map<number, { ppid: number; ticks: number }>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      procs.set(Number(name), { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) });
    } catch {
      // ended while listing
    }
  }
  let sum = 0;
  for (const [pid, p] of procs) {
    let cur: number | undefined = pid;
    for (let depth = 0; cur !== undefined && cur > 1 && depth < 64; depth++) {
      if (cur === root) {
        sum += p.ticks;
        break;
      }
      cur = procs.get(cur)?.ppid;
    }
  }
  return sum;
}

export function hostSnapshot(): HostSnapshot {
  try {
    return { at: performance.now(), busy: busyTicks(), tree: treeTicks(process.pid) };
  } catch {
    return { at: performance.now(), busy: 0, tree: 0 };
  }
}

/** Foreign CPU between two snapshots, as a share of one core (never below 0). */
export function foreignCpu(a: HostSnapshot, b: HostSnapshot): number {
  const seconds = (b.at - a.at) / 1000;
  if (seconds <= 0) return 0;
  return Math.max(0, (b.busy - a.busy - (b.tree - a.tree)) / TICKS_PER_S / seconds);
}

/** Foreign CPU over `ms` of waiting. */
export async function foreignOver(ms: number): Promise<number> {
  const a = hostSnapshot();
  await new Promise((r) => setTimeout(r, ms));
  return foreignCpu(a, hostSnapshot());
}
