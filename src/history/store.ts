/**
 * The history store (PRODUCT L4, P3; SECURITY I1, I2, I4, I5): a time-series
 * store on SQLite (profile `history`: WAL + synchronous=NORMAL). Design —
 * chunk encoding, write buffer and loss window, ring, staging log and
 * publication cursor, clock steps — in docs/history.md. This class is the
 * write path and the lifecycle; queries are in reader.ts.
 *
 * Appends go to a per-series open chunk in memory (the write buffer). A flush
 * (every `flushIntervalMs`, or once `flushPoints` wait) writes them in one
 * transaction. A failed flush (disk full) keeps everything in memory, raises
 * `write-failed` and is retried every `retryIntervalMs`; meanwhile at most
 * `maxBufferedPoints` wait, newer points are dropped (`buffer-full`).
 */
import { dirname } from 'node:path';
import type Database from 'better-sqlite3';
import { openDatabase } from '../db/database.js';
import { migrationsDir, runMigrations } from '../db/migrations.js';
import type { Clock, TimerHandle } from '../shared/clock.js';
import { systemClock } from '../shared/clock.js';
import { ErrorCodes, WattgateError } from '../shared/errors.js';
import { TypedEvents } from '../shared/events.js';
import type { Part } from '../shared/lifecycle.js';
import { type Logger, silentLogger } from '../shared/logger.js';
import { AlarmBoard } from './alarms.js';
import { limitWal, prepareFile, usedBytes } from './database-file.js';
import { effectiveReserve, fileBytes, freeBytesOf, volumeBytesOf } from './disk.js';
import { PublisherRegistry, readAfter } from './publication.js';
import { HistoryReader } from './reader.js';
import { recoverStore } from './recovery.js';
import type { Evicted, RingContext } from './ring.js';
import {
  appendPoint,
  checkPoint,
  checkSeriesId,
  cleanMeta,
  newSeries,
  type SeriesState,
  sealIdle,
} from './series.js';
import type { HistorySettings } from './settings.js';
import { type SeriesSnapshot, snapshotOf } from './snapshot.js';
import { prepareStatements, type Statements } from './statements.js';
import type {
  CursorRead,
  FlushResult,
  HistoryAlarm,
  HistoryEventMap,
  HistoryStatus,
  PublisherInfo,
  SeriesMeta,
  StoreCounters,
} from './types.js';
import { applyPlan, commitFlush, loadCounters, planFlush } from './writer.js';

export const HISTORY_STORE = 'history';

export interface HistoryStoreOptions {
  /** Database file (created if missing), or `:memory:` for tests. */
  path: string;
  settings: HistorySettings;
  clock?: Clock;
  log?: Logger;
  /** Free bytes of the disk (default: statfs of the database's directory). */
  freeBytes?: () => number | undefined;
  /** Size of the disk (default: statfs of the database's directory): the reserve is at most 5 % of it. */
  volumeBytes?: () => number | undefined;
}

export class HistoryStore implements Part {
  readonly name = 'history';
  readonly events = new TypedEvents<HistoryEventMap>();
  readonly reader: HistoryReader;
  readonly #db: Database.Database;
  readonly #st: Statements;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #path: string;
  readonly #freeBytes: () => number | undefined;
  readonly #volumeBytes: () => number | undefined;
  readonly #alarms: AlarmBoard;
  #settings: HistorySettings;
  readonly #byId = new Map<string, SeriesState>();
  readonly #byKey: Map<number, SeriesState>;
  #dirty: SeriesState[] = [];
  readonly #isDirty = new WeakSet<SeriesState>();
  #counters: StoreCounters;
  readonly #publishers: PublisherRegistry;
  #nextKey = 1;
  #buffered = 0;
  #dropped = 0;
  #retryAt = Number.NEGATIVE_INFINITY;
  #pruneWanted = false;
  #shrinkWanted = false;
  #timer: TimerHandle | undefined;
  #closed = false;
  readonly #idle = new Map<SeriesState, { next: number; since: number }>();

  static open(opts: HistoryStoreOptions): HistoryStore {
    const db = openDatabase({ path: opts.path, profile: 'history' });
    try {
      if (opts.path !== ':memory:') prepareFile(db);
      limitWal(db);
      runMigrations(db, {
        store: HISTORY_STORE,
        dir: migrationsDir(import.meta.url),
        clock: opts.clock ?? systemClock,
      });
      return new HistoryStore(db, opts);
    } catch (e) {
      db.close();
      throw e;
    }
  }

  private constructor(db: Database.Database, opts: HistoryStoreOptions) {
    this.#db = db;
    this.#st = prepareStatements(db);
    this.#clock = opts.clock ?? systemClock;
    this.#log = opts.log ?? silentLogger;
    this.#path = opts.path;
    this.#settings = opts.settings;
    const dir = dirname(opts.path);
    const memory = opts.path === ':memory:';
    this.#freeBytes = opts.freeBytes ?? (memory ? () => undefined : () => freeBytesOf(dir));
    this.#volumeBytes = opts.volumeBytes ?? (memory ? () => undefined : () => volumeBytesOf(dir));
    this.#alarms = new AlarmBoard((a: HistoryAlarm) => this.events.emit('alarm', a), this.#clock, this.#log);
    this.#counters = loadCounters(this.#st);
    const recovered = recoverStore(this.#st, opts.settings.chunk, this.#log, this.#counters.replayFrom);
    this.#byKey = recovered.byKey;
    for (const s of this.#byKey.values()) {
      this.#byId.set(s.id, s);
      this.#nextKey = Math.max(this.#nextKey, s.key + 1);
      if (s.pending.length > 0) this.#markDirty(s);
    }
    this.#publishers = new PublisherRegistry(this.#st);
    this.reader = new HistoryReader({
      st: this.#st,
      series: (id) => this.#byId.get(id),
      all: () => this.#byId.values(),
    });
    this.#log.info({ series: this.#byKey.size, replayed: recovered.replayed }, 'history store opened');
  }

  start(): void {
    this.#assertOpen();
    this.#timer?.cancel();
    this.#timer = this.#clock.setInterval(() => this.#tick(), this.#settings.flushIntervalMs);
  }

  /** Writes what is buffered and closes the database. */
  stop(): void {
    if (this.#closed) return;
    this.#timer?.cancel();
    this.#timer = undefined;
    try {
      this.flush();
    } catch (e) {
      this.#log.error({ err: e }, 'history: final flush failed');
    }
    this.#closed = true;
    this.#db.close();
  }

  /** Appends one point; false when it was dropped because the buffer is full (writes failing). */
  append(id: string, t: number, value: number, quality = 0): boolean {
    if (this.#closed) this.#assertOpen();
    checkPoint(t, value, quality);
    const s = this.#series(id);
    if (this.#buffered >= this.#settings.maxBufferedPoints) return this.#drop();
    appendPoint(s, t, value, quality, this.#settings.chunk);
    this.#markDirty(s);
    if (++this.#buffered >= this.#settings.flushPoints) this.#flushUnlessBackingOff();
    return true;
  }

  /** Appends points of one series; returns how many were accepted. */
  appendMany(id: string, t: ArrayLike<number>, v: ArrayLike<number>, q?: ArrayLike<number>): number {
    let accepted = 0;
    for (let i = 0; i < t.length; i++) {
      if (this.append(id, t[i] as number, v[i] as number, q ? (q[i] as number) : 0)) accepted++;
    }
    return accepted;
  }

  /** Creates or updates a series' metadata (device, unit, kind, usage, zone …). */
  defineSeries(id: string, meta: SeriesMeta): void {
    const s = this.#series(id);
    s.meta = cleanMeta(meta);
    s.metaDirty = true;
    this.#markDirty(s);
  }

  /** Writes buffered points now (one transaction). Throws WattgateError(STORAGE) when the write fails. */
  flush(): FlushResult {
    this.#assertOpen();
    const r = this.#flush();
    if (r instanceof Error)
      throw new WattgateError(ErrorCodes.STORAGE, `history write failed: ${r.message}`, { cause: r });
    return r;
  }

  /** Live reconfiguration: a lower capacity evicts at the next flush, then gives the freed pages back. */
  applySettings(settings: HistorySettings): void {
    const old = this.#settings;
    const restart = settings.flushIntervalMs !== old.flushIntervalMs && this.#timer !== undefined;
    const smaller = (c: HistorySettings['capacity']) => (c.mode === 'points' ? c.points : c.bytes);
    if (settings.capacity.mode !== old.capacity.mode || smaller(settings.capacity) < smaller(old.capacity)) {
      this.#shrinkWanted = true;
    }
    this.#settings = settings;
    this.#pruneWanted = true;
    if (restart) this.start();
  }

  get settings(): HistorySettings {
    return this.#settings;
  }

  /** Registers a publisher; it is protected from the position it starts at ('now' or the oldest kept). */
  registerPublisher(name: string, from: 'now' | 'oldest' = 'now'): number {
    const start = from === 'now' ? this.#counters.commit : this.#counters.prunedThrough;
    return this.#publishers.register(name, start, this.#clock.now());
  }

  removePublisher(name: string): void {
    if (this.#publishers.remove(name)) this.#pruneWanted = true;
  }

  /** Acknowledges everything up to `position` for a publisher. */
  ackPublisher(name: string, position: number): void {
    if (this.#publishers.ack(name, position, this.#counters.commit)) this.#pruneWanted = true;
  }

  publishers(): PublisherInfo[] {
    return this.#publishers.list();
  }

  /** Points written after `position` (see publication.ts). */
  readAfter(position: number, maxPoints = 100_000): CursorRead {
    this.#assertOpen();
    const idOf = (key: number) => this.#byKey.get(key)?.id;
    const { commit, prunedThrough } = this.#counters;
    return readAfter({ st: this.#st, idOf, commit, prunedThrough }, position, maxPoints);
  }

  /** The in-memory state of some series (all when `ids` is absent), for a replica (snapshot.ts). */
  snapshot(ids?: readonly string[]): SeriesSnapshot[] {
    const list = ids === undefined ? [...this.#byId.values()] : ids.flatMap((id) => this.#byId.get(id) ?? []);
    return list.map(snapshotOf);
  }

  /** Runs a read on the store's own state (HistoryQueryApi; a replica reads from a snapshot). */
  read<T>(_series: readonly string[] | 'all', fn: (reader: HistoryReader) => T): T {
    return fn(this.reader);
  }

  /** Points ever appended to a series (its next series index), 0 for an unknown series. */
  pointsWritten(id: string): number {
    return this.#byId.get(id)?.next ?? 0;
  }

  /** The last written position. */
  position(): number {
    return this.#counters.commit;
  }

  status(): HistoryStatus {
    this.#assertOpen();
    const used = usedBytes(this.#db);
    let unsealed = 0;
    for (const s of this.#byKey.values()) unsealed += s.next - s.sealed;
    return {
      points: this.#counters.chunkPoints + unsealed,
      chunks: this.#counters.chunks,
      buffered: this.#buffered,
      dropped: this.#dropped,
      position: this.#counters.commit,
      capacity: { ...this.#settings.capacity },
      usedBytes: used,
      fileBytes: this.#path === ':memory:' ? used : fileBytes(this.#path),
      series: this.#byKey.size,
      alarms: this.#alarms.active,
      publishers: this.publishers(),
    };
  }

  /** Copies the WAL into the database and truncates it (benchmarks, backups). */
  checkpoint(): void {
    this.#assertOpen();
    this.#db.pragma('wal_checkpoint(TRUNCATE)');
  }

  #series(id: string): SeriesState {
    const known = this.#byId.get(id);
    if (known) return known;
    this.#assertOpen();
    checkSeriesId(id);
    const key = this.#nextKey++;
    const s = newSeries(key, id, {}, false);
    this.#byId.set(id, s);
    this.#byKey.set(key, s);
    return s;
  }

  #markDirty(s: SeriesState): void {
    if (this.#isDirty.has(s)) return;
    this.#isDirty.add(s);
    this.#dirty.push(s);
  }

  #drop(): false {
    this.#dropped++;
    this.#alarms.set('buffer-full', true, 'write buffer full: new points are dropped until writes succeed', {
      buffered: this.#buffered,
    });
    return false;
  }

  #flushUnlessBackingOff(): void {
    if (this.#clock.monotonic() < this.#retryAt) return;
    this.#flush();
  }

  #tick(): void {
    if (this.#closed) return;
    this.#sealIdle();
    try {
      this.#flushUnlessBackingOff();
    } catch (e) {
      this.#log.error({ err: e }, 'history: flush failed');
    }
  }

  /** Seals open chunks of series that stopped reporting, so the staging log can shrink. */
  #sealIdle(): void {
    const now = this.#clock.monotonic();
    sealIdle(this.#byKey.values(), this.#idle, now, this.#settings.chunk.sealIdleMs, (s) =>
      this.#markDirty(s),
    );
  }

  #checkDisk(): boolean {
    const free = this.#freeBytes();
    const reserveBytes = effectiveReserve(this.#settings.reserveFreeBytes, this.#volumeBytes());
    const low = free !== undefined && free < reserveBytes;
    const message = low ? 'disk almost full: history overwrites its oldest data' : 'disk space back';
    this.#alarms.set('disk-low', low, message, { freeBytes: free, reserveBytes });
    return low;
  }

  /** One flush; returns the error instead of throwing (timers must not throw). */
  #flush(): FlushResult | Error {
    if (this.#dirty.length === 0 && !this.#pruneWanted) {
      return { commit: this.#counters.commit, points: 0, chunks: 0, evictedPoints: 0 };
    }
    const plan = planFlush(this.#dirty, this.#byKey.values(), this.#counters, {
      at: this.#clock.now(),
      publishers: this.#publishers.acks.size > 0,
    });
    const counters = { ...this.#counters };
    const points = this.#buffered;
    let evicted: Evicted;
    try {
      const alarm = this.#alarms.set.bind(this.#alarms);
      const ctx: RingContext = { db: this.#db, st: this.#st, counters, settings: this.#settings, alarm };
      evicted = commitFlush(ctx, plan, this.#checkDisk(), this.#publishers.acks);
    } catch (e) {
      return this.#failed(e);
    }
    applyPlan(plan);
    this.#counters = counters;
    for (const s of this.#dirty) this.#isDirty.delete(s);
    this.#dirty = [];
    this.#buffered = 0;
    this.#pruneWanted = false;
    if (this.#shrinkWanted) {
      this.#shrinkWanted = false;
      this.#db.pragma('incremental_vacuum');
    }
    this.#retryAt = Number.NEGATIVE_INFINITY;
    this.#alarms.set('write-failed', false, 'history writes succeed again');
    this.#alarms.set('buffer-full', false, 'write buffer has room again', { dropped: this.#dropped });
    const result = {
      commit: counters.commit,
      points,
      chunks: plan.chunks.length,
      evictedPoints: evicted.points,
    };
    this.events.emit('flushed', result);
    return result;
  }

  #failed(e: unknown): Error {
    this.#retryAt = this.#clock.monotonic() + this.#settings.retryIntervalMs;
    const code = (e as { code?: unknown }).code;
    const error = e instanceof Error ? e : new Error(String(e));
    this.#alarms.set('write-failed', true, `history write failed (${String(code ?? error.message)})`, {
      code,
      buffered: this.#buffered,
    });
    return error;
  }

  #assertOpen(): void {
    if (this.#closed) throw new WattgateError(ErrorCodes.LIFECYCLE, 'history store is closed');
  }
}
