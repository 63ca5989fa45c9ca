/**
 * CPU time per thread of a process, from /proc/<pid>/task/<tid>/stat (Linux;
 * elsewhere: empty). The login-flood benchmark takes one snapshot before and
 * one after a measurement and reports where the CPU went: the event loop
 * (main thread, tid = pid) versus every other thread (libuv's pool, workers,
 * V8's helpers), each as a share of one core.
 */
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_S = 100; // USER_HZ on Linux

export type ThreadTicks = Map<number, { ticks: number; nice: number }>;

function parseStat(text: string): { ticks: number; nice: number } {
  // Fields after "(comm) ": state is field 3; utime 14, stime 15, nice 19.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { ticks: Number(rest[11]) + Number(rest[12]), nice: Number(rest[16]) };
}

export function threadTicks(pid: number | undefined): ThreadTicks {
  const out: ThreadTicks = new Map();
  if (pid === undefined) return out;
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        out.set(Number(tid), parseStat(readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8')));
      } catch {
        // the thread ended between the listing and the read
      }
    }
  } catch {
    // no /proc, or the process ended
  }
  return out;
}

export interface CpuShare {
  /** Share of one core used by the main thread (event loop) over the interval. */
  main: number;
  /** Share of one core used by all other threads together. */
  others: number;
  /** Of `others`: the part used by threads running at a nice value > 0. */
  othersNiced: number;
}

export function cpuShare(
  pid: number | undefined,
  before: ThreadTicks,
  after: ThreadTicks,
  seconds: number,
): CpuShare {
  const share: CpuShare = { main: 0, others: 0, othersNiced: 0 };
  for (const [tid, a] of after) {
    const used = (a.ticks - (before.get(tid)?.ticks ?? 0)) / TICKS_PER_S / seconds;
    if (tid === pid) share.main += used;
    else {
      share.others += used;
      if (a.nice > 0) share.othersNiced += used;
    }
  }
  return share;
}
