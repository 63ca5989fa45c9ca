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
 * schema section order, after the write is durable. A subscriber that throws
 * or rejects never affects the stored configuration nor the other
 * subscribers: the error goes to `opts.log.error` (pino-compatible) or, with
 * no logger, to stderr.
 *
 * The stored JSON holds the full configuration with defaults filled in at the
 * time of writing: a later release changing a default does not silently
 * change an existing installation.
 */
import type Database from 'better-sqlite3';
import { migrationsDir, runMigrations } from '../db/migrations.js';
import type { Clock } from '../shared/clock.js';
import { systemClock } from '../shared/clock.js';
import { ErrorCodes, WattgateError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { type ConfigDocument, makeDocument, parseDocument } from './document.js';
import { cloneJson, deepEqual, type JsonDiffEntry, jsonDiff } from './object-utils.js';
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

/** The part of the shared (pino-shaped) logger the store uses. */
export type ConfigStoreLogger = Pick<Logger, 'error'>;

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
  #config: Config;
  #revision: number;

  private constructor(
    db: Database.Database,
    opts: ConfigStoreOptions,
    loaded: { config: Config; revision: number },
  ) {
    this.#db = db;
    this.#clock = opts.clock ?? systemClock;
    this.#log = opts.log ?? stderrLogger;
    this.#config = loaded.config;
    this.#revision = loaded.revision;
  }

  /** Runs the settings migrations, loads the stored configuration (or defaults). */
  static open(db: Database.Database, opts: ConfigStoreOptions = {}): ConfigStore {
    runMigrations(db, {
      store: SETTINGS_STORE,
      dir: migrationsDir(import.meta.url),
      ...(opts.clock ? { clock: opts.clock } : {}),
    });
    const row = db
      .prepare('SELECT revision, schema_version, json FROM settings_document WHERE id = 1')
      .get() as Row | undefined;
    return new ConfigStore(db, opts, loadStored(row));
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

  /** Validates and stores a whole configuration; throws INVALID_CONFIG and changes nothing when invalid. */
  replace(next: unknown, meta: ChangeMeta = {}): ConfigChange {
    return this.#commit(validateConfig(next), meta);
  }

  /** Replaces one section (validated together with the rest of the configuration). */
  update<K extends keyof Config>(k: K, value: unknown, meta: ChangeMeta = {}): ConfigChange {
    const next: Record<string, unknown> = cloneJson(this.#config);
    next[k] = value;
    return this.replace(next, meta);
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
    return this.#commit(valid, meta);
  }

  #commit(next: Config, meta: ChangeMeta): ConfigChange {
    const prev = this.#config;
    const changedSections = CONFIG_SECTIONS.filter((s) => !deepEqual(prev[s], next[s]));
    if (changedSections.length === 0) return { revision: this.#revision, changedSections: [], diff: [] };
    const revision = this.#revision + 1;
    this.#write(next, revision, meta);
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

  /** One immediate transaction; refuses if another writer moved the revision meanwhile. */
  #write(next: Config, revision: number, meta: ChangeMeta): void {
    const expected = this.#revision;
    const tx = this.#db.transaction(() => {
      const cur = this.#db.prepare('SELECT revision FROM settings_document WHERE id = 1').get() as
        | { revision: number }
        | undefined;
      if ((cur?.revision ?? 0) !== expected) {
        throw storageError(
          `configuration was changed by another writer (revision ${cur?.revision}, expected ${expected})`,
        );
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
