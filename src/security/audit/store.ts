/**
 * The audit log (PRODUCT S6; SECURITY D1–D4, I1, I4): an append-only,
 * hash-chained, MAC-sealed record store in its own durable database.
 *
 * - `append` is one IMMEDIATE transaction (read head → insert → move head),
 *   committed with synchronous=FULL before it returns: an acknowledged record
 *   survives kill -9 and power loss. Several processes (the service and the
 *   CLI) may append; the transaction serialises them on the head.
 * - Capacity ring (D4): above `capacity` records the oldest 1 % (at least one)
 *   are evicted in the same transaction and the MAC'd anchor moves to the first
 *   retained record (with a checkpoint row), so the rest still verifies; an
 *   `audit.evicted` record follows. Crossing 80 % raises a warning once (a
 *   record and a notice), re-armed when the fill falls below 80 % again.
 * - Disk full or any write error never stops the service: the entry waits in
 *   a bounded memory queue (oldest dropped and counted beyond 10 000), the
 *   error is logged once per outage, and every later append (and a retry timer)
 *   first tries to write the queue; on success an `audit.storage-failed`
 *   record (since when, the error, how many records were held) comes first,
 *   then the held records in order, then `audit.write-recovered` (how many
 *   waited, how many were lost).
 */
import type Database from 'better-sqlite3';
import { openDatabase } from '../../db/database.js';
import { migrationsDir, runMigrations } from '../../db/migrations.js';
import type { Clock, TimerHandle } from '../../shared/clock.js';
import type { Logger } from '../../shared/logger.js';
import { anchorMac, GENESIS_HASH, headMac, keyId, recordHash, recordMac } from './chain.js';
import { ensureAuditKey } from './key.js';
import { type AuditFilter, queryRecords } from './query.js';
import { type AuditEntry, type AuditRecord, cleanText, detailsJson, SYSTEM_ACTOR } from './record.js';
import { type VerifyReport, verifyAudit } from './verify.js';

export const AUDIT_STORE = 'audit';
export const MAX_PENDING = 10_000;
export const RETRY_MS = 5000;
export const WARN_FRACTION = 0.8;

export interface AuditSettings {
  capacity: number;
  recordSource: boolean;
}

export type AuditNotice =
  | { type: 'capacity-warning'; count: number; capacity: number }
  | { type: 'write-failed'; error: string; pending: number }
  | { type: 'write-recovered'; written: number; dropped: number };

export interface AuditLogOptions {
  dbPath: string;
  keyPath: string;
  clock: Clock;
  log: Logger;
  settings: () => AuditSettings;
  onNotice?: (n: AuditNotice) => void;
}

export type AppendResult = { seq: number } | { pending: true };

interface Pending {
  entry: AuditEntry;
  time: number;
}

export class AuditLog {
  readonly #db: Database.Database;
  readonly #key: Buffer;
  readonly #kid: string;
  readonly #opts: AuditLogOptions;
  readonly #pending: Pending[] = [];
  #dropped = 0;
  #failing = false;
  /** The first failure of the current outage: when and why (the storage-failed record). */
  #outage: { since: number; error: string } | undefined;
  #retry: TimerHandle | undefined;
  #inEviction = false;
  readonly #statements = new Map<string, Database.Statement>();

  private constructor(db: Database.Database, key: Buffer, opts: AuditLogOptions) {
    this.#db = db;
    this.#key = key;
    this.#kid = keyId(key);
    this.#opts = opts;
  }

  static open(opts: AuditLogOptions): AuditLog {
    const { key, created } = ensureAuditKey(opts.keyPath);
    const db = openDatabase({ path: opts.dbPath, profile: 'durable' });
    try {
      runMigrations(db, { store: AUDIT_STORE, dir: migrationsDir(import.meta.url) });
    } catch (e) {
      db.close();
      throw e;
    }
    const log = new AuditLog(db, key, opts);
    if (created && log.count() > 0) {
      log.append({
        category: 'audit',
        event: 'audit.key-replaced',
        actor: SYSTEM_ACTOR,
        result: 'failure',
        details: { reason: 'the audit key file was missing; earlier records cannot be verified' },
      });
    }
    return log;
  }

  get keyId(): string {
    return this.#kid;
  }

  /** Records one entry; `{ pending: true }` when the store cannot write right now (kept in memory). */
  append(entry: AuditEntry): AppendResult {
    const time = this.#opts.clock.now();
    if (this.#pending.length > 0 && !this.#flush()) return this.#queue(entry, time);
    try {
      return { seq: this.#write(entry, time) };
    } catch (e) {
      this.#fail(e);
      return this.#queue(entry, time);
    }
  }

  count(): number {
    const r = this.#q('SELECT count(*) AS n FROM audit_records').get() as { n: number };
    return r.n;
  }

  stats() {
    const { capacity } = this.#opts.settings();
    return { count: this.count(), capacity, pending: this.#pending.length, dropped: this.#dropped };
  }

  records(filter: AuditFilter = {}): Generator<AuditRecord> {
    return queryRecords(this.#db, filter);
  }

  verify(): VerifyReport {
    return verifyAudit(this.#db, this.#key);
  }

  /** The latest (seq, hash): carried in exports as an external reference. */
  head(): { seq: number; hash: string } | null {
    const h = this.#q('SELECT seq, hash FROM audit_head WHERE id = 1').get() as
      | { seq: number; hash: Buffer }
      | undefined;
    return h ? { seq: h.seq, hash: h.hash.toString('hex') } : null;
  }

  close(): void {
    this.#retry?.cancel();
    this.#retry = undefined;
    if (this.#db.open) this.#db.close();
  }

  /** A prepared statement, prepared once per connection (appends run several per record). */
  #q(sql: string): Database.Statement {
    let st = this.#statements.get(sql);
    if (!st) {
      st = this.#db.prepare(sql);
      this.#statements.set(sql, st);
    }
    return st;
  }

  #queue(entry: AuditEntry, time: number): AppendResult {
    if (this.#pending.length >= MAX_PENDING) {
      this.#pending.shift();
      this.#dropped++;
    }
    this.#pending.push({ entry, time });
    this.#armRetry();
    return { pending: true };
  }

  #armRetry(): void {
    this.#retry ??= this.#opts.clock.setTimeout(() => {
      this.#retry = undefined;
      if (this.#pending.length > 0 && this.#db.open && !this.#flush()) this.#armRetry();
    }, RETRY_MS);
  }

  /** Retained records by sequence arithmetic (O(1); the chain is gap-free unless tampered). */
  #retained(): number {
    const h = this.#q('SELECT seq FROM audit_head WHERE id = 1').get() as { seq: number } | undefined;
    const a = this.#q('SELECT first_seq FROM audit_anchor WHERE id = 1').get() as
      | { first_seq: number }
      | undefined;
    return h ? h.seq - (a?.first_seq ?? 1) + 1 : 0;
  }

  #flush(): boolean {
    const written = this.#pending.length;
    try {
      const outage = this.#outage;
      if (outage !== undefined) {
        // First, before the records that waited: that the log could not write, since when, why, how many wait.
        this.#write(
          {
            category: 'audit',
            event: 'audit.storage-failed',
            actor: SYSTEM_ACTOR,
            result: 'failure',
            details: {
              since: new Date(outage.since).toISOString(),
              error: outage.error,
              held: written,
              dropped: this.#dropped,
            },
          },
          this.#opts.clock.now(),
        );
        this.#outage = undefined;
      }
      while (this.#pending.length > 0) {
        const p = this.#pending[0] as Pending;
        this.#write(p.entry, p.time);
        this.#pending.shift();
      }
    } catch (e) {
      this.#fail(e);
      return false;
    }
    const dropped = this.#dropped;
    this.#dropped = 0;
    this.#failing = false;
    this.#opts.onNotice?.({ type: 'write-recovered', written, dropped });
    this.#write(
      {
        category: 'audit',
        event: 'audit.write-recovered',
        actor: SYSTEM_ACTOR,
        result: 'info',
        details: { written, dropped },
      },
      this.#opts.clock.now(),
    );
    return true;
  }

  #fail(e: unknown): void {
    if (this.#failing) return;
    this.#failing = true;
    const error = (e as Error).message;
    this.#outage ??= {
      since: this.#opts.clock.now(),
      error: String((e as { code?: unknown }).code ?? error),
    };
    this.#opts.log.error({ err: e }, 'audit log write failed; records wait in memory');
    this.#opts.onNotice?.({ type: 'write-failed', error, pending: this.#pending.length + 1 });
  }

  #write(entry: AuditEntry, time: number): number {
    const seq = this.#db.transaction(() => this.#insert(entry, time)).immediate();
    this.#afterWrite();
    return seq;
  }

  #insert(entry: AuditEntry, time: number): number {
    const head = this.#q('SELECT seq, hash FROM audit_head WHERE id = 1').get() as
      | { seq: number; hash: Buffer }
      | undefined;
    const seq = (head?.seq ?? 0) + 1;
    const record: AuditRecord = {
      seq,
      time: new Date(time).toISOString(),
      category: entry.category,
      event: cleanText(entry.event) ?? '',
      actorKind: entry.actor.kind,
      actor: cleanText(entry.actor.name),
      source: this.#opts.settings().recordSource ? cleanText(entry.source) : null,
      result: entry.result,
      details: detailsJson(entry.details),
    };
    const prev = head?.hash ?? GENESIS_HASH;
    const hash = recordHash(prev, record);
    this.#db
      .prepare(
        `INSERT INTO audit_records (seq, time, category, event, actor_kind, actor, source, result, details,
           prev_hash, hash, key_id, mac)
         VALUES (@seq, @time, @category, @event, @actorKind, @actor, @source, @result, @details,
           @prev, @hash, @kid, @mac)`,
      )
      .run({ ...record, prev, hash, kid: this.#kid, mac: recordMac(this.#key, hash) });
    this.#db
      .prepare(
        `INSERT INTO audit_head (id, seq, hash, key_id, mac) VALUES (1, @seq, @hash, @kid, @mac)
         ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, key_id = excluded.key_id,
           mac = excluded.mac`,
      )
      .run({ seq, hash, kid: this.#kid, mac: headMac(this.#key, seq, hash) });
    return seq;
  }

  /** Capacity ring and the 80 % warning, after a committed append. */
  #afterWrite(): void {
    if (this.#inEviction) return;
    this.#inEviction = true;
    try {
      const { capacity } = this.#opts.settings();
      // Re-checked inside the eviction's transaction (another process may append too).
      const evicted = this.#retained() >= capacity ? this.#evictIfFull(capacity) : null;
      if (evicted) {
        this.#write(
          {
            category: 'audit',
            event: 'audit.evicted',
            actor: SYSTEM_ACTOR,
            result: 'info',
            details: evicted,
          },
          this.#opts.clock.now(),
        );
      }
      this.#checkWarning(capacity);
    } finally {
      this.#inEviction = false;
    }
  }

  #evictIfFull(capacity: number): { firstKept: number; count: number; evictedTotal: number } | null {
    return this.#db
      .transaction(() => {
        const n = this.#retained();
        // Evict once full, leaving room for the `audit.evicted` record itself: never above capacity.
        if (n < capacity) return null;
        const batch = Math.max(1, Math.ceil(capacity / 100), n - capacity + 1);
        const oldest = this.#q('SELECT min(seq) AS s FROM audit_records').get() as { s: number };
        const firstKept = oldest.s + batch;
        const kept = this.#q('SELECT prev_hash FROM audit_records WHERE seq = ?').get(firstKept) as
          | { prev_hash: Buffer }
          | undefined;
        if (!kept) return null;
        const a = this.#q('SELECT evicted FROM audit_anchor WHERE id = 1').get() as
          | { evicted: number }
          | undefined;
        const evictedTotal = (a?.evicted ?? 0) + batch;
        this.#q('DELETE FROM audit_records WHERE seq < ?').run(firstKept);
        const mac = anchorMac(this.#key, firstKept, kept.prev_hash, evictedTotal);
        const row = { first: firstKept, prev: kept.prev_hash, evicted: evictedTotal, kid: this.#kid, mac };
        this.#db
          .prepare(
            `INSERT INTO audit_anchor (id, first_seq, prev_hash, evicted, key_id, mac)
             VALUES (1, @first, @prev, @evicted, @kid, @mac)
             ON CONFLICT (id) DO UPDATE SET first_seq = excluded.first_seq, prev_hash = excluded.prev_hash,
               evicted = excluded.evicted, key_id = excluded.key_id, mac = excluded.mac`,
          )
          .run(row);
        this.#db
          .prepare(
            `INSERT INTO audit_checkpoints (kind, time, first_seq, prev_hash, evicted, key_id, mac)
             VALUES ('eviction', @time, @first, @prev, @evicted, @kid, @mac)`,
          )
          .run({ ...row, time: new Date(this.#opts.clock.now()).toISOString() });
        return { firstKept, count: batch, evictedTotal };
      })
      .immediate();
  }

  #checkWarning(capacity: number): void {
    const n = this.#retained();
    const warned = this.#q("SELECT value FROM audit_meta WHERE name = 'warned'").get() !== undefined;
    if (n < capacity * WARN_FRACTION) {
      if (warned) this.#q("DELETE FROM audit_meta WHERE name = 'warned'").run();
      return;
    }
    if (warned) return;
    this.#q("INSERT INTO audit_meta (name, value) VALUES ('warned', '1')").run();
    this.#opts.onNotice?.({ type: 'capacity-warning', count: n, capacity });
    this.#write(
      {
        category: 'audit',
        event: 'audit.capacity-warning',
        actor: SYSTEM_ACTOR,
        result: 'info',
        details: { count: n, capacity, percent: Math.round((100 * n) / capacity) },
      },
      this.#opts.clock.now(),
    );
  }
}
