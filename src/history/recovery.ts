/**
 * Opening a history database: the series from their rows, then the staging
 * log replayed in commit order into the open builders. Points whose series
 * index is below the series' `sealed` index are already in chunk rows and are
 * skipped, so a replay never duplicates a point; replayed points count as
 * staged (they are on disk), and each builder remembers the commit of its
 * first point (the staging rows it still needs).
 */
import type { Logger } from '../shared/logger.js';
import { decodeBatch } from './codec/batch-codec.js';
import { appendPoint, type ChunkRules, cleanMeta, newSeries, type SeriesState, sealOpen } from './series.js';
import type { Statements } from './statements.js';

interface SeriesRow {
  key: number;
  id: string;
  meta: string;
  sealed: number;
  maxSpan: number;
}

function parseMeta(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return {};
  }
}

export function loadSeries(st: Statements): Map<number, SeriesState> {
  const byKey = new Map<number, SeriesState>();
  for (const row of st.allSeries.all() as SeriesRow[]) {
    const s = newSeries(row.key, row.id, cleanMeta(parseMeta(row.meta)), true);
    s.sealed = row.sealed;
    s.next = row.sealed;
    s.maxSpan = row.maxSpan;
    byKey.set(row.key, s);
  }
  return byKey;
}

/**
 * Replays the staging log from `from` (older rows only hold points already in
 * chunks, kept for publishers); returns the number of points put back.
 */
export function replayStaging(
  st: Statements,
  byKey: ReadonlyMap<number, SeriesState>,
  rules: ChunkRules,
  log: Logger,
  from: number,
): number {
  let replayed = 0;
  const rows = st.stagingAfter.iterate(Math.max(0, from - 1)) as Iterable<{
    commitNo: number;
    data: Uint8Array;
  }>;
  for (const row of rows) {
    for (const g of decodeBatch(row.data)) {
      const s = byKey.get(g.key);
      if (!s) {
        log.warn({ key: g.key, commit: row.commitNo }, 'history: staging group of an unknown series skipped');
        continue;
      }
      for (let j = 0; j < g.cols.n; j++) {
        const idx = g.idx + j;
        if (idx < s.next) continue; // sealed already (or replayed twice)
        if (idx > s.next) {
          log.warn({ series: s.id, expected: s.next, got: idx }, 'history: gap in the staging log');
          sealOpen(s);
          s.next = idx;
        }
        const b = appendPoint(s, g.cols.t[j] as number, g.cols.v[j] as number, g.cols.q[j] as number, rules);
        b.staged = b.n;
        b.firstCommit ??= row.commitNo;
        replayed++;
      }
    }
  }
  return replayed;
}

/** Series and open builders of a database being opened. */
export function recoverStore(
  st: Statements,
  rules: ChunkRules,
  log: Logger,
  replayFrom: number,
): { byKey: Map<number, SeriesState>; replayed: number } {
  const byKey = loadSeries(st);
  const replayed = replayStaging(st, byKey, rules, log, replayFrom);
  return { byKey, replayed };
}
