/**
 * The baseline of the history benchmark: one row per point in a plain SQLite
 * table with an index on (series, time) — what a datalogger usually starts
 * with — on the same profile (WAL + synchronous=NORMAL), written in the same
 * order and batch size, queried with one GROUP BY for the same buckets.
 */
import type Database from 'better-sqlite3';
import { openDatabase } from '../../src/db/database.js';

export interface NaiveStore {
  db: Database.Database;
  insertBatch(rows: ReadonlyArray<readonly [number, number, number, number]>): void;
  downsample(series: number, from: number, to: number, buckets: number): NaiveBucket[];
  close(): void;
}

export interface NaiveBucket {
  b: number;
  count: number;
  min: number;
  max: number;
  avg: number;
  last: number;
}

export function openNaive(path: string): NaiveStore {
  const db = openDatabase({ path, profile: 'history' });
  db.exec(`CREATE TABLE IF NOT EXISTS points (
    series INTEGER NOT NULL, t INTEGER NOT NULL, value REAL, quality INTEGER NOT NULL);
    CREATE INDEX IF NOT EXISTS points_by_series_time ON points (series, t);`);
  const insert = db.prepare('INSERT INTO points (series, t, value, quality) VALUES (?, ?, ?, ?)');
  const batch = db.transaction((rows: ReadonlyArray<readonly [number, number, number, number]>) => {
    for (const r of rows) insert.run(r[0], r[1], Number.isNaN(r[2]) ? null : r[2], r[3]);
  });
  // Good points only; "last" is the value at the bucket's greatest time (SQLite's bare column with max()).
  const query = db.prepare(`SELECT CAST((t - @from) * @n / (@to - @from) AS INTEGER) AS b, count(*) AS count,
      min(value) AS min, max(value) AS max, avg(value) AS avg, max(t) AS lastT, value AS last
    FROM points WHERE series = @series AND t >= @from AND t < @to AND quality = 0 AND value IS NOT NULL
    GROUP BY b ORDER BY b`);
  return {
    db,
    insertBatch: (rows) => batch(rows),
    downsample: (series, from, to, n) => query.all({ series, from, to, n }) as NaiveBucket[],
    close: () => db.close(),
  };
}
