/**
 * Virtual serial lines for the demo, tests and benchmarks: a socat pty pair
 * (`socat pty,raw,echo=0,link=A pty,raw,echo=0,link=B`, Debian package socat)
 * whose two ends behave like the two ends of an RS-485 cable between a master
 * and its slaves. A pty ignores baud rate, parity and timing: timing checks use
 * the baud-accurate relay of the simulator or an injected clock.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** True when the socat program can be run. */
export function socatInstalled(): boolean {
  const r = spawnSync('socat', ['-V'], { stdio: 'ignore' });
  return r.status === 0;
}

export interface PtyPair {
  /** The master's end (Wattgate opens this one). */
  readonly a: string;
  /** The slaves' end (the simulator or pymodbus opens this one). */
  readonly b: string;
  close(): Promise<void>;
}

/** Starts socat and waits (≤ 5 s) until both links exist. */
export async function openPtyPair(): Promise<PtyPair> {
  const dir = mkdtempSync(join(tmpdir(), 'wattgate-pty-'));
  const a = join(dir, 'a');
  const b = join(dir, 'b');
  const child: ChildProcess = spawn('socat', [`pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], {
    stdio: 'ignore',
  });
  const end = Date.now() + 5000;
  while (!(existsSync(a) && existsSync(b))) {
    if (Date.now() > end || child.exitCode !== null) {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      throw new Error('socat did not create the pty pair');
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    a,
    b,
    async close() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 2000))]);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
