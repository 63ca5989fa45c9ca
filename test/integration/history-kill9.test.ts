/**
 * SECURITY I2 for the history store (issue 9 acceptance): a writer is killed
 * with SIGKILL at random moments while it appends and flushes; after every
 * kill the database passes integrity_check, every acknowledged flush is
 * there, at most one write buffer (FLUSH_POINTS points) is lost, the newest
 * points read back bit-exact without duplicates and in order, and the
 * publisher still reads everything after its acknowledged position. The loop
 * and its checks are in bench/support/history-crash.ts (shared with
 * `npm run soak:history`). WATTGATE_KILL_ROUNDS sets the number of kills
 * (default 25).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Value } from 'typebox/value';
import { crashSettings, FLUSH_POINTS, runCrashLoop } from '../../bench/support/history-crash.js';
import { HistorySchema } from '../../src/config/schema-history.js';
import type { HistorySettings } from '../../src/history/index.js';

const ROUNDS = Number(process.env.WATTGATE_KILL_ROUNDS ?? 25);
const dir = mkdtempSync(join(tmpdir(), 'wattgate-history-kill9-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test(`history survives ${ROUNDS} kill -9 while writing: integrity ok, ≤ ${FLUSH_POINTS} points lost, no duplicates, order kept`, async () => {
  const settings = crashSettings(Value.Default(HistorySchema, {}) as HistorySettings);
  const r = await runCrashLoop({ dbPath: join(dir, 'history.db'), rounds: ROUNDS, settings });
  assert.equal(r.kills, ROUNDS);
  assert.ok(r.points > ROUNDS * FLUSH_POINTS, `writers made progress: ${r.points} points`);
  console.log(
    `history kill -9: ${r.kills} kills (${r.via}), ${r.points} points written, ` +
      `${r.beyondAck} kills landed between a commit and its acknowledgement, ${r.ms} ms`,
  );
});
