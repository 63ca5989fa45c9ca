/**
 * Processes of the RTU benchmark, each bounded in time:
 * - the line (bench/support/rtu-line.ts: relay + simulator) over two socat pty
 *   pairs that this module opens — master ⇄ pair 1 ⇄ relay ⇄ pair 2 ⇄ sim;
 * - a load client (bench/support/rtu-load.ts: TCP clients of Wattgate, or the
 *   reference RTU master on the line);
 * - Wattgate itself (`node bin/wattgate.js start`, after `wattgate config
 *   import` of a loopback network, a free high Modbus port and one serial line
 *   on pair 1's master end), ready once an FC 3 read through unit 1 answers.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { promisify } from 'node:util';
import type { RtuSimStats } from '../../sim/modbus/rtu-slave.js';
import type { RelayStats } from '../../sim/relay.js';
import type { TimelineSummary } from '../../sim/relay-timeline.js';
import { openPtyPair, type PtyPair } from '../../test/support/socat.js';
import { startWattgate } from './gateway-under-test.js';
import { ROOT, stopChild } from './processes.js';
import type { LoadReport } from './rtu-load.js';

const run = promisify(execFile);
const TSX = ['--import', 'tsx'];

export interface LineReport {
  readonly summary: TimelineSummary;
  readonly medianReplyGapMs: number | null;
  readonly busTxPerS: number | null;
  readonly relay: RelayStats;
  readonly sim: RtuSimStats;
}

export interface Line {
  /** Where the master (Wattgate or the reference master) opens the line. */
  readonly masterPath: string;
  clear(): Promise<void>;
  report(timeoutMs: number): Promise<LineReport>;
  stop(): Promise<void>;
}

function nextLine(rl: Interface, child: ChildProcess, timeoutMs: number): Promise<string> {
  return new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error('the line process did not answer')), timeoutMs);
    const exit = () => fail(new Error(`the line process exited (${child.exitCode})`));
    child.once('exit', exit);
    rl.once('line', (line) => {
      clearTimeout(timer);
      child.off('exit', exit);
      ok(line);
    });
  });
}

export async function startLine(baud: number, bits: number, units: readonly number[]): Promise<Line> {
  const pairs: PtyPair[] = [await openPtyPair(), await openPtyPair()];
  const [p1, p2] = pairs as [PtyPair, PtyPair];
  const args = [join(ROOT, 'bench/support/rtu-line.ts'), '--master-end', p1.b, '--slave-end', p2.a];
  args.push('--sim-path', p2.b, '--baud', String(baud), '--bits', String(bits), '--units', units.join(','));
  const child = spawn(process.execPath, [...TSX, ...args], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
  const rl = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const stop = async () => {
    child.stdin?.end();
    await stopChild(child);
    for (const p of pairs) await p.close();
  };
  try {
    await nextLine(rl, child, 20_000);
  } catch (e) {
    await stop();
    throw e;
  }
  const ask = async (cmd: object) => {
    child.stdin?.write(`${JSON.stringify(cmd)}\n`);
    return JSON.parse(await nextLine(rl, child, 20_000)) as unknown;
  };
  return {
    masterPath: p1.a,
    clear: async () => void (await ask({ cmd: 'clear' })),
    report: async (timeoutMs) => (await ask({ cmd: 'report', timeoutMs })) as LineReport,
    stop,
  };
}

/** Runs one load client to completion (its duration + 30 s at most). */
export async function runRtuLoad(args: string[], durationMs: number): Promise<LoadReport> {
  const script = join(ROOT, 'bench/support/rtu-load.ts');
  const { stdout } = await run(
    process.execPath,
    [...TSX, script, ...args, '--duration-ms', String(durationMs)],
    {
      cwd: ROOT,
      timeout: durationMs + 30_000,
    },
  );
  return JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as LoadReport;
}

export interface SerialGatewaySpec {
  readonly path: string;
  readonly baud: number;
  readonly units: readonly number[];
  readonly pauseMs: number;
  readonly timeoutMs: number;
}

export interface RunningGateway {
  readonly port: number;
  stop(): Promise<void>;
}

function gatewayConfig(port: number, spec: SerialGatewaySpec): unknown {
  const line = {
    name: 'bench-line',
    path: spec.path,
    baud: spec.baud,
    parity: 'even',
    stopBits: 1,
    timeoutMs: spec.timeoutMs,
    pauseMs: spec.pauseMs,
    unitIds: [...spec.units],
  };
  const server = { port, enabled: { BENCH: true }, maxConnections: 64, maxConnectionsPerSource: 64 };
  return {
    system: { name: 'Wattgate RTU benchmark' },
    networks: { BENCH: { addresses: ['127.0.0.1'], description: 'benchmark loopback' } },
    modbus: { server, serialLines: [line] },
    web: { enabled: {} },
  };
}

/** Wattgate in its own process with one serial line on the master's pty end; ready when unit 1 answers. */
export function startSerialGateway(spec: SerialGatewaySpec): Promise<RunningGateway> {
  return startWattgate({ config: (port) => gatewayConfig(port, spec), readyUnit: 1, readyTimeoutMs: 30_000 });
}
