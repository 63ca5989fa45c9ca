/**
 * SECURITY I2/I3 for the settings store: a child process writes configuration
 * revisions in a tight loop and is killed with SIGKILL at random moments. After
 * every kill the database must pass `PRAGMA integrity_check`, hold a valid
 * configuration whose revision is the last acknowledged one (or one more: the
 * commit that raced the ack), and whose content is exactly the version written
 * at that revision — never a mix.
 *
 * Children (bench/support/crash-child.ts: an esbuild bundle, or tsx) load
 * their modules ahead of time and start writing on a "go" line, so the next
 * child warms up while the current one writes.
 * WATTGATE_KILL_ROUNDS sets the number of kills (default 30);
 * WATTGATE_KILL_VIA=tsx runs the fixture through tsx instead of a bundle.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import {
  type CrashChild,
  crashChildArgs,
  lineMatching,
  spawnCrashChild,
} from '../../bench/support/crash-child.js';
import { ConfigStore } from '../../src/config/store.js';
import { defaultConfig, validateConfig } from '../../src/config/validate.js';
import { openDatabase } from '../../src/db/database.js';
import { versionFor } from '../fixtures/storage/config-versions.js';

const ROUNDS = Number(process.env.WATTGATE_KILL_ROUNDS ?? 30);
const ROOT = join(import.meta.dirname, '../..');
const WRITER = join(ROOT, 'test/fixtures/storage/config-writer.ts');
const dir = mkdtempSync(join(tmpdir(), 'wattgate-kill9-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let WRITER_ARGS: string[] = [];
const spawnWriter = (dbPath: string): CrashChild => spawnCrashChild(WRITER_ARGS, dbPath);

function lastAck(lines: readonly string[]): number {
  for (let i = lines.length - 1; i >= 0; i--) {
    const m = /^ack (\d+)$/.exec(lines[i] ?? '');
    if (m) return Number(m[1]);
  }
  return -1;
}

/** Opens the database after a kill and checks everything; returns the stored revision. */
function verify(dbPath: string, acked: number): number {
  const db = openDatabase({ path: dbPath, profile: 'durable' });
  try {
    assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
    const store = ConfigStore.open(db);
    const rev = store.revision;
    assert.ok(rev >= acked, `revision ${rev} is older than the acknowledged ${acked}`);
    assert.ok(rev <= Math.max(acked, 0) + 1, `revision ${rev} jumps past the acknowledged ${acked} + 1`);
    const expected = rev === 0 ? defaultConfig() : validateConfig(versionFor(rev));
    assert.deepEqual(
      store.get(),
      expected,
      `content of revision ${rev} is not the version written at ${rev}`,
    );
    return rev;
  } finally {
    db.close();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test(`settings survive ${ROUNDS} kill -9 during writes: integrity ok, acknowledged revision kept, never a mix`, async () => {
  const dbPath = join(dir, 'settings.db');
  const started = Date.now();
  WRITER_ARGS = await crashChildArgs(WRITER);
  const warm = [spawnWriter(dbPath), spawnWriter(dbPath)];
  let acked = 0;
  let progressed = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const child = warm.shift() as CrashChild;
    await child.loaded;
    if (round + warm.length < ROUNDS - 1) warm.push(spawnWriter(dbPath)); // warms up while `child` writes
    child.proc.stdin.write('go\n');
    // The kill lands at a random moment while revisions are being written:
    // after the first acknowledged write (a loaded machine may take long to
    // open the store and fsync), not at a fixed delay after "go".
    await lineMatching(child, /^ack \d+$/, 30_000);
    await sleep(Math.random() * 200);
    child.proc.kill('SIGKILL');
    await child.exited;
    const ack = lastAck(child.lines);
    if (ack > acked) progressed++;
    acked = Math.max(acked, ack);
    acked = verify(dbPath, acked);
  }
  for (const w of warm) {
    w.proc.kill('SIGKILL');
    await w.exited;
  }
  assert.equal(progressed, ROUNDS, `writers made progress in only ${progressed} of ${ROUNDS} rounds`);
  const how = WRITER_ARGS[0] === '--import' ? 'tsx' : 'esbuild bundle';
  console.log(`kill -9: ${ROUNDS} kills (${how}), final revision ${acked}, ${Date.now() - started} ms`);
});
