/**
 * ConfigStore: the one home of the configuration at run time (ARCHITECTURE
 * conventions 16, 17). The whole validated configuration is ONE JSON row in
 * the `settings` store of a durable SQLite database (WAL + synchronous=FULL),
 * with a revision counter bumped by every change. A write validates the whole
 * configuration (schema + cross-field rules), then replaces the row in one
 * immediate transaction, then updates memory, then notifies subscribers —
 * so an invalid input changes nothing, and a crash leaves exactly one
 * complete written version.
 *
 * Subscribers get their section only when it changed (deep-equal compare), in
 * schema order, after the write is durable; one that throws never affects the
 * stored configuration nor the others (the error is logged). The stored JSON
 * holds every default filled in at the time of writing: a later release
 * changing a default does not silently change an existing installation.
 *
 * Writes by another connection (`wattgate config import` while Wattgate runs,
 * issue 13): `PRAGMA data_version` changes when another connection commits to
 * the database file, and costs one call. `refresh()` checks it — the running
 * app calls it about once a second, and every write calls it first — and when
 * another writer stored a new revision it reloads, upgrades and validates
 * that row, replaces the configuration in memory and notifies subscribers
 * exactly as a local change does. Commit listeners are NOT called for it:
 * they report changes made through this store (the audit log), and the other
 * writer records its own (the CLI audits its import as actor `host`). A
 * stored revision that does not validate is logged once and not applied.
 *
 * Concurrent writers: a write refuses with CONFLICT (HTTP 409) — never
 * silently overwrites — when the base it was computed from is stale: an
 * `update(section)` when the other writer changed that section, a `replace`
 * when it changed anything, and any write that lost the race for the write
 * lock between the check and its transaction. The newer revision is loaded
 * before the error is thrown, so the next attempt works. `importDocument`
 * replaces the whole document on purpose and goes ahead after the reload.
 */
import type Database from 'better-sqlite3';
import { migrationsDir, runMigrations } from '../db/migrations.js';
import type { Clock } from '../shared/clock.js';
import { systemClock } from '../shared/clock.js';
import { ErrorCodes, hasCode, WattgateError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { type ConfigDocument, makeDocument, parseDocument } from './document.js';
import { invalidConfig } from './messages.js';
import { cloneJson, deepEqual, type JsonDiffEntry, jsonDiff } from './object-utils.js';
import { wirelessTransitionErrors } from './rules.js';
import { CONFIG_SCHEMA_VERSION, CONFIG_SECTIONS, type Config, type ConfigSection } from './schema.js';
import { defaultConfig, validateConfig } from './validate.js';
import { upgradeConfig, versionProblem } from './versions.js';

export type ConfigChange = {
  /** Revision after the change (unchanged when nothing changed). */
  revision: number;
  changedSections: ConfigSection[];
  /** Leaf differences; values of secret-named fields are "[redacted]". */
  diff: JsonDiffEntry[];
};

export interface ChangeMeta {
  /** Who made the change (user name, `import`, `cli` …); stored with the row. */
  actor?: string;
  /** What `actor` names (for the audit log): an account, an API token, the host's CLI, the system. */
  actorKind?: 'account' | 'token' | 'host' | 'system';
  /** Client address of an API change. */
  source?: string;
}

/** Called after every stored change (audit log); never for a no-op. */
export type CommitListener = (change: ConfigChange, meta: ChangeMeta) => void;

/** The part of the shared (pino-shaped) logger the store uses (`info`: revisions applied from another writer). */
export type ConfigStoreLogger = Pick<Logger, 'error'> & Partial<Pick<Logger, 'info'>>;

export interface ConfigStoreOptions {
  clock?: Clock;
  log?: ConfigStoreLogger;
}

export const SETTINGS_STORE = 'settings';

type Listener = (next: never, prev: never) => void | Promise<void>;

interface Row {
  revision: number;
  schema_version: number;
  json: string;
}

const stderrLogger: ConfigStoreLogger = {
  error: (obj: object | string, msg?: string) => console.error('wattgate config:', msg ?? '', obj),
};

function storageError(message: string, cause?: unknown): WattgateError {
  return new WattgateError(ErrorCodes.STORAGE, message, cause === undefined ? undefined : { cause });
}

function conflict(stored: number, base: number, why: string): WattgateError {
  return new WattgateError(
    ErrorCodes.CONFLICT,
    `configuration was changed by another writer ${why} (stored revision ${stored}, this change was ` +
      `based on revision ${base}); nothing applied: make the change again on the current configuration`,
  );
}

const SELECT_ROW = 'SELECT revision, schema_version, json FROM settings_document WHERE id = 1';

/** Parses, upgrades and validates the stored row (or defaults when there is none). */
function loadStored(row: Row | undefined): { config: Config; revision: number } {
  if (!row) return { config: defaultConfig(), revision: 0 };
  const problem = versionProblem(row.schema_version, '/schema_version');
  if (problem) throw storageError(`stored configuration (revision ${row.revision}): ${problem.message}`);
  let parsed: unknown;
  try {
    parsed = upgradeConfig(JSON.parse(row.json), row.schema_version);
  } catch (e) {
    throw storageError(
      `stored configuration (revision ${row.revision}) cannot be read: ${(e as Error).message}`,
      e,
    );
  }
  const config = validateConfig(parsed, {
    what: `stored configuration (revision ${row.revision}) is invalid`,
  });
  return { config, revision: row.revision };
}

export class ConfigStore {
  readonly #db: Database.Database;
  readonly #clock: Clock;
  readonly #log: ConfigStoreLogger;
  readonly #listeners = new Map<ConfigSection, Set<Listener>>();
  readonly #commitListeners = new Set<CommitListener>();
  readonly #dataVersion: Database.Statement;
  #config: Config;
  #revision: number;
  /** `PRAGMA data_version` when the stored row was last looked at. */
  #seenVersion: number;
  /** A revision from another writer that did not validate (logged once, not applied). */
  #refused: number | undefined;

  private constructor(
    db: Database.Database,
    opts: ConfigStoreOptions,
    loaded: { config: Config; revision: number },
    seenVersion: number,
  ) {
    this.#db = db;
    this.#clock = opts.clock ?? systemClock;
    this.#log = opts.log ?? stderrLogger;
    this.#config = loaded.config;
    this.#revision = loaded.revision;
    this.#dataVersion = db.prepare('PRAGMA data_version').pluck();
    this.#seenVersion = seenVersion;
  }

  /** Runs the settings migrations, loads the stored configuration (or defaults). */
  static open(db: Database.Database, opts: ConfigStoreOptions = {}): ConfigStore {
    runMigrations(db, {
      store: SETTINGS_STORE,
      dir: migrationsDir(import.meta.url),
      ...(opts.clock ? { clock: opts.clock } : {}),
    });
    // data_version first: a commit by another connection after it is seen by the next refresh().
    const seen = Number(db.pragma('data_version', { simple: true }));
    const row = db.prepare(SELECT_ROW).get() as Row | undefined;
    return new ConfigStore(db, opts, loadStored(row), seen);
  }

  /**
   * The stored revision of a settings database without opening a store (no
   * migrations, nothing written): 0 when no configuration was ever stored.
   */
  static storedRevision(db: Database.Database): number {
    const table = db
      .prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'settings_document'")
      .get();
    if (table === undefined) return 0;
    const row = db.prepare('SELECT revision FROM settings_document WHERE id = 1').get() as
      | { revision: number }
      | undefined;
    return row?.revision ?? 0;
  }

  /**
   * Applies a revision stored by another connection (another process), if
   * there is one: reload, validate, replace in memory, notify subscribers.
   * Returns that change, or null when nothing new was stored. Cheap when
   * nothing changed (one `PRAGMA data_version`).
   */
  refresh(): ConfigChange | null {
    const version = Number(this.#dataVersion.get());
    if (version === this.#seenVersion) return null;
    const row = this.#db.prepare(SELECT_ROW).get() as Row | undefined;
    this.#seenVersion = version;
    if (row === undefined || row.revision === this.#revision || row.revision === this.#refused) return null;
    let loaded: { config: Config; revision: number };
    try {
      loaded = loadStored(row);
    } catch (err) {
      this.#refused = row.revision;
      this.#log.error(
        { err, revision: row.revision, kept: this.#revision },
        'configuration stored by another writer is not valid; not applied (changes here are refused until a valid revision is stored or Wattgate restarts)',
      );
      return null;
    }
    const prev = this.#config;
    const next = loaded.config;
    const changedSections = CONFIG_SECTIONS.filter((s) => !deepEqual(prev[s], next[s]));
    this.#config = next;
    this.#revision = loaded.revision;
    this.#refused = undefined;
    const change = { revision: loaded.revision, changedSections, diff: jsonDiff(prev, next) };
    this.#log.info?.(
      { revision: loaded.revision, sections: changedSections },
      'configuration stored by another writer applied',
    );
    this.#notify(changedSections, prev, next);
    return change;
  }

  /** Revision of the current configuration: 0 until the first change is stored. */
  get revision(): number {
    return this.#revision;
  }

  /** The whole validated configuration (deep-frozen). */
  get(): Config {
    return this.#config;
  }

  section<K extends keyof Config>(k: K): Config[K] {
    return this.#config[k];
  }

  /**
   * Validates and stores a whole configuration; throws INVALID_CONFIG and
   * changes nothing when invalid, CONFLICT when another writer stored a
   * revision this store had not applied yet (the caller's document is stale).
   */
  replace(next: unknown, meta: ChangeMeta = {}): ConfigChange {
    const base = this.#revision;
    const external = this.refresh();
    if (external && external.changedSections.length > 0) throw conflict(external.revision, base, 'meanwhile');
    return this.#commit(this.#checkTransition(validateConfig(next)), meta);
  }

  /**
   * Replaces one section (validated together with the rest of the
   * configuration, as it is stored now). CONFLICT when another writer
   * changed that same section meanwhile.
   */
  update<K extends keyof Config>(k: K, value: unknown, meta: ChangeMeta = {}): ConfigChange {
    const base = this.#revision;
    const external = this.refresh();
    if (external?.changedSections.includes(k as ConfigSection))
      throw conflict(external.revision, base, `in the same section (${String(k)})`);
    return this.#commit(this.preview(k, value), meta);
  }

  /** What `update(k, value)` would store, validated exactly alike, not stored (the forms' dry run). */
  preview<K extends keyof Config>(k: K, value: unknown): Config {
    const next: Record<string, unknown> = cloneJson(this.#config);
    next[k] = value;
    return this.#checkTransition(validateConfig(next));
  }

  /** Changes no single document shows as wrong (rules.ts: wireless stays permanently disabled). */
  #checkTransition(next: Config): Config {
    const details = wirelessTransitionErrors(this.#config, next);
    if (details.length > 0) throw invalidConfig('invalid configuration change', details);
    return next;
  }

  /** Calls `fn` after each stored change of section `k`; returns the unsubscribe function. */
  subscribe<K extends keyof Config>(
    k: K,
    fn: (next: Config[K], prev: Config[K]) => void | Promise<void>,
  ): () => void {
    let set = this.#listeners.get(k);
    if (!set) {
      set = new Set();
      this.#listeners.set(k, set);
    }
    const listener = fn as Listener;
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  }

  /** Calls `fn` after every stored change, with who made it; returns the unsubscribe function. */
  onCommit(fn: CommitListener): () => void {
    this.#commitListeners.add(fn);
    return () => {
      this.#commitListeners.delete(fn);
    };
  }

  exportDocument(): ConfigDocument {
    return makeDocument(cloneJson(this.#config), this.#clock.now());
  }

  /** Imports a document (older versions upgraded); paths in errors point into the document. */
  importDocument(doc: unknown, meta: ChangeMeta = {}): ConfigChange {
    const config = parseDocument(doc);
    const valid = validateConfig(config, { what: 'invalid configuration document', pathPrefix: '/config' });
    this.refresh(); // a whole new document: the stored one only decides what changed
    return this.#commit(this.#checkTransition(valid), meta);
  }

  #commit(next: Config, meta: ChangeMeta): ConfigChange {
    const prev = this.#config;
    const changedSections = CONFIG_SECTIONS.filter((s) => !deepEqual(prev[s], next[s]));
    if (changedSections.length === 0) return { revision: this.#revision, changedSections: [], diff: [] };
    const revision = this.#revision + 1;
    try {
      this.#write(next, revision, meta);
    } catch (e) {
      // Lost the race for the write lock: load the winner so the next attempt works.
      if (hasCode(e, ErrorCodes.CONFLICT)) this.#refreshAfterConflict();
      throw e;
    }
    this.#config = next;
    this.#revision = revision;
    const change = { revision, changedSections, diff: jsonDiff(prev, next) };
    for (const fn of [...this.#commitListeners]) {
      try {
        fn(change, meta);
      } catch (err) {
        this.#log.error({ err, revision }, 'configuration commit listener failed');
      }
    }
    this.#notify(changedSections, prev, next);
    return change;
  }

  #refreshAfterConflict(): void {
    try {
      this.refresh();
    } catch (err) {
      this.#log.error({ err }, 'configuration reload after a conflict failed');
    }
  }

  /** One immediate transaction; refuses (CONFLICT) if another writer moved the revision meanwhile. */
  #write(next: Config, revision: number, meta: ChangeMeta): void {
    const expected = this.#revision;
    const tx = this.#db.transaction(() => {
      const cur = this.#db.prepare('SELECT revision FROM settings_document WHERE id = 1').get() as
        | { revision: number }
        | undefined;
      if ((cur?.revision ?? 0) !== expected) {
        throw conflict(cur?.revision ?? 0, expected, 'while this change waited for the write lock');
      }
      this.#db
        .prepare(
          `INSERT INTO settings_document (id, revision, schema_version, json, updated_at, actor)
           VALUES (1, @revision, @version, @json, @at, @actor)
           ON CONFLICT (id) DO UPDATE SET revision = excluded.revision, schema_version = excluded.schema_version,
             json = excluded.json, updated_at = excluded.updated_at, actor = excluded.actor`,
        )
        .run({
          revision,
          version: CONFIG_SCHEMA_VERSION,
          json: JSON.stringify(next),
          at: new Date(this.#clock.now()).toISOString(),
          actor: meta.actor ?? null,
        });
    });
    try {
      tx.immediate();
    } catch (e) {
      if (e instanceof WattgateError) throw e;
      throw storageError(`cannot store configuration revision ${revision}: ${(e as Error).message}`, e);
    }
  }

  #notify(sections: readonly ConfigSection[], prev: Config, next: Config): void {
    for (const s of sections) {
      for (const fn of [...(this.#listeners.get(s) ?? [])]) this.#call(fn, s, next[s], prev[s]);
    }
  }

  #call(fn: Listener, section: ConfigSection, next: unknown, prev: unknown): void {
    const report = (err: unknown) => {
      try {
        this.#log.error({ err, section, revision: this.#revision }, 'configuration subscriber failed');
      } catch {
        // a broken logger must not break the write either
      }
    };
    try {
      const r = (fn as (n: unknown, p: unknown) => unknown)(next, prev);
      if (r instanceof Promise) r.catch(report);
    } catch (e) {
      report(e);
    }
  }
}
