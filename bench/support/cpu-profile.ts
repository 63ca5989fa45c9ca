/**
 * CPU profiles of a process under benchmark load (bench/gateway.ts --cpu-prof):
 * `profilingEnv(dir)` is the environment that loads cpu-profile-hook.mjs into a
 * node child; `profileWindow(pid, dir, fn)` profiles exactly while `fn` runs
 * (SIGUSR2 before and after) and returns the profile file; `topSelf` sums the
 * self time of a DevTools .cpuprofile by function (name, file, line) and
 * returns the heaviest entries (by share of samples: on a loaded machine a
 * sample taken after the thread was descheduled carries a long interval), with
 * `(idle)`, `(program)` and `(garbage collector)` included.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from './processes.js';

const HOOK = join(ROOT, 'bench/support/cpu-profile-hook.mjs');

/** Variables to add to a node child's environment so that SIGUSR2 toggles the profiler. */
export function profilingEnv(dir: string, nodeOptions = process.env.NODE_OPTIONS): Record<string, string> {
  const hook = `--import=${pathToFileURL(HOOK).href}`;
  return {
    NODE_OPTIONS: nodeOptions ? `${nodeOptions} ${hook}` : hook,
    WATTGATE_BENCH_CPU_PROF_DIR: dir,
  };
}

const profilesOf = (dir: string, pid: number) =>
  new Set(readdirSync(dir).filter((f) => f.startsWith(`cpu-${pid}-`) && f.endsWith('.cpuprofile')));

/** Profiles process `pid` while `fn` runs; resolves the new profile's path (waits ≤ 15 s for it). */
export async function profileWindow<T>(
  pid: number,
  dir: string,
  fn: () => Promise<T>,
): Promise<{ file: string; result: T }> {
  const before = profilesOf(dir, pid);
  process.kill(pid, 'SIGUSR2');
  await new Promise((r) => setTimeout(r, 200)); // the profiler starts on the child's next turn
  let result: T;
  try {
    result = await fn();
  } finally {
    process.kill(pid, 'SIGUSR2');
  }
  const end = Date.now() + 15_000;
  while (Date.now() < end) {
    const added = [...profilesOf(dir, pid)].filter((f) => !before.has(f));
    if (added[0] !== undefined) return { file: join(dir, added[0]), result };
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no CPU profile from process ${pid} in ${dir}`);
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface SelfEntry {
  readonly name: string;
  readonly where: string;
  /** Sum of the sample intervals: wall time, so it also holds the time the thread was descheduled. */
  readonly selfMs: number;
  /** Share of the samples (each sample counts once, however long its interval). */
  readonly percent: number;
}

const shortUrl = (url: string): string => {
  if (url === '') return '';
  const path = url.startsWith('file://') ? new URL(url).pathname : url;
  return path.startsWith(ROOT) ? relative(ROOT, path) : path;
};

/** The `n` functions with the most self samples, and the profile's total time. */
export function topSelf(file: string, n = 15): { totalMs: number; entries: SelfEntry[] } {
  if (!existsSync(file)) throw new Error(`no profile ${file}`);
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const key = new Map<number, string>();
  const info = new Map<string, { name: string; where: string }>();
  for (const node of profile.nodes) {
    const { functionName, url, lineNumber, columnNumber } = node.callFrame;
    const where = url === '' ? '' : `${shortUrl(url)}:${lineNumber + 1}:${columnNumber + 1}`;
    const k = `${functionName}|${where}`;
    key.set(node.id, k);
    if (!info.has(k)) info.set(k, { name: functionName || '(anonymous)', where });
  }
  // The first sample carries the time from the profiler's start (the inspector call itself): dropped.
  const self = new Map<string, { us: number; samples: number }>();
  let totalUs = 0;
  let totalSamples = 0;
  profile.samples.forEach((id, i) => {
    if (i === 0) return;
    const dt = profile.timeDeltas[i] ?? 0;
    const k = key.get(id) ?? '?';
    const e = self.get(k) ?? { us: 0, samples: 0 };
    e.us += dt;
    e.samples++;
    self.set(k, e);
    totalUs += dt;
    totalSamples++;
  });
  const entries = [...self.entries()]
    .sort((a, b) => b[1].samples - a[1].samples)
    .slice(0, n)
    .map(([k, e]) => {
      const i = info.get(k) ?? { name: k, where: '' };
      return {
        ...i,
        selfMs: Math.round(e.us / 100) / 10,
        percent: Math.round((e.samples / Math.max(1, totalSamples)) * 1000) / 10,
      };
    });
  return { totalMs: Math.round(totalUs / 1000), entries };
}
