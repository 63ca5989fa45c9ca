/**
 * Soak test of the history store under kill -9 (SECURITY I2; issue 9):
 *   npm run soak:history -- [--kills 200] [--dir /path] [--keep]
 * Runs the loop of bench/support/history-crash.ts: a writer killed with
 * SIGKILL at random moments, the database checked after every kill
 * (integrity_check, acknowledged flushes present, at most one write buffer
 * lost, newest points bit-exact and in order, publisher cursor complete).
 * Exits 1 on the first failed check.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Value } from 'typebox/value';
import { crashSettings, FLUSH_POINTS, runCrashLoop } from '../bench/support/history-crash.js';
import { HistorySchema } from '../src/config/schema-history.js';
import type { HistorySettings } from '../src/history/index.js';

const { values } = parseArgs({
  options: {
    kills: { type: 'string', default: '200' },
    dir: { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
});
const kills = Number(values.kills);
if (!(Number.isInteger(kills) && kills >= 1)) throw new Error('--kills must be a positive integer');
const dir = values.dir ?? mkdtempSync(join(tmpdir(), 'wattgate-history-soak-'));
const settings = crashSettings(Value.Default(HistorySchema, {}) as HistorySettings);

try {
  const r = await runCrashLoop({
    dbPath: join(dir, 'history.db'),
    rounds: kills,
    settings,
    onRound: (round, points) => {
      if (round % 10 === 0 || round === kills)
        process.stderr.write(`kill ${round}/${kills}: ${points} points, checks ok\n`);
    },
  });
  console.log(
    `soak:history: ${r.kills} kill -9 (${r.via}) in ${(r.ms / 1000).toFixed(1)} s; ${r.points} points; ` +
      `every check passed after every kill (integrity_check ok, acknowledged flushes present, ` +
      `≤ ${FLUSH_POINTS} points lost, no duplicates, order kept, publisher cursor complete); ` +
      `${r.beyondAck} kills fell between a commit and its acknowledgement`,
  );
} catch (e) {
  console.error(`soak:history FAILED: ${(e as Error).stack ?? e}`);
  process.exitCode = 1;
} finally {
  if (!values.keep && values.dir === undefined) rmSync(dir, { recursive: true, force: true });
}
