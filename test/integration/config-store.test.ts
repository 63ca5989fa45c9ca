/**
 * ConfigStore on a real SQLite file: defaults on a fresh database, atomic
 * validated writes with a revision, nothing applied when invalid, live
 * subscribers per section, export → import round trip, document versions;
 * writes by another connection (another process): applied by refresh(),
 * stale writes refused with CONFLICT.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type Database from 'better-sqlite3';
import { jsonDiff, REDACTED } from '../../src/config/object-utils.js';
import { ConfigStore } from '../../src/config/store.js';
import { upgradeConfig } from '../../src/config/versions.js';
import { openDatabase } from '../../src/db/database.js';
import { ManualClock } from '../../src/shared/clock.js';
import { ErrorCodes, hasCode } from '../../src/shared/errors.js';

const root = mkdtempSync(join(tmpdir(), 'wattgate-store-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const dbPath = () => join(root, `s${++n}.db`);
const open = (path: string) => openDatabase({ path, profile: 'durable' });
const isInvalid = (e: unknown) => hasCode(e, ErrorCodes.INVALID_CONFIG);

function storedRow(db: Database.Database): unknown {
  return db.prepare('SELECT * FROM settings_document').all();
}

function collectingLog() {
  const errors: Array<{ obj: object; msg: string | undefined }> = [];
  return {
    errors,
    log: { error: (obj: object | string, msg?: string) => errors.push({ obj: Object(obj), msg }) },
  };
}

describe('ConfigStore', () => {
  test('a fresh database gives revision 0 and every default; the first change is revision 1 and persists', () => {
    const path = dbPath();
    const db = open(path);
    const clock = new ManualClock(Date.UTC(2026, 1, 2, 3, 4, 5));
    const store = ConfigStore.open(db, { clock });
    assert.equal(store.revision, 0);
    assert.equal(store.section('modbus').server.port, 502);
    const change = store.update('system', { name: 'Board 7', location: 'Basement' }, { actor: 'alice' });
    assert.deepEqual(change, {
      revision: 1,
      changedSections: ['system'],
      diff: [
        { path: '/system/name', before: 'Wattgate', after: 'Board 7' },
        { path: '/system/location', before: '', after: 'Basement' },
      ],
    });
    db.close();
    const db2 = open(path);
    const again = ConfigStore.open(db2);
    assert.equal(again.revision, 1);
    assert.deepEqual(again.get(), store.get());
    const row = db2
      .prepare('SELECT revision, schema_version, updated_at, actor FROM settings_document')
      .get();
    assert.deepEqual(row, {
      revision: 1,
      schema_version: 2,
      updated_at: '2026-02-02T03:04:05.000Z',
      actor: 'alice',
    });
    db2.close();
  });

  test('an invalid replace/update/import changes nothing: revision, memory, stored row, subscribers', () => {
    const db = open(dbPath());
    const store = ConfigStore.open(db);
    store.update('system', { name: 'Before' });
    const before = { revision: store.revision, config: store.get(), row: storedRow(db) };
    let calls = 0;
    store.subscribe('modbus', () => {
      calls++;
    });
    const attempts = [
      () => store.replace({ modbus: { server: { port: 0 } } }),
      () => store.update('modbus', { server: { port: 502, maxConnections: 1e9 } }),
      () => store.update('system', { name: 'x', extra: 1 }),
      () => store.update('nonsense' as 'system', {}),
      () =>
        store.importDocument({
          format: 'wattgate-config',
          version: 1,
          config: { modbus: { tcpDevices: 'no' } },
        }),
    ];
    for (const attempt of attempts) {
      assert.throws(attempt, isInvalid);
      assert.equal(store.revision, before.revision);
      assert.equal(store.get(), before.config);
      assert.deepEqual(storedRow(db), before.row);
    }
    assert.equal(calls, 0);
    db.close();
  });

  test('a write that changes nothing keeps the revision and writes nothing', () => {
    const db = open(dbPath());
    const store = ConfigStore.open(db);
    store.update('system', { name: 'Same' });
    const row = storedRow(db);
    const change = store.update('system', { name: 'Same' });
    assert.deepEqual(change, { revision: 1, changedSections: [], diff: [] });
    assert.deepEqual(storedRow(db), row);
    db.close();
  });

  test('subscribers get their section only when it changed, with next and prev', () => {
    const db = open(dbPath());
    const store = ConfigStore.open(db);
    const seen: string[] = [];
    store.subscribe('system', (next, prev) => {
      seen.push(`system ${prev.name} -> ${next.name}`);
    });
    const off = store.subscribe('modbus', (next, prev) => {
      seen.push(`modbus ${prev.server.port} -> ${next.server.port}`);
    });
    store.update('system', { name: 'A' });
    store.update('modbus', { server: { port: 1502 } });
    store.update('system', { name: 'A' }); // no change: no call
    off();
    store.update('modbus', { server: { port: 2502 } });
    assert.deepEqual(seen, ['system Wattgate -> A', 'modbus 502 -> 1502']);
    db.close();
  });

  test('a throwing or rejecting subscriber breaks neither the others nor the stored configuration', async () => {
    const db = open(dbPath());
    const { errors, log } = collectingLog();
    const store = ConfigStore.open(db, { log });
    const got: string[] = [];
    store.subscribe('system', () => {
      throw new Error('boom');
    });
    store.subscribe('system', () => Promise.reject(new Error('async boom')));
    store.subscribe('system', (next) => {
      got.push(next.name);
    });
    const change = store.update('system', { name: 'Still stored' });
    assert.equal(change.revision, 1);
    assert.deepEqual(got, ['Still stored']);
    await new Promise((r) => setImmediate(r));
    assert.equal(errors.length, 2);
    assert.ok(errors.every((e) => e.msg === 'configuration subscriber failed'));
    assert.equal(ConfigStore.open(db).get().system.name, 'Still stored');
    db.close();
  });

  test('export → import into a fresh store is identical; importing it again changes nothing', () => {
    const db = open(dbPath());
    const store = ConfigStore.open(db, { clock: new ManualClock(Date.UTC(2026, 5, 1)) });
    store.replace({
      system: { name: 'Export me', timezone: 'Europe/Paris' },
      networks: {
        ETH1: { addresses: ['10.1.1.1'] },
        ETH2: { addresses: ['192.168.9.1'], description: 'OT' },
      },
      modbus: {
        server: {
          enabled: { ETH1: true, ETH2: false },
          allowList: { ETH1: ['10.0.0.0/8'] },
          readOnlyUnits: [3],
        },
        serialLines: [
          { name: 'RS485', path: '/dev/ttyUSB0', baud: 9600, parity: 'none', stopBits: 2, unitIds: [1, 2] },
        ],
      },
    });
    store.update('devices', {
      nextId: 2,
      list: [
        {
          id: 1,
          name: 'pm',
          location: { kind: 'tcp', host: 'meter.local', oneInFlight: true },
          virtualId: 20,
        },
      ],
    });
    const doc = store.exportDocument();
    assert.equal(doc.format, 'wattgate-config');
    assert.equal(doc.version, 2);
    assert.equal(doc.exportedAt, '2026-06-01T00:00:00.000Z');
    const text = JSON.stringify(doc);
    const db2 = open(dbPath());
    const other = ConfigStore.open(db2, { clock: new ManualClock(Date.UTC(2026, 5, 1)) });
    const change = other.importDocument(JSON.parse(text), { actor: 'import' });
    assert.equal(change.revision, 1, 'one import: one revision');
    assert.deepEqual(other.get(), store.get());
    assert.equal(JSON.stringify(other.exportDocument()), text);
    assert.deepEqual(store.importDocument(JSON.parse(text)).changedSections, []);
    db.close();
    db2.close();
  });

  test('import refuses unknown formats, newer versions and invalid configs, with document paths', () => {
    const db = open(dbPath());
    const store = ConfigStore.open(db);
    const refused = (doc: unknown, path: string, msg: RegExp) =>
      assert.throws(
        () => store.importDocument(doc),
        (e) => isInvalid(e) && e.details.some((d) => d.path === path && msg.test(d.message)),
      );
    refused({ format: 'other', version: 1, config: {} }, '/format', /must be "wattgate-config"/);
    refused(
      { format: 'wattgate-config', version: 3, config: {} },
      '/version',
      /newer than this release supports \(2\)/,
    );
    refused({ format: 'wattgate-config', version: 0, config: {} }, '/version', /older than the oldest/);
    refused({ format: 'wattgate-config', version: 1 }, '/config', /is required/);
    refused({ format: 'wattgate-config', version: 1, config: {}, extra: 1 }, '/extra', /unknown property/);
    refused('not a document', '/', /must be object/);
    refused(
      { format: 'wattgate-config', version: 1, config: { modbus: { server: { port: 99999 } } } },
      '/config/modbus/server/port',
      /must be <= 65535/,
    );
    assert.equal(store.revision, 0);
    assert.deepEqual(storedRow(db), []);
    db.close();
  });

  test('older versions go through the explicit upgrade table, one step per version', () => {
    // A hypothetical v0 → v1 step in front of the real v1 → v2 step (config-upgrade.test.ts) shows the chain.
    const upgrades = { 0: (c: unknown) => ({ ...(c as object), upgraded: true }), 1: (c: unknown) => c };
    assert.throws(
      () => upgradeConfig({}, 0),
      (e) => hasCode(e, ErrorCodes.UNSUPPORTED),
    );
    assert.deepEqual(upgradeConfig({ a: 1 }, 0, upgrades), { a: 1, upgraded: true });
    assert.deepEqual(upgradeConfig({ a: 1 }, 2), { a: 1 }, 'the current version: nothing to do');
    assert.deepEqual(upgradeConfig({ modbus: { tcpDevices: [] } }, 1), { modbus: {} });
  });

  test('a second writer with a stale base is refused (CONFLICT), reloads the first write, and the retry works', () => {
    const path = dbPath();
    const db1 = open(path);
    const db2 = open(path);
    const a = ConfigStore.open(db1);
    const b = ConfigStore.open(db2);
    const seen: string[] = [];
    b.subscribe('system', (next, prev) => void seen.push(`${prev.name} -> ${next.name}`));
    a.update('system', { name: 'from A' });
    assert.throws(
      () => b.update('system', { name: 'from B' }),
      (e) => hasCode(e, ErrorCodes.CONFLICT) && /in the same section \(system\)/.test(e.message),
    );
    assert.equal(b.revision, 1, 'the first write is loaded');
    assert.equal(b.get().system.name, 'from A');
    assert.deepEqual(seen, ['Wattgate -> from A']);
    assert.equal(ConfigStore.open(db1).get().system.name, 'from A', 'the first write kept');
    assert.equal(b.update('system', { name: 'from B' }).revision, 2, 'the retry works');
    assert.equal(ConfigStore.open(db1).get().system.name, 'from B');
    db1.close();
    db2.close();
  });

  test('writes by another connection: refresh applies them to memory and subscribers, not to commit listeners', () => {
    const path = dbPath();
    const db1 = open(path);
    const db2 = open(path);
    const { errors, log } = collectingLog();
    const infos: string[] = [];
    const a = ConfigStore.open(db1);
    const b = ConfigStore.open(db2, {
      log: { ...log, info: (_o: object | string, m?: string) => void infos.push(m ?? '') },
    });
    const seen: string[] = [];
    const commits: number[] = [];
    b.subscribe('system', (next) => void seen.push(`system ${next.name}`));
    b.subscribe('modbus', (next) => void seen.push(`modbus ${next.server.port}`));
    b.onCommit((c) => void commits.push(c.revision));
    assert.equal(b.refresh(), null, 'nothing stored meanwhile');
    a.update('system', { name: 'other process' });
    const change = b.refresh();
    assert.deepEqual(change?.changedSections, ['system']);
    assert.equal(change?.revision, 1);
    assert.deepEqual(change?.diff, [{ path: '/system/name', before: 'Wattgate', after: 'other process' }]);
    assert.equal(b.get().system.name, 'other process');
    assert.equal(b.refresh(), null, 'applied once');
    assert.deepEqual(seen, ['system other process']);
    assert.deepEqual(commits, [], 'commit listeners (the audit log) hear only of changes made here');
    assert.deepEqual(infos, ['configuration stored by another writer applied']);

    // Another section changed elsewhere: a section update here merges on top of it.
    a.update('system', { name: 'again' });
    const modbus = b.section('modbus');
    const merged = b.update('modbus', { ...modbus, server: { ...modbus.server, port: 1502 } });
    assert.equal(merged.revision, 3);
    assert.deepEqual(merged.changedSections, ['modbus']);
    assert.equal(ConfigStore.open(db1).get().system.name, 'again', 'the other write kept');
    assert.deepEqual(commits, [3]);
    assert.deepEqual(seen, ['system other process', 'system again', 'modbus 1502']);

    // A whole-document replace built on a stale document is refused; an import goes ahead.
    const stale = b.get();
    a.update('system', { name: 'third' });
    assert.throws(
      () => b.replace({ ...stale, system: { ...stale.system, location: 'x' } }),
      (e) => hasCode(e, ErrorCodes.CONFLICT),
    );
    assert.equal(b.get().system.name, 'third');
    a.update('system', { name: 'fourth' });
    const imported = b.importDocument(a.exportDocument());
    assert.equal(imported.revision, 5);
    assert.deepEqual(imported.changedSections, [], 'the import equals what was stored');
    assert.equal(errors.length, 0);
    db1.close();
    db2.close();
  });

  test('a revision from another writer that does not validate is logged once and not applied', () => {
    const path = dbPath();
    const db1 = open(path);
    const db2 = open(path);
    const { errors, log } = collectingLog();
    ConfigStore.open(db1).update('system', { name: 'good' });
    const b = ConfigStore.open(db2, { log });
    db1
      .prepare("UPDATE settings_document SET revision = 2, json = json_set(json, '$.modbus.server.port', 0)")
      .run();
    assert.equal(b.refresh(), null);
    assert.equal(b.refresh(), null);
    assert.equal(b.revision, 1);
    assert.equal(b.get().system.name, 'good');
    assert.equal(errors.length, 1);
    assert.match(String(errors[0]?.msg), /not valid; not applied/);
    assert.throws(
      () => b.update('system', { name: 'refused' }),
      (e) => hasCode(e, ErrorCodes.CONFLICT),
    );
    db1.close();
    db2.close();
  });

  test('storedRevision reads the revision without a store: 0 on a new database, then the stored one', () => {
    const db = open(dbPath());
    assert.equal(ConfigStore.storedRevision(db), 0, 'no table yet');
    const store = ConfigStore.open(db);
    assert.equal(ConfigStore.storedRevision(db), 0, 'table, no row');
    store.update('system', { name: 'x' });
    assert.equal(ConfigStore.storedRevision(db), 1);
    db.close();
  });

  test('a stored configuration that no longer validates is reported at open (INVALID_CONFIG)', () => {
    const db = open(dbPath());
    ConfigStore.open(db).update('system', { name: 'ok' });
    db.prepare("UPDATE settings_document SET json = json_set(json, '$.modbus.server.port', 0)").run();
    assert.throws(
      () => ConfigStore.open(db),
      (e) => isInvalid(e) && /stored configuration \(revision 1\)/.test(e.message),
    );
    db.close();
  });

  test('diffs redact secret-named fields at any depth', () => {
    const diff = jsonDiff(
      { mqtt: { password: 'old', host: 'a' }, users: [{ name: 'x', apiToken: 't1' }] },
      {
        mqtt: { password: 'new', host: 'b' },
        users: [
          { name: 'x', apiToken: 't2' },
          { name: 'y', secretKey: 's' },
        ],
      },
    );
    assert.deepEqual(diff, [
      { path: '/mqtt/password', before: REDACTED, after: REDACTED },
      { path: '/mqtt/host', before: 'a', after: 'b' },
      { path: '/users/0/apiToken', before: REDACTED, after: REDACTED },
      { path: '/users/1', before: undefined, after: { name: 'y', secretKey: REDACTED } },
    ]);
  });
});
