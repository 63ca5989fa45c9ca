/**
 * Starts the real Wattgate gateway, in its own process, for the benchmark:
 * a throw-away data directory and bootstrap file, a configuration imported with
 * `wattgate config import` (one network "BENCH" on 127.0.0.1, the Modbus server
 * on a free high port, one tcpDevice pointing at the simulator), then
 * `node bin/wattgate.js start`. Ready means: the port accepts a connection and
 * an FC 3 read through `virtualId` comes back as a normal FC 3 reply.
 * `stop()` sends SIGTERM (SIGKILL after 5 s) and removes the directory.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { stopChild } from './processes.js';

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
}

export interface GatewayUnderTest {
  readonly port: number;
  readonly pid: number | undefined;
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
    name: 'bench-sim',
    host: '127.0.0.1',
    port: opts.downstreamPort,
    unitId: opts.unitId ?? 1,
    virtualId: opts.virtualId,
    timeoutMs: 1000,
    oneInFlight: false,
  };
  const server = { port, enabled: { BENCH: true }, maxConnections: 64, maxConnectionsPerSource: 64 };
  return {
    format: 'wattgate-config',
    version: 1,
    config: {
      system: { name: 'Wattgate benchmark' },
      networks: { BENCH: { addresses: ['127.0.0.1'], description: 'benchmark loopback' } },
      modbus: { server, tcpDevices: [device], serialLines: [] },
      web: { port: opts.webPort ?? 443, enabled: { BENCH: opts.webPort !== undefined } },
    },
  };
}

/** One FC 3 read of 1 register through the gateway: resolves the reply PDU's first bytes as hex. */
function probe(port: number, unit: number, timeoutMs = 1000): Promise<string> {
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
      ok(b.subarray(7, 9).toString('hex'));
    });
  });
}

async function waitReady(child: ChildProcess, port: number, opts: GatewayBenchOptions, log: () => string) {
  const end = Date.now() + (opts.readyTimeoutMs ?? 20_000);
  let last = 'not started';
  while (Date.now() < end) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `gateway exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${log()}`,
      );
    }
    try {
      const reply = await probe(port, opts.virtualId);
      if (reply.startsWith('03')) return;
      last = `FC 3 through unit ${opts.virtualId} answered ${reply} (exception: not routed to the device?)`;
    } catch (e) {
      last = `port ${port}: ${(e as Error).message}`;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`gateway not ready: ${last}`);
}

export async function startGatewayForBench(opts: GatewayBenchOptions): Promise<GatewayUnderTest> {
  const dir = mkdtempSync(join(tmpdir(), 'wattgate-bench-'));
  const dataDir = join(dir, 'data');
  const bootstrap = join(dir, 'bootstrap.json');
  const configFile = join(dir, 'config.json');
  const port = await freePort();
  writeFileSync(bootstrap, JSON.stringify({ dataDir, logLevel: 'warn' }));
  writeFileSync(configFile, JSON.stringify(benchConfig(port, opts)));
  const common = ['--bootstrap', bootstrap, '--data-dir', dataDir];
  let child: ChildProcess | undefined;
  try {
    await run(process.execPath, [CLI, 'config', 'import', configFile, ...common], { timeout: 60_000 });
    child = spawn(process.execPath, [CLI, 'start', ...common], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (b: Buffer) => {
      output = (output + b.toString()).slice(-4000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    await waitReady(child, port, opts, () => output);
  } catch (e) {
    if (child) await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const started = child;
  return {
    port,
    pid: started.pid,
    async stop() {
      await stopChild(started);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
