/**
 * SQL migration runner (ARCHITECTURE convention 9). A *store* (settings,
 * accounts, audit, history …) is a folder of numbered files `NNNN_name.sql`
 * beside the module that owns the store (`src/config/migrations/`,
 * `src/history/migrations/` …, found with `migrationsDir(import.meta.url)`),
 * versions 1, 2, 3 … without gaps.
 * Several stores may share one database file: the `schema_migrations` table is
 * keyed by (store, version) and records the file name, the sha256 of its exact
 * bytes and when it was applied (UTC ISO-8601).
 *
 * `runMigrations` applies every pending file of a store in ONE immediate
 * transaction: all or nothing. It refuses, with WattgateError(MIGRATION):
 * malformed names, duplicate or missing versions, a file changed (checksum) or
 * renamed after it was applied, and a database that has versions this code
 * does not know (written by a newer release). Migration files must not contain
 * BEGIN/COMMIT: the runner owns the transaction.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type Database from 'better-sqlite3';
import type { Clock } from '../shared/clock.js';
import { systemClock } from '../shared/clock.js';
import { ErrorCodes, WattgateError } from '../shared/errors.js';

export interface Migration {
  version: number;
  name: string;
  /** File name, e.g. `0001_settings.sql`. */
  file: string;
  sql: string;
  sha256: string;
}

export interface AppliedMigration {
  version: number;
  name: string;
  sha256: string;
  appliedAt: string;
}

export interface RunMigrationsOptions {
  /** Store name: the key in `schema_migrations` (e.g. `settings`). */
  store: string;
  /** Folder holding the store's `NNNN_name.sql` files (`migrationsDir(import.meta.url)` of its owner). */
  dir: string;
  /** Already loaded migrations (tests); takes precedence over `dir`. */
  migrations?: readonly Migration[];
  clock?: Clock;
}

export interface MigrationResult {
  store: string;
  /** Schema version of the store after the run. */
  version: number;
  /** Migrations applied by this run (empty when up to date). */
  applied: Array<{ version: number; name: string }>;
}

const FILE_RE = /^(\d{4})_([a-z0-9][a-z0-9_]*)\.sql$/;
const STORE_RE = /^[a-z][a-z0-9_]*$/;

function migrationError(message: string, cause?: unknown): WattgateError {
  return new WattgateError(ErrorCodes.MIGRATION, message, cause === undefined ? undefined : { cause });
}

export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * The `migrations/` folder beside the module at `moduleUrl` (the store's
 * owner): the source tree when running with tsx; `npm run build` copies every
 * `migrations` folder under src/ next to the compiled code (scripts/copy-assets.mjs).
 */
export function migrationsDir(moduleUrl: string): string {
  const dir = fileURLToPath(new URL('./migrations/', moduleUrl));
  if (!existsSync(dir)) throw migrationError(`no migrations folder beside ${fileURLToPath(moduleUrl)}`);
  return dir;
}

/** Reads and checks a store folder: names, duplicates, gaps (must be 1..N). */
export function loadMigrations(dir: string): Migration[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.sql'));
  } catch (e) {
    throw migrationError(`cannot read migrations folder ${dir}: ${(e as Error).message}`, e);
  }
  const list: Migration[] = [];
  for (const file of names) {
    const m = FILE_RE.exec(file);
    if (!m?.[1] || !m[2]) throw migrationError(`${dir}: file name ${file} does not match NNNN_name.sql`);
    const bytes = readFileSync(join(dir, file));
    list.push({
      version: Number(m[1]),
      name: m[2],
      file,
      sql: bytes.toString('utf8'),
      sha256: sha256Hex(bytes),
    });
  }
  return checkSequence(list, dir);
}

function checkSequence(input: readonly Migration[], where: string): Migration[] {
  const list = [...input].sort((a, b) => a.version - b.version || a.file.localeCompare(b.file));
  for (let i = 0; i < list.length; i++) {
    const cur = list[i] as Migration;
    const prev = list[i - 1];
    if (prev && prev.version === cur.version) {
      throw migrationError(
        `${where}: duplicate migration version ${cur.version} (${prev.file} and ${cur.file})`,
      );
    }
    if (cur.version !== i + 1) {
      throw migrationError(`${where}: migration version ${i + 1} is missing (next file is ${cur.file})`);
    }
  }
  return list;
}

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  store TEXT NOT NULL,
  version INTEGER NOT NULL,
  name TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  applied_at TEXT NOT NULL,
  PRIMARY KEY (store, version)
) STRICT`;

function hasTable(db: Database.Database): boolean {
  return (
    db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'").get() !==
    undefined
  );
}

/** Migrations recorded for a store, in version order (empty when none or no table yet). */
export function appliedMigrations(db: Database.Database, store: string): AppliedMigration[] {
  if (!hasTable(db)) return [];
  return db
    .prepare(
      'SELECT version, name, sha256, applied_at AS appliedAt FROM schema_migrations WHERE store = ? ORDER BY version',
    )
    .all(store) as AppliedMigration[];
}

/** Compares what the database recorded with the code's files; returns the pending ones. */
function pendingMigrations(
  store: string,
  code: readonly Migration[],
  done: readonly AppliedMigration[],
): Migration[] {
  const latest = code.length;
  for (const [i, row] of done.entries()) {
    if (row.version > latest) {
      throw migrationError(
        `store "${store}": database is at version ${done.at(-1)?.version}, newer than this release knows (${latest}); ` +
          'refusing to open it with older code',
      );
    }
    if (row.version !== i + 1) {
      throw migrationError(`store "${store}": recorded migrations have a gap before version ${row.version}`);
    }
    const file = code[row.version - 1] as Migration;
    if (file.name !== row.name || file.sha256 !== row.sha256) {
      throw migrationError(
        `store "${store}": migration ${row.version} (${row.name}) was changed after it was applied ` +
          `(recorded sha256 ${row.sha256.slice(0, 12)}…, file ${file.file} has ${file.sha256.slice(0, 12)}…)`,
      );
    }
  }
  return code.slice(done.length);
}

/** Applies every pending migration of one store in a single transaction. */
export function runMigrations(db: Database.Database, opts: RunMigrationsOptions): MigrationResult {
  if (!STORE_RE.test(opts.store)) throw migrationError(`invalid store name ${JSON.stringify(opts.store)}`);
  const code = opts.migrations
    ? checkSequence(opts.migrations, `store "${opts.store}"`)
    : loadMigrations(opts.dir);
  const clock = opts.clock ?? systemClock;
  const apply = db.transaction((): Migration[] => {
    db.exec(CREATE_TABLE);
    const pending = pendingMigrations(opts.store, code, appliedMigrations(db, opts.store));
    const record = db.prepare(
      'INSERT INTO schema_migrations (store, version, name, sha256, applied_at) VALUES (?, ?, ?, ?, ?)',
    );
    for (const m of pending) {
      try {
        db.exec(m.sql);
      } catch (e) {
        throw migrationError(`store "${opts.store}": migration ${m.file} failed: ${(e as Error).message}`, e);
      }
      record.run(opts.store, m.version, m.name, m.sha256, new Date(clock.now()).toISOString());
    }
    return pending;
  });
  let applied: Migration[];
  try {
    applied = apply.immediate();
  } catch (e) {
    if (e instanceof WattgateError) throw e;
    throw migrationError(`store "${opts.store}": migrations could not run: ${(e as Error).message}`, e);
  }
  return {
    store: opts.store,
    version: code.length,
    applied: applied.map((m) => ({ version: m.version, name: m.name })),
  };
}
