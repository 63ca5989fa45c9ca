/**
 * The composition root: stores opened in the data directory, parts started in
 * order with their context, a configuration change reaching the part that owns
 * the section live (no restart), ordered stop, and a failed start that leaves
 * the database closed and nothing running.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createApp } from '../../src/app.js';
import { configView } from '../../src/config/index.js';
import { ManualClock } from '../../src/shared/clock.js';
import { hasCode } from '../../src/shared/errors.js';
import type { Part } from '../../src/shared/lifecycle.js';
import { silentLogger } from '../../src/shared/logger.js';

const root = mkdtempSync(join(tmpdir(), 'wattgate-app-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('a part sees its configuration section and receives live changes', async () => {
  const seen: string[] = [];
  const order: string[] = [];
  const app = createApp({
    dataDir: join(root, 'live'),
    log: silentLogger,
    clock: new ManualClock(Date.UTC(2026, 10, 27)),
    parts: (ctx) => {
      const pc = { config: configView(ctx.config, 'system') };
      let off = () => {};
      const part: Part = {
        name: 'namer',
        start() {
          order.push('start');
          seen.push(pc.config.get().name);
          off = pc.config.subscribe((next, prev) => {
            seen.push(`${prev.name}->${next.name}`);
          });
        },
        stop() {
          order.push('stop');
          off();
        },
      };
      return [part];
    },
  });
  await app.start();
  app.ctx.config.update('system', { ...app.ctx.config.section('system'), name: 'Panel A' });
  // A change to another section does not reach this part.
  app.ctx.config.update('modbus', {
    ...app.ctx.config.section('modbus'),
    server: { ...app.ctx.config.section('modbus').server, port: 1502 },
  });
  await app.stop();
  await app.stop();
  assert.deepEqual(seen, ['Wattgate', 'Wattgate->Panel A']);
  assert.deepEqual(order, ['start', 'stop']);
  assert.equal(app.ctx.db.open, false);
  assert.match(app.ctx.installation.serial, /^WG26485[0-9A-Z]{4}$/);
  assert.equal(statSync(join(root, 'live')).mode & 0o777, 0o700);
});

test('the configuration and installation survive a restart', async () => {
  const dataDir = join(root, 'restart');
  const a = createApp({ dataDir, log: silentLogger });
  a.ctx.config.update('system', { ...a.ctx.config.section('system'), location: 'Building 2, floor 1' });
  const serial = a.ctx.installation.serial;
  await a.start();
  await a.stop();
  const b = createApp({ dataDir, log: silentLogger });
  assert.equal(b.ctx.config.section('system').location, 'Building 2, floor 1');
  assert.equal(b.ctx.config.revision, 1);
  assert.equal(b.ctx.installation.serial, serial);
  await b.stop();
});

test('a part that fails to start stops the others and closes the database', async () => {
  const log: string[] = [];
  const ok: Part = {
    name: 'ok',
    start: () => void log.push('start ok'),
    stop: () => void log.push('stop ok'),
  };
  const bad: Part = {
    name: 'bad',
    start: () => {
      throw new Error('port in use');
    },
    stop: () => {},
  };
  const app = createApp({ dataDir: join(root, 'fail'), log: silentLogger, parts: () => [ok, bad] });
  await assert.rejects(app.start(), (e) => hasCode(e, 'WG_ERR_LIFECYCLE'));
  assert.deepEqual(log, ['start ok', 'stop ok']);
  assert.equal(app.ctx.db.open, false);
});

test('a data directory path that is a file is refused with a storage error', () => {
  const dataDir = join(root, 'live', 'settings.db');
  assert.throws(
    () => createApp({ dataDir, log: silentLogger }),
    (e) => hasCode(e, 'WG_ERR_STORAGE'),
  );
});
