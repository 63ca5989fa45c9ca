/**
 * Starts the real Wattgate, in its own process, for the benchmarks:
 * `startWattgate` takes a throw-away data directory and bootstrap file, imports
 * the given configuration with `wattgate config import`, then runs
 * `node bin/wattgate.js start`. Ready means: the Modbus port accepts a
 * connection and an FC 3 read through the given unit comes back as a normal
 * FC 3 reply. `stop()` sends SIGTERM (SIGKILL after 5 s) and removes the
 * directory. `startGatewayForBench` is the TCP benchmark's configuration: one
 * network "BENCH" on 127.0.0.1, the Modbus server on a free high port, one
 * TCP device (routed, not sampled) pointing at the simulator (and optionally HTTPS on `webPort`).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CONFIG_SCHEMA_VERSION } from '../../src/config/schema.js';
import { stopChild } from './processes.js';
import { serviceNodeFlags } from './service-flags.js';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const CLI = join(ROOT, 'bin/wattgate.js');
const run = promisify(execFile);

export interface GatewayBenchOptions {
  readonly downstreamPort: number;
  readonly virtualId: number;
  /** Unit id of the simulator behind the gateway; default 1. */
  readonly unitId?: number;
  /** How long to wait for the gateway to answer; default 20 000 ms. */
  readonly readyTimeoutMs?: number;
  /** Also serve HTTPS on this port (loopback); default: no web server. */
  readonly webPort?: number;
  /** Node flags of the gateway; default the service's (deploy/wattgate.service). */
  readonly nodeFlags?: readonly string[];
}

export interface GatewayUnderTest {
  readonly port: number;
  readonly pid: number | undefined;
  /** The process's data directory (removed by `stop`). */
  readonly dataDir: string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((ok, fail) => server.once('error', fail).listen(0, '127.0.0.1', ok));
  const address = server.address();
  await new Promise((ok) => server.close(ok));
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}

function benchConfig(port: number, opts: GatewayBenchOptions): unknown {
  const device = {
    id: 1,
    name: 'bench-sim',
    location: {
      kind: 'tcp',
      host: '127.0.0.1',
      port: opts.downstreamPort,
      unit: opts.unitId ?? 1,
      timeoutMs: 1000,
    },
    virtualId: opts.virtualId,
  };
  const server = { port, enabled: { BENCH: true }, maxConnections: 64, maxConnectionsPerSource: 64 };
  return {
    system: { name: 'Wattgate benchmark' },
    networks: { BENCH: { addresses: ['127.0.0.1'], description: 'benchmark loopback' } },
    modbus: { server, serialLines: [] },
    devices: { nextId: 2, list: [device] },
    web: { port: opts.webPort ?? 443, enabled: { BENCH: opts.webPort !== undefined } },
  };
}

/** One FC 3 read of 1 register of `unit`: resolves the reply's function code byte. */
function probe(port: number, unit: number, timeoutMs = 1000): Promise<number> {
  return new Promise((ok, fail) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    const timer = setTimeout(() => {
      socket.destroy();
      fail(new Error('no reply'));
    }, timeoutMs);
    socket.once('error', (e) => {
      clearTimeout(timer);
      fail(e);
    });
    socket.once('connect', () => socket.write(Buffer.from([0, 1, 0, 0, 0, 6, unit, 3, 0, 0, 0, 1])));
    socket.once('data', (b: Buffer) => {
      clearTimeout(timer);
      socket.destroy();
      ok(b[7] ?? 0);
    });
  });
}

async function waitReady(
  child: ChildProcess,
  port: number,
  unit: number,
  timeoutMs: number,
  log: () => string,
) {
  const end = Date.now() + timeoutMs;
  let last = 'not started';
  while (Date.now() < end) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `wattgate exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${log()}`,
      );
    }
    try {
      const fc = await probe(port, unit);
      if (fc === 3) return;
      last = `FC 3 through unit ${unit} answered function code ${fc} (exception: not routed?)`;
    } catch (e) {
      last = `port ${port}: ${(e as Error).message}`;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`wattgate not ready: ${last}\n${log()}`);
}

export interface WattgateProcessOptions {
  /** The `config` part of the document imported before the start, given the Modbus port chosen. */
  readonly config: (modbusPort: number) => unknown;
  /** Ready when an FC 3 read through this unit is answered normally. */
  readonly readyUnit: number;
  readonly readyTimeoutMs?: number;
  /** Runs after the configuration import, before the start (e.g. back-fills history). */
  readonly prepare?: (dataDir: string) => void;
  /** Node flags of the `start` process; default the service's (deploy/wattgate.service). */
  readonly nodeFlags?: readonly string[];
}

/**
 * Runs `wattgate start` in its own process on a throw-away data directory,
 * after `wattgate config import` of the given configuration; shared by the
 * TCP, RTU and login-flood benchmarks.
 */
export async function startWattgate(opts: WattgateProcessOptions): Promise<GatewayUnderTest> {
  const dir = mkdtempSync(join(tmpdir(), 'wattgate-bench-'));
  const [dataDir, bootstrap, configFile] = ['data', 'bootstrap.json', 'config.json'].map((f) =>
    join(dir, f),
  ) as [string, string, string];
  const port = await freePort();
  writeFileSync(bootstrap, JSON.stringify({ dataDir, logLevel: 'warn' }));
  writeFileSync(
    configFile,
    JSON.stringify({ format: 'wattgate-config', version: CONFIG_SCHEMA_VERSION, config: opts.config(port) }),
  );
  const common = ['--bootstrap', bootstrap, '--data-dir', dataDir];
  let child: ChildProcess | undefined;
  let output = '';
  try {
    await run(process.execPath, [CLI, 'config', 'import', configFile, ...common], { timeout: 60_000 });
    opts.prepare?.(dataDir);
    const flags = opts.nodeFlags ?? serviceNodeFlags();
    child = spawn(process.execPath, [...flags, CLI, 'start', ...common], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (b: Buffer) => {
      output = (output + b.toString()).slice(-4000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    await waitReady(child, port, opts.readyUnit, opts.readyTimeoutMs ?? 20_000, () => output);
  } catch (e) {
    if (child) await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const started = child;
  return {
    port,
    pid: started.pid,
    dataDir,
    async stop() {
      await stopChild(started);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function startGatewayForBench(opts: GatewayBenchOptions): Promise<GatewayUnderTest> {
  return startWattgate({
    config: (port) => benchConfig(port, opts),
    readyUnit: opts.virtualId,
    ...(opts.readyTimeoutMs === undefined ? {} : { readyTimeoutMs: opts.readyTimeoutMs }),
    ...(opts.nodeFlags === undefined ? {} : { nodeFlags: opts.nodeFlags }),
  });
}
