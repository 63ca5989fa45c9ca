/**
 * `wattgate config import` against a running Wattgate (issue 13): the running
 * application (createApp + defaultParts, loopback, ephemeral ports, the
 * injected clock) and the real CLI in a child process on the same data
 * directory.
 * - The CLI names the running instance (its PID, from the instance lock) and
 *   says it applies the import within about a second; on the next refresh
 *   tick (1 s of the injected clock, and not before) the app's configuration
 *   and its subscribers see the new revision; the audit log holds the import
 *   once, as the CLI's (actor host); a later change works.
 * - A change through the HTTPS API built on a section the import changed is
 *   refused with 409 WG_ERR_CONFLICT (never a 500, never a lost update); the
 *   app has loaded the import meanwhile and the same request then succeeds.
 * - A write that loses the race for the settings database's write lock to
 *   another process fails with CONFLICT, the winner is loaded (subscribers
 *   told), and the next write succeeds.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import { type App, CONFIG_REFRESH_MS, createApp, defaultParts } from '../../src/app.js';
import type { ConfigDocument } from '../../src/config/index.js';
import { dataPath } from '../../src/core/data-dir.js';
import { ManualClock } from '../../src/shared/clock.js';
import { ErrorCodes, hasCode } from '../../src/shared/errors.js';
import type { Part } from '../../src/shared/lifecycle.js';
import { silentLogger } from '../../src/shared/logger.js';
import { runCli } from '../support/cli.js';

const REPO = join(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'wattgate-live-import-'));
const clock = new ManualClock(Date.UTC(2026, 11, 7, 10));
let app: App;
let parts: Part[] = [];
const seen: string[] = [];

before(async () => {
  app = createApp({
    dataDir: dir,
    log: silentLogger,
    clock,
    parts: (ctx) => {
      parts = defaultParts(ctx, { modbusPort: 0, webPort: 0 });
      return parts;
    },
  });
  const base = app.ctx.config.get();
  app.ctx.config.replace({
    ...base,
    networks: { LOOP: { addresses: ['127.0.0.1'], description: 'test' } },
    web: { ...base.web, enabled: { LOOP: true } },
    modbus: { ...base.modbus, server: { ...base.modbus.server, enabled: { LOOP: true } } },
  });
  app.ctx.config.subscribe('system', (next, prev) => {
    seen.push(`${prev.name} -> ${next.name}`);
  });
  await app.start();
});

after(async () => {
  await app?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Imports `edit(current export)` with the real CLI; returns its stdout. */
async function cliImport(edit: (doc: ConfigDocument) => void): Promise<string> {
  const doc = app.ctx.config.exportDocument();
  edit(doc);
  const file = join(dir, 'import.json');
  writeFileSync(file, JSON.stringify(doc));
  const r = await runCli(['config', 'import', file, '--data-dir', dir]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
}

function configAudit(): Array<{ revision: number; actorKind: string; actor: string | null }> {
  const db = new Database(dataPath(dir, 'auditDb'), { readonly: true });
  try {
    const rows = db
      .prepare(
        "SELECT actor_kind, actor, details FROM audit_records WHERE event = 'config.changed' ORDER BY seq",
      )
      .all() as Array<{ actor_kind: string; actor: string | null; details: string }>;
    return rows.map((r) => ({
      revision: (JSON.parse(r.details) as { revision: number }).revision,
      actorKind: r.actor_kind,
      actor: r.actor,
    }));
  } finally {
    db.close();
  }
}

/** The web part's first listener, `127.0.0.1:<port>` (HTTPS). */
async function webAddress(): Promise<string> {
  const web = parts.find((p) => p.name === 'web') as unknown as {
    addresses(): string[] | Promise<string[]>;
  };
  const [address] = await web.addresses();
  assert.ok(address, 'the web part listens');
  return address;
}

interface Answer {
  status: number;
  body: Record<string, unknown>;
  cookies: string[];
}

/** One HTTPS request to the running app (its self-signed certificate accepted). */
function call(address: string, method: string, path: string, payload?: object, headers: object = {}) {
  const [host, port] = address.split(':');
  const data = payload === undefined ? undefined : JSON.stringify(payload);
  return new Promise<Answer>((resolve, reject) => {
    const req = httpsRequest(
      {
        host,
        port: Number(port),
        method,
        path,
        rejectUnauthorized: false,
        headers: {
          host: address,
          origin: `https://${address}`,
          ...(data === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (d: string) => {
          text += d;
        });
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>),
            cookies: res.headers['set-cookie'] ?? [],
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

/** First start with the device code from the data directory: the admin's cookie and CSRF headers. */
async function adminSession(address: string): Promise<Record<string, string>> {
  const deviceCode = readFileSync(join(dir, 'device-code'), 'utf8').trim();
  const first = await call(address, 'POST', '/api/v1/auth/first-start', {
    deviceCode,
    password: 'Correct-Horse7',
  });
  assert.equal(first.status, 200, JSON.stringify(first.body));
  const cookie = first.cookies.find((c) => c.startsWith('__Host-wg_session='));
  assert.ok(cookie, first.cookies.join('; '));
  return { cookie: cookie.split(';')[0] as string, 'x-csrf-token': first.body.csrfToken as string };
}

test('an import by the CLI is applied by the running app on its next refresh, like a local change', async () => {
  const before = app.ctx.config.revision;
  const out = await cliImport((doc) => {
    doc.config.system = { ...doc.config.system, name: 'Imported live' };
  });
  const revision = before + 1;
  assert.match(out, new RegExp(`imported as revision ${revision}; sections changed: system`));
  assert.match(
    out,
    new RegExp(
      `the running Wattgate \\(PID ${process.pid}, \`wattgate start\` since [^)]+\\) applies it within about a second`,
    ),
  );

  // Nothing changes in memory until the app's refresh tick (injected clock).
  clock.advance(CONFIG_REFRESH_MS - 1);
  assert.equal(app.ctx.config.section('system').name, 'Wattgate');
  assert.equal(app.ctx.config.revision, before);
  clock.advance(1);
  assert.equal(app.ctx.config.section('system').name, 'Imported live');
  assert.equal(app.ctx.config.revision, revision);
  assert.deepEqual(seen, ['Wattgate -> Imported live']);
  clock.advance(10 * CONFIG_REFRESH_MS);
  assert.deepEqual(seen, ['Wattgate -> Imported live'], 'applied once');

  // Audited once, by the CLI (actor host); the app's commit hook does not record it again.
  assert.deepEqual(
    configAudit().filter((r) => r.revision === revision),
    [{ revision, actorKind: 'host', actor: 'cli' }],
  );

  const change = app.ctx.config.update(
    'system',
    { ...app.ctx.config.section('system'), location: 'Plant room' },
    { actor: 'admin', actorKind: 'account' },
  );
  assert.equal(change.revision, revision + 1);
  assert.deepEqual(
    configAudit().filter((r) => r.revision === revision + 1),
    [{ revision: revision + 1, actorKind: 'account', actor: 'admin' }],
  );
  // The CLI's record and the app's records form one intact chain.
  const verified = await runCli(['verify-audit', '--data-dir', dir]);
  assert.equal(verified.code, 0, verified.stdout + verified.stderr);
  assert.match(verified.stdout, /^audit log intact/);
});

test('an API change built on a section an import changed is refused with 409, then succeeds', async () => {
  const address = await webAddress();
  const headers = await adminSession(address);
  const before = app.ctx.config.revision;
  await cliImport((doc) => {
    const devices = doc.config.devices;
    doc.config.devices = {
      nextId: devices.nextId + 1,
      list: [
        ...devices.list,
        {
          id: devices.nextId,
          name: 'Imported meter',
          location: { kind: 'tcp', host: '127.0.0.1', port: 1502, unit: 1 },
          virtualId: 10,
        },
      ],
    } as typeof devices;
  });
  const add = () =>
    call(
      address,
      'POST',
      '/api/v1/devices',
      { name: 'Added by API', location: { kind: 'tcp', host: '127.0.0.1', port: 1503, unit: 2 } },
      headers,
    );
  // The refresh tick has not run: the API's device list is stale, the store notices before writing.
  const refused = await add();
  assert.equal(refused.status, 409, JSON.stringify(refused.body));
  assert.equal(refused.body.code, ErrorCodes.CONFLICT);
  assert.match(String(refused.body.message), /changed by another writer in the same section \(devices\)/);
  assert.equal(app.ctx.config.revision, before + 1, 'the import is loaded');
  const added = await add();
  assert.equal(added.status, 201, JSON.stringify(added.body));
  assert.deepEqual(
    app.ctx.config.section('devices').list.map((d) => d.name),
    ['Imported meter', 'Added by API'],
    'no lost update',
  );
  assert.equal((await call(address, 'GET', '/api/v1/devices', undefined, headers)).status, 200);
});

/** Another process takes the write lock, stores `name` as the next revision, holds the lock `holdMs`, commits. */
function rivalWriter(name: string, holdMs: number) {
  const script = `
    const Database = require('better-sqlite3');
    const db = new Database(process.argv[1]);
    db.pragma('busy_timeout = 5000');
    db.exec('BEGIN IMMEDIATE');
    const row = db.prepare('SELECT revision, json FROM settings_document WHERE id = 1').get();
    const config = JSON.parse(row.json);
    config.system.name = process.argv[2];
    db.prepare('UPDATE settings_document SET revision = ?, json = ? WHERE id = 1')
      .run(row.revision + 1, JSON.stringify(config));
    process.stdout.write('locked\\n');
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Number(process.argv[3]));
    db.exec('COMMIT');
    process.stdout.write('committed\\n');
  `;
  const child = spawn(process.execPath, ['-e', script, dataPath(dir, 'settingsDb'), name, String(holdMs)], {
    cwd: REPO,
  });
  let out = '';
  const locked = new Promise<void>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (out.includes('locked')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`rival writer exited ${code} before locking: ${out}`)));
  });
  const done = new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { locked, done };
}

test('a write that loses the race for the write lock fails with CONFLICT, loads the winner, and the next write works', async () => {
  const before = app.ctx.config.revision;
  seen.length = 0;
  const rival = rivalWriter('Rival', 400);
  await rival.locked;
  // The rival's revision is not committed yet: the check before the write sees nothing, the write
  // waits for the lock, and finds the revision moved.
  assert.throws(
    () => app.ctx.config.update('system', { ...app.ctx.config.section('system'), name: 'Local' }),
    (e) =>
      hasCode(e, ErrorCodes.CONFLICT) && /changed by another writer while this change waited/.test(e.message),
  );
  assert.equal(await rival.done, 0);
  assert.equal(app.ctx.config.revision, before + 1);
  assert.equal(app.ctx.config.section('system').name, 'Rival');
  assert.deepEqual(seen, ['Imported live -> Rival'], 'subscribers told of the winner');
  const retry = app.ctx.config.update('system', { ...app.ctx.config.section('system'), name: 'Local' });
  assert.equal(retry.revision, before + 2);
  assert.equal(app.ctx.config.section('system').name, 'Local');
});
