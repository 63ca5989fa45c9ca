/**
 * SEC-A4: the failure count is persisted before the answer. A child makes 9
 * wrong logins (each acknowledged after its answer) and is killed with SIGKILL;
 * a restarted child's 10th failure must still lock the account.
 */
import assert from 'node:assert/strict';
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const CHILD = join(import.meta.dirname, '../fixtures/security/login-child.ts');

function start(dbPath: string) {
  const proc = spawn(process.execPath, ['--import', 'tsx', CHILD, dbPath], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const waiters: Array<() => void> = [];
  let buf = '';
  proc.stdout.setEncoding('utf8').on('data', (c: string) => {
    buf += c;
    const parts = buf.split('\n');
    buf = parts.pop() ?? '';
    lines.push(...parts);
    for (const w of waiters.splice(0)) w();
  });
  const next = async (): Promise<string> => {
    while (lines.length === 0) await new Promise<void>((r) => waiters.push(r));
    return lines.shift() as string;
  };
  const send = async (cmd: string) => {
    proc.stdin.write(`${cmd}\n`);
    return next();
  };
  return { proc, next, send };
}

function killed(proc: ChildProcessWithoutNullStreams): Promise<string | null> {
  return new Promise((resolve) => proc.on('exit', (_code, signal) => resolve(signal)));
}

test('SEC-A4: kill -9 between failure 9 and 10, restart: the 10th failure still locks', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wattgate-lock-kill9-'));
  try {
    const db = join(dir, 'settings.db');
    const a = start(db);
    assert.equal(await a.next(), 'ready');
    assert.equal(await a.send('set Correct-Horse7'), 'ack set');
    for (let i = 1; i <= 9; i++) assert.equal(await a.send('fail'), 'ack WG_ERR_AUTH_FAILED', `failure ${i}`);
    const exit = killed(a.proc);
    a.proc.kill('SIGKILL');
    assert.equal(await exit, 'SIGKILL');
    const b = start(db);
    assert.equal(await b.next(), 'ready');
    assert.equal(await b.send('fail'), 'ack WG_ERR_LOCKED', 'the 10th failure locks after the restart');
    b.proc.kill('SIGKILL');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
