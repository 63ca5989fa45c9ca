/**
 * History store behaviour (PRODUCT L4, P3; SECURITY I4, I5): the write
 * buffer and its flushes, the capacity ring in points and in bytes (oldest
 * chunks first), clock steps backwards (nothing lost or overwritten),
 * reopening (the staging log puts open chunks back), publishers (cursor,
 * acknowledgement, backlog alarms before anything unpublished is dropped),
 * idle sealing, and input validation.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Value } from 'typebox/value';
import { type HistoryConfig, HistorySchema } from '../../src/config/schema-history.js';
import { type HistoryAlarm, type HistorySettings, HistoryStore } from '../../src/history/index.js';
import { ManualClock } from '../../src/shared/clock.js';
import { ErrorCodes, hasCode } from '../../src/shared/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'wattgate-history-store-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const dbPath = () => join(dir, `h${++n}.db`);
const T0 = Date.UTC(2026, 0, 1);
const MIN = 60_000;
const ALL = { from: -(2 ** 50), to: 2 ** 50 };

function settings(
  over: Partial<HistorySettings> = {},
  chunk: Partial<HistorySettings['chunk']> = {},
): HistorySettings {
  const s = Value.Default(HistorySchema, {}) as HistorySettings;
  return { ...s, reserveFreeBytes: 0, ...over, chunk: { ...s.chunk, ...chunk } };
}

function open(path: string, s: HistorySettings, clock = new ManualClock(T0)) {
  const store = HistoryStore.open({ path, settings: s, clock });
  const alarms: HistoryAlarm[] = [];
  store.events.on('alarm', (a) => alarms.push(a));
  return { store, alarms, clock };
}

test('L4 write buffer: flushes when flushPoints wait and on the timer; queries see unflushed points', () => {
  const path = dbPath();
  const { store, clock } = open(path, settings({ flushPoints: 100, flushIntervalMs: 1000 }));
  store.start();
  const flushed: number[] = [];
  store.events.on('flushed', (f) => flushed.push(f.points));
  for (let i = 0; i < 250; i++) store.append('m:1_mb_P', T0 + i * MIN, i / 10);
  assert.deepEqual(flushed, [100, 100]);
  assert.equal(store.reader.raw('m:1_mb_P', ALL).length, 250, 'the 50 buffered points are visible');
  clock.advance(1000);
  assert.deepEqual(flushed, [100, 100, 50]);
  store.stop();
});

test('L4 ring in points: the oldest chunks go first, the newest stay, count never above capacity', () => {
  const path = dbPath();
  const { store } = open(
    path,
    settings({ capacity: { mode: 'points', points: 10_000, bytes: 0 } }, { maxPoints: 100 }),
  );
  for (let i = 0; i < 30_000; i++) store.append('m:1_mb_VAN', T0 + i * MIN, 230 + (i % 10) / 10);
  store.flush();
  const status = store.status();
  assert.ok(status.points <= 10_000 && status.points > 9_000, `${status.points} points kept`);
  const raw = store.reader.raw('m:1_mb_VAN', ALL);
  assert.equal(raw.t[raw.length - 1], T0 + 29_999 * MIN, 'newest point kept');
  assert.equal(raw.t[0], T0 + (30_000 - raw.length) * MIN, 'a contiguous newest part is kept');
  store.stop();
});

test('L4 ring in bytes: pages in use stay under the byte capacity', () => {
  const path = dbPath();
  const cap = 1024 * 1024;
  const { store } = open(
    path,
    settings({ capacity: { mode: 'points', points: 1e9, bytes: cap }, flushPoints: 20_000 }),
  );
  store.applySettings({ ...store.settings, capacity: { mode: 'bytes', points: 1e9, bytes: cap } });
  for (let i = 0; i < 300_000; i++) store.append('m:1_mb_IA', T0 + i * MIN, Math.sin(i) * 1e3 + i); // noise: ~8 B a point
  store.flush();
  const s = store.status();
  assert.ok(s.usedBytes <= cap, `${s.usedBytes} bytes in use`);
  assert.ok(s.points < 300_000 && s.points > 50_000, `${s.points} points kept`);
  store.stop();
});

test('I5 clock step backwards: both sets of points kept, merged by time, ties in insertion order', () => {
  const path = dbPath();
  const { store } = open(path, settings({}, { maxPoints: 50 }));
  const id = 'm:1_mb_EA';
  for (let i = 0; i < 120; i++) store.append(id, T0 + i * MIN, 1000 + i); // 10:00 … 11:59
  for (let i = 0; i < 60; i++) store.append(id, T0 + 90 * MIN + i * MIN, 2000 + i); // step back 30 minutes
  store.flush();
  const raw = store.reader.raw(id, ALL);
  assert.equal(raw.length, 180);
  for (let i = 1; i < raw.length; i++) assert.ok((raw.t[i] as number) >= (raw.t[i - 1] as number));
  const at = raw.t.indexOf(T0 + 100 * MIN);
  assert.deepEqual([raw.v[at], raw.v[at + 1]], [1100, 2010], 'same timestamp: the earlier insertion first');
  // energy walks insertion order: the step back is not a counter reset
  const [e] = store.reader.energy(id, { from: T0, to: T0 + 200 * MIN }, { count: 1 });
  assert.equal(e?.energy, 2059 - 1000);
  store.stop();
});

test('L4 reopening: open chunks come back from the staging log; no point lost or doubled', () => {
  const path = dbPath();
  const s = settings({}, { maxPoints: 64 });
  let { store } = open(path, s);
  for (let i = 0; i < 100; i++) store.append('m:2_mb_F', T0 + i * MIN, 50 + (i % 3) / 100);
  store.stop();
  ({ store } = open(path, s));
  assert.equal(store.status().chunks, 1, 'one full chunk written; 36 points in the open chunk (staging)');
  for (let i = 100; i < 130; i++) store.append('m:2_mb_F', T0 + i * MIN, 50);
  store.flush();
  const raw = store.reader.raw('m:2_mb_F', ALL);
  assert.equal(raw.length, 130);
  assert.deepEqual(
    [...raw.t],
    Array.from({ length: 130 }, (_, i) => T0 + i * MIN),
  );
  assert.equal(store.status().chunks, 2, 'the recovered open chunk was continued, not restarted');
  store.stop();
});

test('P3 publisher cursor: everything after a position, in order; acknowledged data is released', () => {
  const path = dbPath();
  const { store } = open(path, settings({}, { maxPoints: 32 }));
  assert.equal(store.registerPublisher('sftp-1'), 0);
  for (let i = 0; i < 100; i++) store.append('m:1_mb_P', T0 + i * MIN, i);
  const p1 = store.flush().commit;
  for (let i = 100; i < 150; i++) store.append('m:1_mb_P', T0 + i * MIN, i);
  store.flush();
  const first = store.readAfter(0, 80);
  assert.equal(first.points.length, 100, 'whole commits: the first commit holds 100 points');
  assert.equal(first.next, p1);
  assert.equal(first.more, true);
  const rest = store.readAfter(first.next);
  assert.deepEqual(
    rest.points.map((p) => p.value),
    Array.from({ length: 50 }, (_, i) => 100 + i),
  );
  store.ackPublisher('sftp-1', rest.next);
  store.flush();
  assert.equal(store.readAfter(rest.next).points.length, 0);
  const late = store.readAfter(0);
  assert.ok(late.gap !== null, 'acknowledged and sealed positions are no longer kept');
  store.stop();
});

test('P3 backlog: the lag alarm rises first, then unpublished-dropped is raised before points go', () => {
  const path = dbPath();
  const { store, alarms } = open(
    path,
    settings(
      { publication: { backlogPoints: 1000, lagAlarmRatio: 0.5 }, flushPoints: 100 },
      { maxPoints: 50 },
    ),
  );
  store.registerPublisher('https-1');
  for (let i = 0; i < 550; i++) store.append('m:1_mb_P', T0 + i * MIN, i);
  store.flush();
  assert.deepEqual(
    alarms.map((a) => [a.kind, a.active]),
    [['publisher-lag', true]],
  );
  for (let i = 550; i < 2000; i++) store.append('m:1_mb_P', T0 + i * MIN, i);
  store.flush();
  const dropped = alarms.filter((a) => a.kind === 'unpublished-dropped');
  assert.ok(dropped.length > 0);
  const read = store.readAfter(0);
  assert.ok(read.gap, 'the reader is told which positions are gone');
  assert.equal(read.gap.to, dropped.at(-1)?.details.throughPosition);
  assert.ok(read.points.length <= 1000 + 100);
  assert.equal(store.reader.raw('m:1_mb_P', ALL).length, 2000, 'the history itself keeps every point');
  store.stop();
});

test('L4 idle series: its open chunk is sealed after sealIdleMs so the staging log can shrink', () => {
  const path = dbPath();
  const { store, clock } = open(path, settings({ flushIntervalMs: 1000 }, { sealIdleMs: 60_000 }));
  store.start();
  for (let i = 0; i < 10; i++) store.append('z:3_zd_T', T0 + i * MIN, 21.5);
  clock.advance(1000);
  assert.equal(store.status().chunks, 0);
  clock.advance(65_000);
  assert.equal(store.status().chunks, 1);
  store.stop();
});

test('bad input is refused with INVALID_ARGUMENT; unknown series are NOT_FOUND', () => {
  const { store } = open(':memory:', settings());
  const invalid = (fn: () => unknown) => assert.throws(fn, (e) => hasCode(e, ErrorCodes.INVALID_ARGUMENT));
  invalid(() => store.append('=cmd|calc', T0, 1));
  invalid(() => store.append('m:1', T0 + 0.5, 1));
  invalid(() => store.append('m:1', 2 ** 51, 1));
  invalid(() => store.append('m:1', T0, 1, 256));
  invalid(() => store.reader.raw('m:1', { from: 10, to: 5 }));
  invalid(() => store.registerPublisher('Bad Name'));
  assert.throws(
    () => store.reader.raw('nope', ALL),
    (e) => hasCode(e, ErrorCodes.NOT_FOUND),
  );
  store.stop();
  assert.throws(
    () => store.append('m:1', T0, 1),
    (e) => hasCode(e, ErrorCodes.LIFECYCLE),
  );
});

test('I5 equal timestamps in two chunks still in memory keep insertion order (fuzz regression)', () => {
  const { store } = open(':memory:', settings({ flushPoints: 50 }, { maxPoints: 16 }));
  for (let i = 0; i < 28; i++) store.append('m:a', T0 + i * MIN, 1);
  for (let i = 0; i < 22; i++) store.append('m:b', i * MIN, 0); // the 50th point flushes
  store.append('m:a', T0, 2); // a step back: the 12 points after the flush are sealed in memory
  store.append('m:a', T0 + 16 * MIN, 3);
  const raw = store.reader.raw('m:a', ALL);
  const at = raw.t.indexOf(T0 + 16 * MIN);
  assert.deepEqual([raw.v[at], raw.v[at + 1]], [1, 3]);
  assert.deepEqual([raw.v[0], raw.v[1]], [1, 2]);
  store.stop();
});

test('the history configuration section has the store settings shape; defaults are valid', () => {
  const cfg = Value.Default(HistorySchema, {}) as HistoryConfig;
  const asSettings: HistorySettings = cfg; // compile-time: the two shapes agree
  assert.ok(Value.Check(HistorySchema, cfg));
  assert.equal(asSettings.capacity.points, 788_400_000);
  assert.equal(asSettings.capacity.mode, 'points');
  assert.ok(!Value.Check(HistorySchema, { ...cfg, flushIntervalMs: 10 }));
  assert.ok(!Value.Check(HistorySchema, { ...cfg, extra: 1 }));
});

test('L4 a lower capacity evicts at once and gives the pages back to the file system', () => {
  const path = dbPath();
  const { store } = open(path, settings({ flushPoints: 100_000 }));
  for (let i = 0; i < 200_000; i++) store.append('m:1_mb_IA', T0 + i * MIN, Math.sin(i) * 1e3);
  store.flush();
  store.checkpoint();
  const before = store.status().fileBytes;
  store.applySettings({ ...store.settings, capacity: { mode: 'points', points: 20_000, bytes: 0 } });
  store.flush();
  store.checkpoint();
  const after = store.status();
  assert.ok(after.points <= 20_000);
  assert.ok(after.fileBytes < before / 4, `${before} → ${after.fileBytes} bytes`);
  store.stop();
});
