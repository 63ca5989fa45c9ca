/**
 * The kill -9 loop for the history store (SECURITY I2; issue 9 acceptance),
 * shared by test/integration/history-kill9.test.ts (≥25 kills) and
 * `npm run soak:history` (≥200). A writer child (history-crash-writer.ts)
 * appends a deterministic point sequence round-robin to four series — a
 * counter with resets, float32 decimals, noise, specials (NaN, -0) — with
 * a clock step backwards every 700 points of a series, flushing every
 * FLUSH_POINTS points and printing `ack <commit> <appended>` after each
 * flush, and acknowledging a publisher a few commits behind. The parent
 * kills it with SIGKILL at a random moment, then checks:
 * - `PRAGMA integrity_check` is ok;
 * - the per-series counts form one prefix of the global sequence (a flush
 *   is atomic across series), no shorter than the last acknowledged flush
 *   and at most FLUSH_POINTS longer (the documented loss window);
 * - the newest points of every series read back bit-exact, ordered by time,
 *   ties in insertion order: no duplicate, nothing reordered;
 * - the publisher reads every point after its acknowledged position.
 * Children start through bench/support/crash-child.ts (bundled once with
 * esbuild); the next one warms up while the current one writes.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openDatabase } from '../../src/db/database.js';
import { f64Words } from '../../src/history/codec/words.js';
import { type HistorySettings, HistoryStore } from '../../src/history/index.js';
import { type CrashChild, crashChildArgs, spawnCrashChild } from './crash-child.js';
import { ROOT } from './processes.js';

export const CRASH_SERIES = ['crash:1_mb_EA', 'crash:1_mb_VAN', 'crash:2_mb_IA', 'crash:3_zd_T'] as const;
export const FLUSH_POINTS = 200;
export const CRASH_PUBLISHER = 'crash-check';
const S = CRASH_SERIES.length;
const T0 = Date.UTC(2026, 0, 1);
const MIN = 60_000;
const BLOCK = 700;

/** Settings of the writer and the checker (small chunks and capacity, so sealing and eviction happen). */
export function crashSettings(base: HistorySettings): HistorySettings {
  return {
    ...base,
    flushPoints: FLUSH_POINTS,
    reserveFreeBytes: 0,
    capacity: { mode: 'points', points: 400_000, bytes: base.capacity.bytes },
    chunk: { ...base.chunk, maxPoints: 256 },
  };
}

/** Point i of series k: every BLOCK points the clock steps back 30 minutes. */
export function crashPoint(k: number, i: number): { t: number; v: number; q: number } {
  const t = T0 + (i % BLOCK) * MIN + Math.floor(i / BLOCK) * (BLOCK - 30) * MIN;
  if (k === 0) return { t, v: 1_000_000 + (i % 3001) * 17, q: 0 };
  if (k === 1) return { t, v: Math.fround((2300 + ((i * 7919) % 23)) / 10), q: 0 };
  if (k === 2) return { t, v: Math.sin(i) * 100, q: 0 };
  if (i % 97 === 0) return { t, v: Number.NaN, q: 1 };
  return { t, v: i % 101 === 0 ? -0 : (2150 + (i % 40)) / 100, q: 0 };
}

/** Points of series k among the first g of the round-robin sequence. */
export const countOf = (k: number, g: number) => Math.max(0, Math.ceil((g - k) / S));

// ---- children -----------------------------------------------------------------

const WRITER = join(ROOT, 'bench/support/history-crash-writer.ts');

// ---- checks ---------------------------------------------------------------------

export interface CrashState {
  /** Appended count at each acknowledged flush commit. */
  appendedAt: Map<number, number>;
  ackedAppended: number;
  /** Per series: count already checked (the next check starts a little before). */
  checked: number[];
  /** Largest number of points recovered beyond the last printed acknowledgement (a commit whose ack the kill cut). */
  maxBeyondAck: number;
}

function integrityOk(dbPath: string): void {
  const db = openDatabase({ path: dbPath, profile: 'history' });
  try {
    assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
  } finally {
    db.close();
  }
}

function checkRecent(store: HistoryStore, k: number, count: number, from: number): void {
  const id = CRASH_SERIES[k] as string;
  const tMin = crashPoint(k, from).t - 31 * MIN;
  const want: Array<{ t: number; v: number; q: number; i: number }> = [];
  for (let i = Math.max(0, from - 2 * BLOCK); i < count; i++) {
    const p = crashPoint(k, i);
    if (p.t >= tMin) want.push({ ...p, i });
  }
  want.sort((a, b) => a.t - b.t || a.i - b.i);
  const got = store.reader.raw(id, { from: tMin, to: 2 ** 50 });
  assert.equal(got.length, want.length, `${id}: points since t=${tMin}`);
  const expected = new Float64Array(want.map((p) => p.v));
  assert.deepEqual(
    [...got.t],
    want.map((p) => p.t),
    `${id}: order`,
  );
  assert.deepEqual([...f64Words(got.v)], [...f64Words(expected)], `${id}: values`);
  assert.deepEqual(
    [...got.q],
    want.map((p) => p.q),
    `${id}: quality`,
  );
}

function checkPublisher(store: HistoryStore, state: CrashState): void {
  const pub = store.publishers().find((p) => p.name === CRASH_PUBLISHER);
  if (!pub || pub.acked === 0) return;
  const from = state.appendedAt.get(pub.acked);
  assert.ok(from !== undefined, `publisher acknowledged an unknown commit ${pub.acked}`);
  const seen = CRASH_SERIES.map(() => [] as number[]);
  let at = pub.acked;
  for (let guard = 0; guard < 10_000; guard++) {
    const r = store.readAfter(at, 50_000);
    assert.equal(r.gap, null, 'no unacknowledged position was dropped');
    for (const p of r.points)
      seen[CRASH_SERIES.indexOf(p.series as (typeof CRASH_SERIES)[number])]?.push(p.t);
    at = r.next;
    if (!r.more) break;
  }
  CRASH_SERIES.forEach((id, k) => {
    const first = countOf(k, from);
    const want = Array.from(
      { length: store.pointsWritten(id) - first },
      (_, j) => crashPoint(k, first + j).t,
    );
    assert.deepEqual(seen[k], want, `${id}: publisher sees every point after its position, in order`);
  });
}

/** Everything the loop checks after one kill; returns the recovered appended count. */
export function verifyAfterKill(dbPath: string, settings: HistorySettings, state: CrashState): number {
  integrityOk(dbPath);
  const store = HistoryStore.open({ path: dbPath, settings });
  try {
    const counts = CRASH_SERIES.map((id) => store.pointsWritten(id));
    const g = counts.reduce((a, c) => a + c, 0);
    for (const [k, c] of counts.entries())
      assert.equal(c, countOf(k, g), 'the flush was atomic across series');
    assert.ok(g >= state.ackedAppended, `recovered ${g} < acknowledged ${state.ackedAppended}`);
    assert.ok(g - state.ackedAppended <= FLUSH_POINTS, `recovered ${g} > acknowledged + one flush`);
    state.maxBeyondAck = Math.max(state.maxBeyondAck, g - state.ackedAppended);
    for (const [k, c] of counts.entries()) checkRecent(store, k, c, Math.max(0, (state.checked[k] ?? 0) - 1));
    state.checked = counts;
    checkPublisher(store, state);
    return g;
  } finally {
    store.stop();
  }
}

function readAcks(lines: readonly string[], state: CrashState): { appended: number } {
  let appended = -1;
  for (const l of lines) {
    const m = /^ack (\d+) (\d+)$/.exec(l);
    if (!m) continue;
    state.appendedAt.set(Number(m[1]), Number(m[2]));
    appended = Number(m[2]);
  }
  return { appended };
}

export interface LoopResult {
  kills: number;
  /** Points in the database at the end (appended, recovered). */
  points: number;
  /** Kills after which a commit was found whose acknowledgement line the kill had cut. */
  beyondAck: number;
  ms: number;
  via: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Lets the child write for 30–300 ms, kills it, reads its acknowledgements, verifies. */
async function killOnce(
  child: CrashChild,
  opts: { dbPath: string; settings: HistorySettings },
  state: CrashState,
) {
  child.proc.stdin.write('go\n');
  await sleep(30 + Math.random() * 270);
  child.proc.kill('SIGKILL');
  await child.exited;
  const { appended } = readAcks(child.lines, state);
  if (appended >= 0) state.ackedAppended = Math.max(state.ackedAppended, appended);
  return verifyAfterKill(opts.dbPath, opts.settings, state);
}

/** Kills `rounds` writers at random moments and verifies the database after each. */
export async function runCrashLoop(opts: {
  dbPath: string;
  rounds: number;
  settings: HistorySettings;
  onRound?: (round: number, points: number) => void;
}): Promise<LoopResult> {
  const started = Date.now();
  const args = await crashChildArgs(WRITER);
  const state: CrashState = {
    appendedAt: new Map(),
    ackedAppended: 0,
    checked: CRASH_SERIES.map(() => 0),
    maxBeyondAck: 0,
  };
  // The publisher exists before any write, so its position only ever moves by the writers' acknowledgements.
  const first = HistoryStore.open({ path: opts.dbPath, settings: opts.settings });
  first.registerPublisher(CRASH_PUBLISHER, 'now');
  first.stop();
  const warm = [spawnCrashChild(args, opts.dbPath), spawnCrashChild(args, opts.dbPath)];
  let g = 0;
  let beyondAck = 0;
  try {
    for (let round = 0; round < opts.rounds; round++) {
      const child = warm.shift() as CrashChild;
      warm.push(child); // killed in `finally` if a check throws
      await child.loaded;
      if (round + warm.length - 1 < opts.rounds - 1) warm.push(spawnCrashChild(args, opts.dbPath));
      g = await killOnce(child, opts, state);
      warm.splice(warm.indexOf(child), 1);
      if (g > state.ackedAppended) beyondAck++;
      state.ackedAppended = g;
      opts.onRound?.(round + 1, g);
    }
  } finally {
    for (const w of warm) {
      w.proc.kill('SIGKILL');
      await w.exited.catch(() => {});
    }
  }
  return {
    kills: opts.rounds,
    points: g,
    beyondAck,
    ms: Date.now() - started,
    via: args[0] === '--import' ? 'tsx' : 'esbuild bundle',
  };
}
