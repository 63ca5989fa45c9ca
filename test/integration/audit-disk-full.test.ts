/**
 * SECURITY D4, I4: a full disk never stops the service and loses nothing that
 * fits in memory. The audit log lives on a small tmpfs (root only: mounted by
 * the test, unmounted after); a filler file takes the remaining space. Appends
 * then return `{ pending: true }` without throwing, one `write-failed` notice
 * is raised; when space returns, the retry timer (injected clock) writes the
 * waiting records in order, an `audit.write-recovered` record says how many,
 * and the chain verifies.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { AuditLog, type AuditNotice, RETRY_MS } from '../../src/security/audit/store.js';
import { ManualClock } from '../../src/shared/clock.js';
import { silentLogger } from '../../src/shared/logger.js';

const isRoot = process.getuid?.() === 0;

function fillDisk(path: string): void {
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(64 * 1024);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
  } finally {
    closeSync(fd);
  }
}

test('D4/I4: disk full → records wait in memory, the caller never fails; space back → written in order, verified', {
  skip: isRoot ? false : 'needs root to mount a tmpfs',
}, () => {
  const dir = mkdtempSync(join(tmpdir(), 'wattgate-audit-full-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir]);
  try {
    const clock = new ManualClock(Date.UTC(2026, 10, 27));
    const notices: AuditNotice[] = [];
    const log = AuditLog.open({
      dbPath: join(dir, 'audit.db'),
      keyPath: join(dir, 'audit.key'),
      clock,
      log: silentLogger,
      settings: () => ({ capacity: 100_000, recordSource: true }),
      onNotice: (n) => notices.push(n),
    });
    const entry = (n: number) => ({
      category: 'auth' as const,
      event: 'login.failure',
      actor: { kind: 'account' as const, name: 'admin' },
      result: 'failure' as const,
      details: { n, pad: 'x'.repeat(200) },
    });
    for (let i = 0; i < 5; i++) assert.ok('seq' in log.append(entry(i)));
    fillDisk(join(dir, 'filler'));
    let pending = 0;
    for (let i = 5; i < 60; i++) {
      const r = log.append(entry(i));
      if ('pending' in r) pending++;
      clock.advance(10);
    }
    assert.ok(pending > 0, 'some appends had to wait');
    assert.equal(notices.filter((n) => n.type === 'write-failed').length, 1, 'one notice per outage');
    assert.ok(log.stats().pending > 0);
    unlinkSync(join(dir, 'filler'));
    clock.advance(RETRY_MS);
    assert.equal(log.stats().pending, 0, 'the retry wrote the backlog');
    const recovered = notices.find((n) => n.type === 'write-recovered');
    assert.ok(recovered && recovered.type === 'write-recovered' && recovered.dropped === 0);
    const ns = [...log.records({ categories: ['auth'] })].map((r) => JSON.parse(r.details).n as number);
    assert.deepEqual(
      ns,
      Array.from({ length: 60 }, (_, i) => i),
      'every record, in order',
    );
    assert.ok([...log.records({ categories: ['audit'] })].some((r) => r.event === 'audit.write-recovered'));
    assert.equal(log.verify().ok, true);
    log.close();
  } finally {
    execFileSync('umount', [dir]);
    rmSync(dir, { recursive: true, force: true });
  }
});
