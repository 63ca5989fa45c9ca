/**
 * The prepared statements of the history store (one set per connection),
 * and the shape of a chunk row as queries read it.
 */
import type Database from 'better-sqlite3';

export interface ChunkRow {
  seq: number;
  series: number;
  idx: number;
  count: number;
  t_first: number;
  t_last: number;
  good: number;
  v_min: number | null;
  v_max: number | null;
  v_sum: number | null;
  first_t: number | null;
  first_v: number | null;
  last_t: number | null;
  last_v: number | null;
  increase: number | null;
  data: Uint8Array;
}

const CHUNK_COLUMNS =
  'seq, series, idx, count, t_first, t_last, good, v_min, v_max, v_sum, first_t, first_v, last_t, last_v, increase, data';

function writeStatements(db: Database.Database) {
  return {
    insertSeries: db.prepare('INSERT INTO series (key, id, meta) VALUES (?, ?, ?)'),
    updateMeta: db.prepare('UPDATE series SET meta = ? WHERE key = ?'),
    updateSealed: db.prepare('UPDATE series SET sealed = ?, max_span = ? WHERE key = ?'),
    allSeries: db.prepare('SELECT key, id, meta, sealed, max_span AS maxSpan FROM series ORDER BY key'),
    insertChunk: db.prepare(
      `INSERT INTO chunks (series, idx, count, t_first, t_last, good, v_min, v_max, v_sum,
        first_t, first_v, last_t, last_v, increase, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    oldestChunks: db.prepare(
      'SELECT seq, count, length(data) AS bytes FROM chunks WHERE seq > ? ORDER BY seq LIMIT 256',
    ),
    deleteChunksThrough: db.prepare('DELETE FROM chunks WHERE seq <= ?'),
  };
}

function readStatements(db: Database.Database) {
  return {
    chunksInRange: db.prepare(
      `SELECT ${CHUNK_COLUMNS} FROM chunks
       WHERE series = ? AND t_first >= ? AND t_first <= ? AND t_last >= ? AND idx < ? ORDER BY t_first, seq`,
    ),
    previousGood: db.prepare(
      `SELECT seq, last_t, last_v FROM chunks WHERE series = ? AND seq < ? AND good > 0 AND idx < ?
       ORDER BY seq DESC LIMIT 1`,
    ),
    insertStaging: db.prepare('INSERT INTO staging (commit_no, at, points, data) VALUES (?, ?, ?, ?)'),
    stagingAfter: db.prepare(
      'SELECT commit_no AS commitNo, points, data FROM staging WHERE commit_no > ? ORDER BY commit_no',
    ),
    stagingCounts: db.prepare(
      'SELECT commit_no AS commitNo, points FROM staging WHERE commit_no < ? ORDER BY commit_no',
    ),
    stagingPointsBefore: db.prepare('SELECT coalesce(sum(points), 0) AS n FROM staging WHERE commit_no < ?'),
    stagingTotal: db.prepare('SELECT coalesce(sum(points), 0) AS n FROM staging'),
    deleteStagingBefore: db.prepare('DELETE FROM staging WHERE commit_no < ?'),
    getState: db.prepare('SELECT k, v FROM state'),
    setState: db.prepare('UPDATE state SET v = ? WHERE k = ?'),
    publishers: db.prepare('SELECT name, acked, created_at AS createdAt FROM publishers ORDER BY name'),
    upsertPublisher: db.prepare(
      'INSERT INTO publishers (name, acked, created_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING',
    ),
    ackPublisher: db.prepare('UPDATE publishers SET acked = max(acked, ?) WHERE name = ?'),
    deletePublisher: db.prepare('DELETE FROM publishers WHERE name = ?'),
  };
}

export function prepareStatements(db: Database.Database) {
  return { ...writeStatements(db), ...readStatements(db) };
}

export type Statements = ReturnType<typeof prepareStatements>;
