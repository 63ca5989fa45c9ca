/**
 * The CLI as a user runs it: `bin/wattgate.js` in a real child process. `runCli`
 * runs a command to its end; `CliProcess` keeps a long-running one (`start`,
 * `demo`) and waits for its output, then stops it with a signal (SIGKILL
 * included). `loopbackConfig` stores a configuration that listens on
 * 127.0.0.1 only (Modbus on the given port, HTTPS off), so a `start` in a test
 * never binds the product ports. A child still running when the test process
 * exits (a failed test) is killed with it, never left behind.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { type AddressInfo, createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { ConfigStore } from '../../src/config/index.js';
import { dataPath, ensureDataDir } from '../../src/core/data-dir.js';
import { openDatabase } from '../../src/db/index.js';

export const BIN = fileURLToPath(new URL('../../bin/wattgate.js', import.meta.url));

const running = new Set<ChildProcessWithoutNullStreams>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** A running `wattgate …` child process with its output so far. */
export class CliProcess {
  readonly child: ChildProcessWithoutNullStreams;
  readonly exited: Promise<CliRun>;
  stdout = '';
  stderr = '';

  private constructor(args: string[], env: NodeJS.ProcessEnv) {
    this.child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env } });
    running.add(this.child);
    this.child.stdout.setEncoding('utf8').on('data', (d: string) => {
      this.stdout += d;
    });
    this.child.stderr.setEncoding('utf8').on('data', (d: string) => {
      this.stderr += d;
    });
    const guard = setTimeout(() => this.child.kill('SIGKILL'), 180_000);
    this.exited = new Promise((resolve, reject) => {
      this.child.on('error', reject);
      this.child.on('close', (code, signal) => {
        running.delete(this.child);
        clearTimeout(guard);
        resolve({ code, signal, stdout: this.stdout, stderr: this.stderr });
      });
    });
  }

  static spawn(args: string[], env: NodeJS.ProcessEnv = {}): CliProcess {
    return new CliProcess(args, { WATTGATE_LOG_LEVEL: 'warn', ...env });
  }

  get pid(): number {
    return this.child.pid as number;
  }

  /** Resolves when stdout or stderr matches; rejects when the process ends first or after `ms`. */
  async waitFor(re: RegExp, ms = 90_000): Promise<void> {
    const end = Date.now() + ms;
    let ended = false;
    void this.exited.then(() => {
      ended = true;
    });
    while (!re.test(this.stdout) && !re.test(this.stderr)) {
      if (ended || Date.now() > end)
        throw new Error(`no ${re} (${ended ? 'process ended' : 'timeout'}):\n${this.stdout}\n${this.stderr}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  kill(signal: NodeJS.Signals): Promise<CliRun> {
    this.child.kill(signal);
    return this.exited;
  }

  /** SIGKILL unless it has ended already (for `finally` blocks). */
  ensureStopped(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}

/** Runs `wattgate …` to its end (stdin optional). */
export function runCli(
  args: string[],
  opts: { stdin?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<CliRun> {
  const p = CliProcess.spawn(args, opts.env);
  if (opts.stdin !== undefined) p.child.stdin.end(opts.stdin);
  else p.child.stdin.end();
  return p.exited;
}

/** Stores a configuration for tests in `dataDir`: network LOOP = 127.0.0.1, Modbus on `modbusPort`, HTTPS off. */
export function loopbackConfig(dataDir: string, modbusPort: number): void {
  ensureDataDir(dataDir);
  const db = openDatabase({ path: dataPath(dataDir, 'settingsDb'), profile: 'durable' });
  try {
    const store = ConfigStore.open(db);
    const base = store.get();
    store.replace({
      ...base,
      networks: { LOOP: { addresses: ['127.0.0.1'], description: 'test (loopback only)' } },
      web: { ...base.web, enabled: {} },
      modbus: {
        ...base.modbus,
        server: { ...base.modbus.server, port: modbusPort, enabled: { LOOP: true } },
      },
    });
  } finally {
    db.close();
  }
}
