/**
 * openDatabase: durability profiles, file modes, and clear STORAGE errors for
 * missing/unwritable directories and files that are not databases; plus the
 * atomic file writer. Real SQLite files in a temp directory.
 */
import assert from 'node:assert/strict';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { writeFileAtomic } from '../../src/db/atomic-file.js';
import { openDatabase } from '../../src/db/database.js';
import { ErrorCodes, hasCode } from '../../src/shared/errors.js';

const root = mkdtempSync(join(tmpdir(), 'wattgate-db-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = () => {
  const d = join(root, `t${++n}`);
  mkdirSync(d);
  return d;
};
const isStorage = (e: unknown) => hasCode(e, ErrorCodes.STORAGE);

describe('openDatabase', () => {
  test('durable profile: WAL, synchronous=FULL, foreign keys, busy timeout, new file mode 0600', () => {
    const path = join(fresh(), 'settings.db');
    const db = openDatabase({ path, profile: 'durable' });
    try {
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
      assert.equal(db.pragma('synchronous', { simple: true }), 2);
      assert.equal(db.pragma('foreign_keys', { simple: true }), 1);
      assert.equal(db.pragma('busy_timeout', { simple: true }), 5000);
      db.exec('CREATE TABLE t (x INTEGER)');
      db.prepare('INSERT INTO t VALUES (1)').run();
      assert.equal(statSync(path).mode & 0o777, 0o600);
      assert.equal(statSync(`${path}-wal`).mode & 0o777, 0o600);
    } finally {
      db.close();
    }
  });

  test('history profile: WAL, synchronous=NORMAL; custom busy timeout', () => {
    const db = openDatabase({ path: join(fresh(), 'history.db'), profile: 'history', busyTimeoutMs: 250 });
    try {
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
      assert.equal(db.pragma('synchronous', { simple: true }), 1);
      assert.equal(db.pragma('busy_timeout', { simple: true }), 250);
    } finally {
      db.close();
    }
  });

  test('an existing database is reopened with its data; :memory: works for tests', () => {
    const path = join(fresh(), 'a.db');
    const db = openDatabase({ path, profile: 'durable' });
    db.exec("CREATE TABLE t (x TEXT); INSERT INTO t VALUES ('kept')");
    db.close();
    const again = openDatabase({ path, profile: 'durable' });
    assert.equal(again.prepare('SELECT x FROM t').pluck().get(), 'kept');
    again.close();
    const mem = openDatabase({ path: ':memory:', profile: 'durable' });
    assert.equal(mem.pragma('foreign_keys', { simple: true }), 1);
    mem.close();
  });

  test('missing directory → STORAGE naming the directory, nothing created', () => {
    const dir = join(root, 'does-not-exist');
    assert.throws(
      () => openDatabase({ path: join(dir, 'x.db'), profile: 'durable' }),
      (e) => isStorage(e) && /does-not-exist.*does not exist/.test((e as Error).message),
    );
    assert.equal(existsSync(dir), false);
  });

  test('a file where the directory should be → STORAGE', () => {
    const file = join(fresh(), 'plain');
    writeFileSync(file, 'x');
    assert.throws(() => openDatabase({ path: join(file, 'x.db'), profile: 'durable' }), isStorage);
  });

  test('unwritable directory → STORAGE (skipped as root, who can write anywhere)', (t) => {
    if (process.getuid?.() === 0) {
      t.skip('running as root: permission bits do not apply');
      return;
    }
    const dir = fresh();
    chmodSync(dir, 0o500);
    try {
      assert.throws(
        () => openDatabase({ path: join(dir, 'x.db'), profile: 'durable' }),
        (e) => isStorage(e) && /not writable/.test((e as Error).message),
      );
    } finally {
      chmodSync(dir, 0o700);
    }
  });

  test('a file that is not a database → STORAGE, file left as it was', () => {
    const path = join(fresh(), 'garbage.db');
    const junk = 'this is not a SQLite database, just some text. '.repeat(100);
    writeFileSync(path, junk);
    assert.throws(
      () => openDatabase({ path, profile: 'durable' }),
      (e) => isStorage(e) && /not a SQLite database/.test((e as Error).message),
    );
    assert.equal(readFileSync(path, 'utf8'), junk);
  });

  test('a directory at the database path → STORAGE', () => {
    const path = join(fresh(), 'dir.db');
    mkdirSync(path);
    assert.throws(() => openDatabase({ path, profile: 'history' }), isStorage);
  });
});

describe('writeFileAtomic', () => {
  test('creates and replaces a file, with the requested mode, leaving no temp files', () => {
    const dir = fresh();
    const path = join(dir, 'bootstrap.json');
    writeFileAtomic(path, 'one', { mode: 0o644 });
    writeFileAtomic(path, 'two', { mode: 0o644 });
    assert.equal(readFileSync(path, 'utf8'), 'two');
    assert.equal(statSync(path).mode & 0o777, 0o644);
    assert.deepEqual(readdirSync(dir), ['bootstrap.json']);
  });

  test('a missing directory → STORAGE, nothing left behind', () => {
    assert.throws(() => writeFileAtomic(join(root, 'nope', 'f.json'), 'x'), isStorage);
    assert.equal(existsSync(join(root, 'nope')), false);
  });
});
