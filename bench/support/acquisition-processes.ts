/**
 * Processes of the acquisition benchmark: the fleet simulator (sim/fleet.ts,
 * through tsx) and the process under test (acquisition-worker.ts, bundled
 * to plain JavaScript with esbuild first, as the product runs from compiled
 * JavaScript: tsx's loader would add its own memory and start-up work to the
 * figures), each talking JSON lines on stdout; and the OS's view of a
 * process — CPU time (utime + stime from /proc/<pid>/stat) and resident
 * memory (VmRSS, VmHWM from /proc/<pid>/status) — so the figures are not the
 * process's own opinion. Every wait is bounded.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ROOT, stopChild } from './processes.js';

/** Devices per fleet port: unit ids 1..100 on each port. */
export const UNITS_PER_PORT = 100;

export interface JsonLineProcess {
  readonly pid: number | undefined;
  /** The next stdout line whose `event` is `event` (the oldest not yet taken), within `ms`. */
  next<T>(event: string, ms: number): Promise<T>;
  /** Like `next`, but drops the lines already received: the first one written from now on. */
  fresh<T>(event: string, ms: number): Promise<T>;
  /** Writes a line to the process's stdin. */
  send(line: string): void;
  stop(): Promise<void>;
}

/** Starts `node argv…`; `script` names it in errors. */
function startJsonLines(script: string, argv: string[]): JsonLineProcess {
  const child: ChildProcess = spawn(process.execPath, argv, {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const queue: Array<Record<string, unknown>> = [];
  const waiters: Array<() => void> = [];
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
    try {
      queue.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      return;
    }
    for (const w of waiters.splice(0)) w();
  });
  const next = <T>(event: string, ms: number) =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${script}: no "${event}" within ${ms} ms`)), ms);
      const look = () => {
        const i = queue.findIndex((x) => x.event === event);
        if (i >= 0) {
          clearTimeout(timer);
          resolve(queue.splice(0, i + 1).at(-1) as T);
        } else if (child.exitCode !== null) {
          clearTimeout(timer);
          reject(new Error(`${script} exited (${child.exitCode})`));
        } else waiters.push(look);
      };
      look();
    });
  child.once('exit', () => {
    for (const w of waiters.splice(0)) w();
  });
  const fresh = <T>(event: string, ms: number) => {
    for (let i = queue.length - 1; i >= 0; i--) if (queue[i]?.event === event) queue.splice(i, 1);
    return next<T>(event, ms);
  };
  return {
    pid: child.pid,
    next,
    fresh,
    send: (line) => child.stdin?.write(`${line}\n`),
    stop: () => stopChild(child),
  };
}

export interface Fleet extends JsonLineProcess {
  readonly ports: number[];
  /** Requests the fleet received in the wall-clock seconds [fromMs, toMs). */
  requests(fromMs: number, toMs: number): Promise<number>;
}

export async function startFleet(ports: number, floats: number): Promise<Fleet> {
  const argv = [
    '--import',
    'tsx',
    join(ROOT, 'sim/fleet.ts'),
    '--ports',
    String(ports),
    '--floats',
    String(floats),
  ];
  const p = startJsonLines('sim/fleet.ts', argv);
  try {
    const ready = await p.next<{ ports: number[] }>('listening', 20_000);
    const requests = async (fromMs: number, toMs: number) => {
      p.send(`stats ${fromMs} ${toMs}`);
      return (await p.next<{ between: number }>('stats', 5000)).between;
    };
    return { ...p, ports: ready.ports, requests };
  } catch (e) {
    await p.stop();
    throw e;
  }
}

export interface WorkerSpec {
  readonly ports: readonly number[];
  readonly devices: number;
  readonly measurements: number;
  readonly periodMs: number;
  readonly maxConcurrent?: number;
  /** Node options for the process under test (e.g. `--max-old-space-size=64`). */
  readonly nodeArgs?: readonly string[];
}

export interface Tick {
  /** The worker's wall clock when it wrote the line. */
  readonly at: number;
  /** Sampling boundaries seen so far (one per period). */
  readonly boundaries: number;
  /** The latest boundary (epoch ms). */
  readonly lastT: number;
  readonly valid: number;
  readonly invalid: number;
  readonly commError: number;
  readonly polls: number;
  readonly overruns: number;
  readonly tcpWaiting: number;
}

const WORKER_SOURCE = join(ROOT, 'bench/support/acquisition-worker.ts');
const WORKER_BUNDLE = join(ROOT, 'node_modules/.cache/wattgate-bench/acquisition-worker.mjs');

/** Bundles the worker (and the src/ it uses) to one ES module; npm packages stay imports. */
export async function buildWorker(): Promise<string> {
  const esbuild = await import('esbuild');
  await esbuild.build({
    entryPoints: [WORKER_SOURCE],
    outfile: WORKER_BUNDLE,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  });
  return WORKER_BUNDLE;
}

export function startWorker(bundle: string, spec: WorkerSpec): JsonLineProcess {
  const args = [
    ...(spec.nodeArgs ?? []),
    bundle,
    '--ports',
    spec.ports.join(','),
    '--devices',
    String(spec.devices),
    '--measurements',
    String(spec.measurements),
    '--period-ms',
    String(spec.periodMs),
    ...(spec.maxConcurrent === undefined ? [] : ['--max-concurrent', String(spec.maxConcurrent)]),
  ];
  return startJsonLines('acquisition-worker', args);
}

let clockTicks: number | undefined;

/** CPU seconds (user + system) the process has used so far. */
export function cpuSeconds(pid: number): number {
  clockTicks ??= Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After "pid (comm) ": state is field 3; utime and stime are fields 14 and 15.
  return (Number(fields[11]) + Number(fields[12])) / clockTicks;
}

/** Resident set now and its peak (VmHWM), in MiB. */
export function memoryMiB(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}
