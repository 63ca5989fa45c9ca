/**
 * SECURITY D1 in the running application (createApp + defaultParts, loopback,
 * ephemeral ports, injected clock): start and stop, configuration changes (what
 * changed, never secret values), service switches derived from them, and Modbus
 * time setting on unit 255 are recorded by the audit part; then the host's
 * `wattgate verify-audit` reports the log intact (exit 0), and after an edit of
 * one record with sqlite3-level access reports that record (exit 1).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import { createApp, defaultParts } from '../../src/app.js';
import type { InputsEvents } from '../../src/inputs/events.js';
import type { ModbusEvents } from '../../src/modbus/events.js';
import { ManualClock } from '../../src/shared/clock.js';
import { TypedEvents } from '../../src/shared/events.js';
import { silentLogger } from '../../src/shared/logger.js';

const root = mkdtempSync(join(tmpdir(), 'wattgate-audit-app-'));
after(() => rmSync(root, { recursive: true, force: true }));
const MAIN = join(import.meta.dirname, '../../src/main.ts');

function cli(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args, '--data-dir', root], {
    encoding: 'utf8',
  });
}

test('D1: start, configuration change, service switch, time setting and stop are audited; verify-audit', async () => {
  const clock = new ManualClock(Date.UTC(2026, 10, 27, 8));
  // The gateway and the inputs publish on these channels (time set on unit 255, a counter written).
  const modbus = new TypedEvents<ModbusEvents>();
  const inputs = new TypedEvents<InputsEvents>();
  const app = createApp({
    dataDir: root,
    log: silentLogger,
    clock,
    parts: (ctx) => defaultParts(ctx, { modbusPort: 0, webPort: 0, channels: { modbus, inputs } }),
  });
  app.ctx.config.update('networks', { ETH1: { addresses: ['127.0.0.1'], description: 'loopback' } });
  await app.start();
  const m = app.ctx.config.section('modbus');
  app.ctx.config.update(
    'modbus',
    { ...m, server: { ...m.server, enabled: { ETH1: false }, allowTimeSetting: true } },
    { actor: 'admin', actorKind: 'account', source: '192.0.2.5' },
  );
  modbus.emit('modbus.time-set', {
    unitId: 255,
    epochMs: Date.UTC(2026, 10, 27, 9),
    previousEpochMs: clock.now(),
    source: '127.0.0.1:50000',
  });
  inputs.emit('inputs.counter-set', {
    input: 'DI1',
    field: 'pulseCount',
    value: 0,
    source: '127.0.0.1:50001',
    t: clock.now(),
  });
  await app.stop('test over');

  const db = new Database(join(root, 'audit.db'), { readonly: true });
  const rows = db
    .prepare(
      'SELECT seq, category, event, actor_kind, actor, source, details FROM audit_records ORDER BY seq',
    )
    .all() as Array<{
    seq: number;
    category: string;
    event: string;
    actor_kind: string;
    actor: string | null;
    source: string | null;
    details: string;
  }>;
  db.close();
  const events = rows.map((r) => r.event);
  assert.deepEqual(events, [
    'system.started',
    'config.changed',
    'service.disabled',
    'time.set',
    'input.counter-set',
    'system.stopping',
  ]);
  const change = rows[1];
  assert.equal(change?.actor, 'admin');
  assert.equal(change?.source, '192.0.2.5');
  const details = JSON.parse(change?.details ?? '{}') as {
    sections: string[];
    diff: Array<{ path: string }>;
  };
  assert.deepEqual(details.sections, ['modbus']);
  assert.deepEqual(details.diff.map((d) => d.path).sort(), [
    '/modbus/server/allowTimeSetting',
    '/modbus/server/enabled/ETH1',
  ]);
  assert.deepEqual(JSON.parse(rows[2]?.details ?? '{}'), { service: 'modbus-tcp-server', network: 'ETH1' });
  assert.equal(rows[3]?.category, 'time');
  assert.equal(rows[3]?.source, '127.0.0.1:50000');

  const ok = cli('verify-audit');
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /^audit log intact: 6 records 1–6/);
  const w = new Database(join(root, 'audit.db'));
  w.prepare("UPDATE audit_records SET actor = 'mallory' WHERE seq = 2").run();
  w.close();
  const bad = cli('verify-audit');
  assert.equal(bad.status, 1);
  assert.match(bad.stdout, /NOT intact: record 2 was altered .*\[edited at record 2\]/);
  const csv = cli('audit', 'export', '--format', 'csv', '--category', 'config');
  assert.equal(csv.status, 0, csv.stderr);
  assert.equal(csv.stdout.trimEnd().split('\r\n').length, 3, csv.stdout); // header + config.changed + input.counter-set
});
