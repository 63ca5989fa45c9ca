/**
 * Maintenance → Restart (issue 15 item 4) through the real runner
 * (cli/serve.ts) that `wattgate start` and the demo use: in real Chromium an
 * admin clicks Restart, confirms, and the page reports Wattgate back; the
 * whole application was stopped and a new one started on the same ports
 * from the stored configuration (its Modbus server answers again, the
 * session still works); the audit log names who asked. A viewer is refused.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { type App, createApp, defaultParts } from '../../src/app.js';
import { serveUntilSignal } from '../../src/cli/serve.js';
import { silentLogger } from '../../src/shared/logger.js';
import { chromiumAvailable, launchChromium, privateContext } from '../fixtures/security/browser.js';
import { freePort } from '../support/cli.js';
import { https } from '../support/https.js';
import { mbpollTcp } from '../support/mbpoll.js';
import { hasCommand, peer } from '../support/peers.js';
import { loginPage, watchProblems } from '../support/web-page.js';
import { loopback } from '../support/whole-app.js';

const PASSWORD = 'Restart-Passw0rd!';

test('Restart from the Maintenance page: a new application on the same ports, audited', {
  timeout: 120_000,
}, async (t) => {
  const available = await chromiumAvailable();
  if (!peer(t, 'chromium', available)) return;
  if (!peer(t, 'mbpoll', await hasCommand('mbpoll', ['-V']))) return;
  const dir = mkdtempSync(join(tmpdir(), 'wattgate-restart-'));
  const [webPort, modbusPort] = [await freePort(), await freePort()];
  const started: App[] = [];
  let nextStart: () => void = () => {};
  const create = () => {
    const app = createApp({
      dataDir: dir,
      log: silentLogger,
      parts: (ctx) => defaultParts(ctx, { modbusPort, webPort }),
    });
    if (started.length === 0) app.ctx.config.replace(loopback(app.ctx.config.get(), { modbus: true }));
    return app;
  };
  const running = serveUntilSignal(create, undefined, (app) => {
    started.push(app);
    nextStart();
  });
  const startedCount = (n: number) =>
    new Promise<void>((resolve) => {
      nextStart = () => started.length >= n && resolve();
      nextStart();
    });
  const browser = await launchChromium();
  try {
    await startedCount(1);
    const deviceCode = readFileSync(join(dir, 'device-code'), 'utf8').trim();
    const first = await https(webPort, 'POST', '/api/v1/auth/first-start', {
      deviceCode,
      password: PASSWORD,
    });
    assert.equal(first.status, 200, first.body);
    const admin = { cookie: first.cookie ?? '', 'x-csrf-token': JSON.parse(first.body).csrfToken as string };
    const token = await https(
      webPort,
      'POST',
      '/api/v1/tokens',
      { name: 'viewer', role: 'viewer', expiresAt: new Date(Date.now() + 86_400_000).toISOString() },
      admin,
    );
    const viewer = { authorization: `Bearer ${JSON.parse(token.body).token as string}` };
    assert.equal((await https(webPort, 'POST', '/api/v1/system/restart', {}, viewer)).status, 403);
    assert.equal(started.length, 1, 'a viewer cannot restart');

    const ctx = await privateContext(browser);
    const page = await ctx.newPage();
    const problems = watchProblems(page);
    await loginPage(page, `https://127.0.0.1:${webPort}`, 'admin', PASSWORD);
    await page.goto(`https://127.0.0.1:${webPort}/maintenance`);
    await page.click('#restart');
    await page.click('#confirm-restart');
    await page.locator('#restart-state[data-state="back"]').waitFor({ timeout: 60_000 });
    assert.equal(started.length, 2, 'a second application started');
    assert.notEqual(started[1], started[0]);
    // The new application serves Modbus on the same port and keeps the session.
    const regs = await mbpollTcp({ port: modbusPort }, 255, 501, 10);
    assert.equal(regs.length, 10, 'unit 255 answers mbpoll on the same port');
    assert.equal((await https(webPort, 'GET', '/api/v1/me', undefined, admin)).status, 200, 'session kept');
    const audit = JSON.parse(
      (await https(webPort, 'GET', '/api/v1/audit?category=system&order=desc&limit=20', undefined, admin))
        .body,
    ) as {
      records: { event: string; actor: { kind: string; name: string | null }; source: string | null }[];
    };
    const events = audit.records.map((r) => r.event);
    const asked = audit.records.find((r) => r.event === 'system.restart-requested');
    assert.deepEqual([asked?.actor, asked?.source], [{ kind: 'account', name: 'admin' }, '127.0.0.1']);
    assert.deepEqual(
      events.slice(0, 3),
      ['system.started', 'system.stopping', 'system.restart-requested'],
      'newest first: requested, stopping, started again',
    );
    assert.deepEqual(
      problems.console.filter((c) => !/ERR_CONNECTION_REFUSED|Failed to fetch/.test(c)),
      [],
    );
    await ctx.close();
  } finally {
    await browser.close();
    process.emit('SIGTERM');
    await running;
    rmSync(dir, { recursive: true, force: true });
  }
});
