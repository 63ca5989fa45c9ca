/**
 * Migration runner: numbered files per store, applied in one transaction,
 * recorded with checksums; a fresh database and one migrated step by step end
 * identical; failures roll back; gaps, duplicates, changed files and newer
 * databases are refused with WG_ERR_MIGRATION.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type Database from 'better-sqlite3';
import { openDatabase } from '../../src/db/database.js';
import {
  appliedMigrations,
  loadMigrations,
  migrationsDir,
  runMigrations,
  sha256Hex,
} from '../../src/db/migrations.js';
import { ManualClock } from '../../src/shared/clock.js';
import { ErrorCodes, hasCode } from '../../src/shared/errors.js';

const root = mkdtempSync(join(tmpdir(), 'wattgate-mig-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = () => {
  const d = join(root, `t${++n}`);
  mkdirSync(d, { recursive: true });
  return d;
};
const isMigration = (e: unknown) => hasCode(e, ErrorCodes.MIGRATION);

const FILES: Array<[string, string]> = [
  ['0001_create.sql', 'CREATE TABLE meter (id INTEGER PRIMARY KEY, name TEXT NOT NULL) STRICT;'],
  [
    '0002_line.sql',
    `CREATE TABLE line (id INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE) STRICT;
ALTER TABLE meter ADD COLUMN line_id INTEGER REFERENCES line(id);
CREATE INDEX meter_line ON meter(line_id);`,
  ],
  [
    '0003_seed.sql',
    "INSERT INTO line (path) VALUES ('/dev/ttyS0');\nCREATE VIEW meters AS SELECT * FROM meter;",
  ],
];

function writeFiles(dir: string, files: ReadonlyArray<[string, string]>): void {
  for (const [name, sql] of files) writeFileSync(join(dir, name), sql);
}

function openAt(dir: string, name = 'db.sqlite'): Database.Database {
  return openDatabase({ path: join(dir, name), profile: 'durable' });
}

/** Schema, recorded migrations (without applied_at) and data: what must be identical. */
function dump(db: Database.Database): unknown {
  return {
    schema: db.prepare('SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY type, name').all(),
    migrations: db
      .prepare('SELECT store, version, name, sha256 FROM schema_migrations ORDER BY store, version')
      .all(),
    lines: db.prepare("SELECT * FROM sqlite_schema WHERE name = 'line'").all().length
      ? db.prepare('SELECT * FROM line ORDER BY id').all()
      : [],
    userVersion: db.pragma('user_version', { simple: true }),
  };
}

function schemaOnly(db: Database.Database): unknown {
  return db.prepare('SELECT type, name, sql FROM sqlite_schema ORDER BY type, name').all();
}

describe('runMigrations', () => {
  test('fresh database and one migrated step by step (reopened between steps) end identical', () => {
    const all = freshDir();
    writeFiles(all, FILES);
    const fresh = openAt(all);
    const r = runMigrations(fresh, { store: 'demo', dir: all });
    assert.deepEqual(
      r.applied.map((m) => m.version),
      [1, 2, 3],
    );
    assert.equal(r.version, 3);

    const step = freshDir();
    const migDir = join(step, 'migrations');
    mkdirSync(migDir);
    for (const [i, file] of FILES.entries()) {
      writeFiles(migDir, [file]);
      const db = openAt(step);
      const res = runMigrations(db, { store: 'demo', dir: migDir });
      assert.deepEqual(res.applied, [{ version: i + 1, name: file[0].slice(5, -4) }]);
      db.close();
    }
    const stepped = openAt(step);
    assert.deepEqual(dump(stepped), dump(fresh));
    assert.deepEqual(
      runMigrations(stepped, { store: 'demo', dir: migDir }).applied,
      [],
      'second run applies nothing',
    );
    stepped.close();
    fresh.close();
  });

  test('records version, name, sha256 of the file and applied_at (UTC, from the clock)', () => {
    const dir = freshDir();
    writeFiles(dir, FILES.slice(0, 1));
    const db = openAt(dir);
    runMigrations(db, { store: 'demo', dir, clock: new ManualClock(Date.UTC(2026, 4, 1, 12)) });
    assert.deepEqual(appliedMigrations(db, 'demo'), [
      {
        version: 1,
        name: 'create',
        sha256: sha256Hex(FILES[0]?.[1] ?? ''),
        appliedAt: '2026-05-01T12:00:00.000Z',
      },
    ]);
    db.close();
  });

  test('a failing migration rolls everything back: fresh db and db at version 1 stay untouched', () => {
    const dir = freshDir();
    const bad: [string, string] = [
      '0003_bad.sql',
      'CREATE TABLE ok_before_error (x INTEGER);\nTHIS IS NOT SQL;',
    ];
    writeFiles(dir, [...FILES.slice(0, 2), bad]);
    const db = openAt(dir);
    const before = schemaOnly(db);
    assert.throws(
      () => runMigrations(db, { store: 'demo', dir }),
      (e) => isMigration(e) && /0003_bad\.sql failed/.test((e as Error).message),
    );
    assert.deepEqual(schemaOnly(db), before, 'fresh database unchanged (not even schema_migrations)');

    const dir1 = freshDir();
    writeFiles(dir1, FILES.slice(0, 1));
    const db1 = openAt(dir1);
    runMigrations(db1, { store: 'demo', dir: dir1 });
    const atOne = dump(db1);
    writeFiles(dir1, [FILES[1] as [string, string], bad]);
    assert.throws(() => runMigrations(db1, { store: 'demo', dir: dir1 }), isMigration);
    assert.deepEqual(dump(db1), atOne, 'version 2 (valid) was not applied without version 3');
    db.close();
    db1.close();
  });

  test('refuses a gap, a duplicate version and a malformed file name', () => {
    const gap = freshDir();
    writeFiles(gap, [FILES[0] as [string, string], FILES[2] as [string, string]]);
    assert.throws(
      () => loadMigrations(gap),
      (e) => isMigration(e) && /version 2 is missing/.test((e as Error).message),
    );
    const dup = freshDir();
    writeFiles(dup, [...FILES.slice(0, 2), ['0002_other.sql', 'SELECT 1;']]);
    assert.throws(
      () => loadMigrations(dup),
      (e) => isMigration(e) && /duplicate migration version 2/.test((e as Error).message),
    );
    const bad = freshDir();
    writeFiles(bad, [['1_create.sql', 'SELECT 1;']]);
    assert.throws(
      () => loadMigrations(bad),
      (e) => isMigration(e) && /NNNN_name\.sql/.test((e as Error).message),
    );
    const db = openAt(gap);
    assert.throws(() => runMigrations(db, { store: 'demo', dir: gap }), isMigration);
    assert.deepEqual(schemaOnly(db), [], 'nothing applied');
    db.close();
  });

  test('refuses a file changed or renamed after it was applied', () => {
    const dir = freshDir();
    writeFiles(dir, FILES.slice(0, 2));
    const db = openAt(dir);
    runMigrations(db, { store: 'demo', dir });
    writeFiles(dir, [['0001_create.sql', `${FILES[0]?.[1]}\n-- edited`]]);
    assert.throws(
      () => runMigrations(db, { store: 'demo', dir }),
      (e) =>
        isMigration(e) &&
        /migration 1 \(create\) was changed after it was applied/.test((e as Error).message),
    );
    const renamed = freshDir();
    writeFiles(renamed, [['0001_renamed.sql', FILES[0]?.[1] ?? ''], FILES[1] as [string, string]]);
    assert.throws(() => runMigrations(db, { store: 'demo', dir: renamed }), isMigration);
    db.close();
  });

  test('refuses a database newer than the code', () => {
    const dir = freshDir();
    writeFiles(dir, FILES);
    const db = openAt(dir);
    runMigrations(db, { store: 'demo', dir });
    const older = freshDir();
    writeFiles(older, FILES.slice(0, 2));
    assert.throws(
      () => runMigrations(db, { store: 'demo', dir: older }),
      (e) => isMigration(e) && /newer than this release/.test((e as Error).message),
    );
    db.close();
  });

  test('stores sharing one database file keep separate versions', () => {
    const a = freshDir();
    writeFiles(a, FILES.slice(0, 1));
    const b = join(a, 'b');
    mkdirSync(b);
    writeFiles(b, [['0001_audit.sql', 'CREATE TABLE audit (seq INTEGER PRIMARY KEY) STRICT;']]);
    const db = openAt(a);
    runMigrations(db, { store: 'demo', dir: a });
    runMigrations(db, { store: 'audit', dir: b });
    assert.deepEqual(
      appliedMigrations(db, 'demo').map((m) => m.name),
      ['create'],
    );
    assert.deepEqual(
      appliedMigrations(db, 'audit').map((m) => m.name),
      ['audit'],
    );
    db.close();
  });

  test('the built-in settings store migrations (beside config/store.ts) load and apply', () => {
    const dir = migrationsDir(new URL('../../src/config/store.ts', import.meta.url).href);
    const migrations = loadMigrations(dir);
    assert.ok(migrations.length >= 1);
    const db = openAt(freshDir());
    const r = runMigrations(db, { store: 'settings', dir });
    assert.equal(r.version, migrations.length);
    assert.ok(db.prepare("SELECT 1 FROM sqlite_schema WHERE name = 'settings_document'").get());
    assert.throws(
      () => migrationsDir(new URL('../../src/shared/errors.ts', import.meta.url).href),
      isMigration,
    );
    assert.throws(() => runMigrations(db, { store: '../etc', dir }), isMigration);
    db.close();
  });
});
