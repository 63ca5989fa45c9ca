/**
 * Processes for the gateway benchmark: the C load client (bench/modbus-load.c)
 * and the C Modbus TCP server (bench/modbus-server.c), both built with gcc
 * against Debian's libmodbus into node_modules/.cache/wattgate-bench/ on first
 * use (rebuilt when the source is newer); the Node Modbus TCP simulator in its
 * own process (`sim/main.ts tcp`); the bare Node byte pipe. Every run is
 * bounded: the client by its duration plus a kill timeout, the servers by a
 * start timeout. Children can be pinned to CPUs with taskset.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const run = promisify(execFile);
const CACHE = join(ROOT, 'node_modules/.cache/wattgate-bench');

export interface LoadResult {
  readonly transactions: number;
  readonly errors: number;
  readonly failedConnections: number;
  readonly seconds: number;
  readonly txPerS: number;
  readonly p50Us: number;
  readonly p99Us: number;
}

/** Compiles bench/NAME.c against libmodbus when missing or older than its source; returns its path. */
async function buildC(name: string): Promise<string> {
  const source = join(ROOT, `bench/${name}.c`);
  const binary = join(CACHE, name);
  if (existsSync(binary) && statSync(binary).mtimeMs >= statSync(source).mtimeMs) return binary;
  mkdirSync(CACHE, { recursive: true });
  const { stdout: flags } = await run('pkg-config', ['--cflags', '--libs', 'libmodbus']);
  const args = ['-O2', '-Wall', '-pthread', '-o', binary, source, ...flags.trim().split(/\s+/)];
  await run('gcc', args, { timeout: 120_000 });
  return binary;
}

/** Compiles the load client (bench/modbus-load.c) when missing or stale; returns its path. */
export function buildLoadClient(): Promise<string> {
  return buildC('modbus-load');
}

/** Prefix for taskset pinning, or none. */
export function pinned(cpus: string | undefined, cmd: string, args: string[]): [string, string[]] {
  return cpus === undefined ? [cmd, args] : ['taskset', ['-c', cpus, cmd, ...args]];
}

export interface LoadSpec {
  readonly port: number;
  readonly unit: number;
  readonly connections: number;
  readonly quantity: number;
  readonly durationMs: number;
  readonly cpus?: string;
}

export async function runLoad(binary: string, spec: LoadSpec): Promise<LoadResult> {
  const args = ['127.0.0.1', spec.port, spec.connections, spec.quantity, spec.durationMs, spec.unit].map(
    String,
  );
  const [cmd, argv] = pinned(spec.cpus, binary, args);
  const { stdout } = await run(cmd, argv, { timeout: spec.durationMs + 15_000 });
  return JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as LoadResult;
}

export interface SimProcess {
  readonly port: number;
  readonly pid: number | undefined;
  stop(): Promise<void>;
}

export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(kill);
      done();
    });
    child.kill('SIGTERM');
  });
}

/** Pins a running process, all its threads, to `cpus` (taskset list syntax). */
export async function pinProcess(pid: number | undefined, cpus: string): Promise<void> {
  if (pid === undefined) throw new Error('no pid to pin');
  await run('taskset', ['-a', '-p', '-c', cpus, String(pid)], { timeout: 10_000 });
}

/** Starts a program and waits for its first stdout line `{"port": N}`. */
async function startProgram(cmd: string, argv: string[], what: string): Promise<SimProcess> {
  const child = spawn(cmd, argv, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`${what} did not start within 20 s`)), 20_000);
    child.once('exit', (code) => fail(new Error(`${what} exited (${code})`)));
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).once('line', (line) => {
      clearTimeout(timer);
      ok((JSON.parse(line) as { port: number }).port);
    });
  }).catch(async (e: unknown) => {
    await stopChild(child);
    throw e;
  });
  return { port, pid: child.pid, stop: () => stopChild(child) };
}

/** Starts a node script (through tsx) and waits for its first stdout line `{"port": N}`. */
function startListening(script: string, args: string[], what: string): Promise<SimProcess> {
  return startProgram(process.execPath, ['--import', 'tsx', join(ROOT, script), ...args], what);
}

/**
 * Starts the C libmodbus server (bench/modbus-server.c, compiled on first use)
 * on a free loopback port, holding registers for `unit` (other unit ids are
 * answered 0x0B).
 */
export async function startCServerProcess(unit: number): Promise<SimProcess> {
  const binary = await buildC('modbus-server');
  return startProgram(binary, ['127.0.0.1', '0', String(unit)], 'C Modbus server');
}

/** Starts `sim/main.ts tcp` in its own node process. */
export function startSimProcess(units: number[]): Promise<SimProcess> {
  return startListening('sim/main.ts', ['tcp', '--port', '0', '--units', units.join(',')], 'simulator');
}

/** Starts the bare Node byte pipe (bench/support/byte-pipe.ts) in front of `toPort`. */
export function startPipeProcess(toPort: number): Promise<SimProcess> {
  return startListening('bench/support/byte-pipe.ts', ['--to', String(toPort)], 'byte pipe');
}
