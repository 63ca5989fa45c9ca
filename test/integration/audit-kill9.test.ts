/**
 * SECURITY I1, I2 for the audit log: a child appends records as fast as it can
 * (capacity 500, so evictions happen too) and is killed with SIGKILL at random
 * moments, 15 times. Afterwards: `PRAGMA integrity_check` is ok, the chain
 * verifies, and every record the child acknowledged (and that the ring has not
 * legitimately evicted) is there — the sequence is gap-free by verification.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { readAuditKey } from '../../src/security/audit/key.js';
import { verifyAudit } from '../../src/security/audit/verify.js';

const CHILD = join(import.meta.dirname, '../fixtures/security/audit-child.ts');
const KILLS = 15;

function runAndKill(dir: string, afterMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', CHILD, dir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let lastAck = 0;
    let buf = '';
    let err = '';
    proc.stderr.setEncoding('utf8').on('data', (c: string) => {
      err += c;
    });
    proc.stdout.setEncoding('utf8').on('data', (c: string) => {
      buf += c;
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      for (const l of lines) {
        if (l === 'ready') setTimeout(() => proc.kill('SIGKILL'), afterMs);
        else if (l.startsWith('ack ')) lastAck = Number(l.slice(4));
      }
    });
    const guard = setTimeout(() => proc.kill('SIGKILL'), 20_000);
    proc.on('exit', (code, signal) => {
      clearTimeout(guard);
      if (signal === 'SIGKILL') resolve(lastAck);
      else reject(new Error(`child exited ${code}: ${err}`));
    });
  });
}

test('I2: kill -9 during a stream of audited actions: integrity ok, chain verifies, acknowledged records kept', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wattgate-audit-kill9-'));
  try {
    let maxAck = 0;
    for (let k = 0; k < KILLS; k++) {
      const ack = await runAndKill(dir, 30 + Math.floor(Math.random() * 200));
      assert.ok(ack === 0 || ack > maxAck, `sequence moves forward (${ack} after ${maxAck})`);
      maxAck = Math.max(maxAck, ack);
    }
    const db = new Database(join(dir, 'audit.db'), { readonly: true });
    try {
      assert.equal(
        (db.pragma('integrity_check') as Array<{ integrity_check: string }>)[0]?.integrity_check,
        'ok',
      );
      const r = verifyAudit(db, readAuditKey(join(dir, 'audit.key')) as Buffer);
      assert.equal(r.ok, true, r.problem?.message);
      assert.ok((r.lastSeq ?? 0) >= maxAck, `last record ${r.lastSeq} ≥ last acknowledged ${maxAck}`);
      assert.ok(maxAck > 100, `enough records written (${maxAck})`);
      console.log(
        `audit kill -9: ${KILLS} kills, ${r.lastSeq} records written, ${r.checked} retained, ${r.evicted} evicted`,
      );
    } finally {
      db.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
