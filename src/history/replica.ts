/**
 * A read-only view of the history store for another thread (the web worker,
 * issue 14): queries run there, on their own SQLite connection to
 * `history.db` (WAL lets readers run beside the writer), so a one-year query
 * or a CSV export never holds the thread that serves Modbus.
 *
 * The store keeps its newest points in memory until they are sealed into
 * chunk rows. Before each read the replica asks the store (`snapshot`, an
 * async call across the thread boundary) for the in-memory state of the
 * series the query needs; chunk rows written after that snapshot are skipped
 * (`idx < sealed`, chunk-source.ts), so a query sees exactly the store's
 * state at the snapshot. `status` and `readAfter` are asked of the store.
 *
 * Never writes: no migration, no series, no points.
 */
import type Database from 'better-sqlite3';
import { openDatabase } from '../db/database.js';
import { HistoryReader } from './reader.js';
import { type SeriesSnapshot, seriesFromSnapshot } from './snapshot.js';
import { prepareStatements, type Statements } from './statements.js';
import type { CursorRead, HistoryStatus } from './types.js';

/** What the replica asks of the store (in the store's thread). */
export interface HistorySource {
  snapshot(series: readonly string[] | 'all'): Promise<SeriesSnapshot[]>;
  status(): Promise<HistoryStatus>;
  readAfter(position: number, maxPoints?: number): Promise<CursorRead>;
}

export class HistoryReplica {
  readonly #db: Database.Database;
  readonly #st: Statements;
  readonly #source: HistorySource;

  private constructor(db: Database.Database, source: HistorySource) {
    this.#db = db;
    this.#st = prepareStatements(db);
    this.#source = source;
  }

  /** Opens a reading connection to the store's file (the store created and migrated it). */
  static open(path: string, source: HistorySource): HistoryReplica {
    const db = openDatabase({ path, profile: 'history' });
    try {
      return new HistoryReplica(db, source);
    } catch (e) {
      db.close();
      throw e;
    }
  }

  /** Runs `fn` on a reader over the store's state, as of a snapshot of the named series (or all). */
  async read<T>(series: readonly string[] | 'all', fn: (reader: HistoryReader) => T): Promise<T> {
    const snaps = await this.#source.snapshot(series);
    const states = new Map(snaps.map((s) => [s.id, seriesFromSnapshot(s)]));
    const reader = new HistoryReader({
      st: this.#st,
      series: (id) => states.get(id),
      all: () => states.values(),
    });
    return fn(reader);
  }

  status(): Promise<HistoryStatus> {
    return this.#source.status();
  }

  readAfter(position: number, maxPoints?: number): Promise<CursorRead> {
    return this.#source.readAfter(position, maxPoints);
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }
}
