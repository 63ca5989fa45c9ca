/**
 * `wattgate demo --data-dir D` never replaces a real installation's
 * configuration (issue 13; src/cli/demo-data-dir.ts), with the real CLI:
 * - D holds a stored configuration (revision > 0) and no `demo` marker → exit
 *   2 with a clear message, nothing written (no history back-filled, the
 *   configuration untouched, the lock released);
 * - a new D is marked at first use; the next demo on it goes ahead (it
 *   replaces its own configuration); without the marker the same D is refused;
 * - a settings database without a stored configuration (revision 0) is not
 *   an installation: the demo takes the directory and marks it.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { claimDemoDataDir } from '../../src/cli/demo-data-dir.js';
import { ConfigStore } from '../../src/config/index.js';
import { dataPath, ensureDataDir } from '../../src/core/data-dir.js';
import { instanceHolder } from '../../src/core/instance-lock.js';
import { openDatabase } from '../../src/db/index.js';
import { freePort, loopbackConfig, runCli } from '../support/cli.js';

const root = mkdtempSync(join(tmpdir(), 'wattgate-demo-dir-'));
after(() => rmSync(root, { recursive: true, force: true }));

async function demo(dataDir: string) {
  const [modbus, web] = [await freePort(), await freePort()];
  const args = ['demo', '--data-dir', dataDir, '--duration', '1'];
  return runCli([...args, '--modbus-port', String(modbus), '--web-port', String(web)]);
}

function stored(dataDir: string): { revision: number; name: string } {
  const db = openDatabase({ path: dataPath(dataDir, 'settingsDb'), profile: 'durable' });
  try {
    const store = ConfigStore.open(db);
    return { revision: store.revision, name: store.section('system').name };
  } finally {
    db.close();
  }
}

const REFUSED =
  /holds a configuration \(revision (\d+)\) that the demo did not write; the demo would replace it/;

test('a commissioned data directory is refused with exit 2 and left as it was', async () => {
  const dataDir = join(root, 'site');
  loopbackConfig(dataDir, 1502);
  const before = readdirSync(dataDir).sort();
  const r = await demo(dataDir);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, REFUSED);
  assert.equal(REFUSED.exec(r.stderr)?.[1], '1');
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  assert.doesNotMatch(r.stdout, /Press Ctrl-C/);
  assert.deepEqual(stored(dataDir), { revision: 1, name: 'Wattgate' });
  assert.deepEqual(
    readdirSync(dataDir).sort(),
    [...before, 'instance.lock'].sort(),
    'only the lock file added',
  );
  assert.equal(instanceHolder(dataDir), undefined, 'the lock was released');
});

test('a new directory is marked at first use, reused by the next demo, refused once the marker is gone', async () => {
  const dataDir = join(root, 'fresh');
  const first = await demo(dataDir);
  assert.equal(first.code, 0, first.stderr);
  assert.ok(existsSync(dataPath(dataDir, 'demoMarker')), 'marker written');
  const afterFirst = stored(dataDir);
  assert.equal(afterFirst.name, 'Wattgate demo');
  assert.ok(afterFirst.revision > 0);
  const second = await demo(dataDir);
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stdout, /Press Ctrl-C/);
  rmSync(dataPath(dataDir, 'demoMarker'));
  const third = await demo(dataDir);
  assert.equal(third.code, 2, third.stderr);
  assert.equal(REFUSED.exec(third.stderr)?.[1], String(stored(dataDir).revision));
});

test('a settings database with no stored configuration (revision 0) is taken and marked', () => {
  const dataDir = join(root, 'blank');
  ensureDataDir(dataDir);
  const db = openDatabase({ path: dataPath(dataDir, 'settingsDb'), profile: 'durable' });
  assert.equal(ConfigStore.open(db).revision, 0);
  db.close();
  const lock = claimDemoDataDir(dataDir);
  try {
    assert.equal(lock.held, true);
    assert.equal(instanceHolder(dataDir)?.purpose, 'demo');
    assert.ok(existsSync(dataPath(dataDir, 'demoMarker')));
  } finally {
    lock.release();
  }
});
