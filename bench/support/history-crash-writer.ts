/**
 * Child process of the history kill -9 loop (history-crash.ts).
 * Usage: node history-crash-writer.(ts|mjs) <db-path>
 * Loads its modules, prints "loaded", waits for "go" on stdin, opens the
 * store, resumes the deterministic sequence where the database stands, and
 * appends forever (round-robin over the series). After every flush it prints
 * `ack <commit> <appended>`; after the fourth flush it acknowledges the
 * publisher three commits back at every flush. Never exits by itself: the parent kills it.
 */
import { writeSync } from 'node:fs';
import { Value } from 'typebox/value';
import { HistorySchema } from '../../src/config/schema-history.js';
import { type HistorySettings, HistoryStore } from '../../src/history/index.js';
import { CRASH_PUBLISHER, CRASH_SERIES, crashPoint, crashSettings } from './history-crash.js';

const dbPath = process.argv[2];
if (!dbPath) throw new Error('usage: history-crash-writer <db-path>');

function run(path: string): never {
  const settings = crashSettings(Value.Default(HistorySchema, {}) as HistorySettings);
  const store = HistoryStore.open({ path, settings });
  store.registerPublisher(CRASH_PUBLISHER, 'oldest');
  let g = CRASH_SERIES.reduce((a, id) => a + store.pointsWritten(id), 0);
  const commits: number[] = [];
  store.events.on('flushed', (f) => {
    writeSync(1, `ack ${f.commit} ${g}\n`);
    commits.push(f.commit);
    if (commits.length > 3) {
      store.ackPublisher(CRASH_PUBLISHER, commits[commits.length - 4] as number);
    }
  });
  writeSync(1, `ready ${g}\n`);
  for (;;) {
    const k = g % CRASH_SERIES.length;
    const p = crashPoint(k, Math.floor(g / CRASH_SERIES.length));
    g++; // counted before append: a flush inside append reports this point as written
    store.append(CRASH_SERIES[k] as string, p.t, p.v, p.q);
  }
}

writeSync(1, 'loaded\n');
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => {
  if (chunk.includes('go')) run(dbPath);
});
