/**
 * One Wattgate per data directory (issue 13; src/core/instance-lock.ts), with
 * real processes and real SQLite files:
 * - a second `wattgate start` or `wattgate demo` on a directory held by a
 *   running `wattgate start` exits with status 2 and a message naming the
 *   holder's PID; on a held but still empty directory it creates no database;
 * - `config import` against the running instance names it, and the instance
 *   applies the import (its log says so);
 * - after `kill -9` of the holder the next start works at once (the kernel
 *   dropped the lock; the stale holder record is ignored);
 * - a holder record naming a LIVE process that does not hold the lock (a
 *   reused PID) never blocks a start;
 * - in one process: a second acquisition is refused, release frees it, and a
 *   stale or forged holder record is never reported as the holder.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { dataPath, ensureDataDir } from '../../src/core/data-dir.js';
import { acquireInstanceLock, instanceHolder } from '../../src/core/instance-lock.js';
import { ErrorCodes, hasCode } from '../../src/shared/errors.js';
import { CliProcess, freePort, loopbackConfig, runCli } from '../support/cli.js';

const root = mkdtempSync(join(tmpdir(), 'wattgate-lock-'));
after(() => rmSync(root, { recursive: true, force: true }));

const STARTED = /"msg":"started"/;
const inUseBy = (pid: number) =>
  new RegExp(`WG_ERR_CONFLICT: data directory \\S+ is in use by another Wattgate process \\(PID ${pid}\\b`);

/** Start ticks of a process (field 22 of /proc/<pid>/stat), as the lock records them. */
function startTicks(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] as string;
}

test('a second start or demo on a running data directory exits 2 naming the holder; import names it too; kill -9 frees it', async () => {
  const dataDir = join(root, 'svc');
  const port = await freePort();
  loopbackConfig(dataDir, port);

  const first = CliProcess.spawn(['start', '--data-dir', dataDir, '--log-level', 'info']);
  try {
    await first.waitFor(STARTED);
    const holder = JSON.parse(readFileSync(dataPath(dataDir, 'instanceHolder'), 'utf8')) as {
      pid: number;
      purpose: string;
    };
    assert.equal(holder.pid, first.pid);
    assert.equal(holder.purpose, 'start');

    const t0 = Date.now();
    const second = await runCli(['start', '--data-dir', dataDir, '--log-level', 'info']);
    assert.equal(second.code, 2, second.stderr);
    assert.match(second.stderr, inUseBy(first.pid));
    assert.match(second.stderr, /`wattgate start` since \d{4}-\d\d-\d\dT/);
    assert.doesNotMatch(second.stdout, /"msg":"starting"/, 'nothing was started');
    assert.doesNotMatch(second.stderr, /\n\s+at /, 'no stack trace');
    const demo = await runCli(['demo', '--data-dir', dataDir]);
    assert.equal(demo.code, 2, demo.stderr);
    assert.match(demo.stderr, inUseBy(first.pid));
    assert.ok(Date.now() - t0 < 30_000, 'both refused promptly');

    // config import while it runs: the CLI names the running instance, which applies the revision.
    const exported = await runCli(['config', 'export', '--data-dir', dataDir]);
    assert.equal(exported.code, 0, exported.stderr);
    const doc = JSON.parse(exported.stdout) as { config: { system: { name: string } } };
    doc.config.system.name = 'Imported while running';
    const imported = await runCli(['config', 'import', '-', '--data-dir', dataDir], {
      stdin: JSON.stringify(doc),
    });
    assert.equal(imported.code, 0, imported.stderr);
    assert.match(imported.stdout, /imported as revision 2; sections changed: system/);
    assert.match(
      imported.stdout,
      new RegExp(
        `the running Wattgate \\(PID ${first.pid}, \`wattgate start\` since [^)]+\\) applies it within about a second`,
      ),
    );
    await first.waitFor(
      /"revision":2,"sections":\["system"\],"msg":"configuration stored by another writer applied"/,
      10_000,
    );

    // kill -9: the kernel drops the lock; the holder record stays behind, stale.
    const killed = await first.kill('SIGKILL');
    assert.equal(killed.signal, 'SIGKILL');
    assert.ok(existsSync(dataPath(dataDir, 'instanceHolder')), 'a killed holder leaves its record');
    assert.equal(instanceHolder(dataDir), undefined, 'nobody holds the directory');
    const next = CliProcess.spawn(['start', '--data-dir', dataDir, '--log-level', 'info']);
    try {
      await next.waitFor(STARTED);
      const stopped = await next.kill('SIGTERM');
      assert.equal(stopped.code, 0, stopped.stderr);
    } finally {
      next.ensureStopped();
    }
    assert.ok(!existsSync(dataPath(dataDir, 'instanceHolder')), 'a clean stop removes the record');
  } finally {
    first.ensureStopped();
  }
});

test('a held directory: start refuses before creating any database', async () => {
  const dataDir = join(root, 'empty');
  ensureDataDir(dataDir);
  const lock = acquireInstanceLock(dataDir, { purpose: 'factory-reset' });
  try {
    const r = await runCli(['start', '--data-dir', dataDir]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, inUseBy(process.pid));
    assert.match(r.stderr, /`wattgate factory-reset`/);
    assert.deepEqual(readdirSync(dataDir).sort(), ['instance.lock', 'instance.pid']);
  } finally {
    lock.release();
  }
});

test('a holder record naming a live process that holds no lock (a reused PID) never blocks a start', async () => {
  const dataDir = join(root, 'reused');
  loopbackConfig(dataDir, await freePort());
  // A complete, truthful-looking record of a process that is alive: this test runner.
  writeFileSync(
    dataPath(dataDir, 'instanceHolder'),
    JSON.stringify({
      pid: process.pid,
      purpose: 'start',
      since: new Date().toISOString(),
      startTicks: startTicks(process.pid),
      bootId: readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim(),
    }),
  );
  writeFileSync(dataPath(dataDir, 'instanceLock'), '');
  assert.equal(instanceHolder(dataDir), undefined, 'the record alone does not make a holder');
  const p = CliProcess.spawn(['start', '--data-dir', dataDir, '--log-level', 'info']);
  try {
    await p.waitFor(STARTED);
    const holder = instanceHolder(dataDir);
    assert.equal(holder?.pid, p.pid, 'the new holder is reported, not the old record');
    assert.equal((await p.kill('SIGTERM')).code, 0);
  } finally {
    p.ensureStopped();
  }
});

test('in one process: a second acquisition is refused, release frees it, stale records are not reported', () => {
  const dataDir = join(root, 'inproc');
  ensureDataDir(dataDir);
  assert.equal(instanceHolder(dataDir), undefined, 'no lock file yet');
  const lock = acquireInstanceLock(dataDir, { purpose: 'start', now: () => Date.UTC(2026, 0, 2, 3, 4, 5) });
  assert.equal(lock.held, true);
  assert.deepEqual(instanceHolder(dataDir), {
    pid: process.pid,
    purpose: 'start',
    since: '2026-01-02T03:04:05.000Z',
  });
  assert.throws(
    () => acquireInstanceLock(dataDir, { purpose: 'demo' }),
    (e) =>
      hasCode(e, ErrorCodes.CONFLICT) &&
      e.message.includes(`is in use by another Wattgate process (PID ${process.pid}, \`wattgate start\``) &&
      e.message.includes(resolve(dataDir)),
  );

  // The record of a process that has exited, or of a live process with another start time
  // (its PID reused), is never named as the holder of a held lock.
  const gone = spawnSync('true').pid as number;
  const record = JSON.parse(readFileSync(dataPath(dataDir, 'instanceHolder'), 'utf8')) as Record<
    string,
    unknown
  >;
  for (const forged of [
    { ...record, pid: gone },
    { ...record, startTicks: String(Number(record.startTicks) + 1) },
    { ...record, bootId: 'another-boot' },
  ]) {
    writeFileSync(dataPath(dataDir, 'instanceHolder'), JSON.stringify(forged));
    assert.deepEqual(instanceHolder(dataDir), {}, JSON.stringify(forged));
    assert.throws(
      () => acquireInstanceLock(dataDir, { purpose: 'demo' }),
      (e) => hasCode(e, ErrorCodes.CONFLICT) && /PID not recorded yet/.test(e.message),
    );
  }

  lock.release();
  lock.release();
  assert.equal(lock.held, false);
  assert.equal(instanceHolder(dataDir), undefined);
  assert.ok(!existsSync(dataPath(dataDir, 'instanceHolder')));
  const again = acquireInstanceLock(dataDir, { purpose: 'start' });
  assert.equal(instanceHolder(dataDir)?.pid, process.pid);
  again.release();
});
