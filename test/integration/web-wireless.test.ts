/**
 * Settings → Wireless devices in real Chromium against the whole application
 * (the demo's configuration, every simulated sensor reporting every 2 s so
 * that "not connected" comes within seconds — W5: after 2 periods):
 * - pairing the demo's install-code sensor from the page, its code typed as
 *   on a label (groups, dashes, spaces): it appears with a virtual id, and
 *   the devices API lists it (logged without a second step);
 * - reference verification test 6: the wireless network switched off on the
 *   page → every wireless device shows "Not connected" in Monitoring, as the
 *   API reports them, and the radio is off;
 * - no console error, axe-core clean on the page.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { startPanel } from '../../sim/panel.js';
import { DEMO_INSTALL_CODE } from '../../sim/wireless/demo-panel.js';
import { DEMO_METERS, demoConfig } from '../../src/cli/demo.js';
import { systemClock } from '../../src/shared/clock.js';
import { chromiumAvailable, launchChromium, privateContext } from '../fixtures/security/browser.js';
import { open, submitLogin } from '../fixtures/security/login-page.js';
import { peer } from '../support/peers.js';
import { startWholeApp, type WholeApp } from '../support/whole-app.js';

const PASSWORD = 'Wireless-Ui-Passw0rd!';
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const WAITING = '00124B00DE000011';
const available = await chromiumAvailable();
let w: WholeApp | undefined;
let panel: Awaited<ReturnType<typeof startPanel>> | undefined;
let browser: Browser | undefined;
let origin = '';

before(async () => {
  if (!available) return;
  panel = await startPanel({ units: DEMO_METERS, clock: systemClock });
  const panelPort = panel.port;
  w = await startWholeApp({
    prefix: 'wattgate-ui-wireless-',
    password: PASSWORD,
    // Ports 1502/1443 are overridden by the whole app's random ports.
    configure: (base) => {
      const config = demoConfig(base, { modbus: 1502, web: 1443, panel: panelPort });
      config.wireless = {
        ...config.wireless,
        simulator: { sensors: config.wireless.simulator.sensors.map((s) => ({ ...s, periodSeconds: 2 })) },
      };
      return config;
    },
  });
  origin = w.origin;
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await w?.stop();
  await panel?.close();
});

test('pair by install code from the page; reference test 6: radio off → every wireless device "Not connected"', {
  timeout: 120_000,
}, async (t) => {
  if (!peer(t, 'chromium', available) || !browser) return;
  const ctx = await privateContext(browser);
  t.after(() => ctx.close());
  const page = await ctx.newPage();
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(String(e)));
  await open(page, origin, '/login');
  assert.equal((await submitLogin(page, 'admin', PASSWORD)).status, 303);
  await page.click('nav a[href="/settings"]');
  await page.click('main a[href="/settings/wireless"]');
  await page.locator('#paired [data-state="connected"]').first().waitFor();

  // The code as a label prints it: groups of four, a dash, spaces.
  const label = (DEMO_INSTALL_CODE.match(/.{1,4}/g) ?? []).join(' ').replace(' ', '-');
  await page.fill('#install-codes', label);
  await page.click('#open-discovery');
  await page.locator('#settings-note', { hasText: 'Discovery open with 1 install code' }).waitFor();
  const row = page.locator(`#paired tr[data-rfid="${WAITING}"]`);
  await row.waitFor({ timeout: 30_000 });
  const unit = Number(await row.locator('td').nth(2).textContent());
  assert.ok(unit >= 100 && unit <= 247, `virtual id ${unit}`);
  const radio = (await (await page.request.get(`${origin}/api/v1/wireless`)).json()) as {
    devices: { rfId: string; virtualId: number | null; deviceId: number }[];
  };
  const paired = radio.devices.find((d) => d.rfId === WAITING);
  assert.equal(paired?.virtualId, unit);
  const devices = (await (await page.request.get(`${origin}/api/v1/devices`)).json()) as {
    device: { id: number };
    series: Record<string, string>;
  }[];
  const entry = devices.find((d) => d.device.id === paired?.deviceId);
  assert.ok(entry && Object.keys(entry.series).length > 0, 'logged at once: it has series');

  await page.evaluate(AXE);
  const axe = (await page.evaluate(`axe.run(document, { resultTypes: ['violations'] })`)) as {
    violations: { id: string; impact: string }[];
  };
  assert.deepEqual(
    axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id),
    [],
  );

  // Reference test 6.
  await page.uncheck('#radio-on');
  await page.locator('#settings-note', { hasText: 'switched off' }).waitFor();
  await page.click('nav a[href="/monitoring"]');
  const wireless = radio.devices.length;
  await page
    .locator('[data-state="not-connected"]')
    .nth(wireless - 1)
    .waitFor({ timeout: 30_000 });
  const after = (await (await page.request.get(`${origin}/api/v1/wireless`)).json()) as {
    radioOn: boolean;
    devices: { deviceId: number; status: string }[];
  };
  assert.equal(after.radioOn, false);
  for (const d of after.devices) {
    assert.equal(d.status, 'not-connected');
    assert.equal(
      await page.locator(`#device-${d.deviceId} [data-state]`).getAttribute('data-state'),
      'not-connected',
    );
  }
  assert.deepEqual(errors, []);
  console.log(
    `wireless: paired ${WAITING} at unit ${unit}; radio off → ${after.devices.length} devices not connected`,
  );
});

test('remove one wireless device, then rebuild the network, from the page (asked twice each)', {
  timeout: 90_000,
}, async (t) => {
  if (!peer(t, 'chromium', available) || !browser) return;
  const ctx = await privateContext(browser);
  t.after(() => ctx.close());
  const page = await ctx.newPage();
  await open(page, origin, '/login');
  assert.equal((await submitLogin(page, 'admin', PASSWORD)).status, 303);
  await page.goto(`${origin}/settings/wireless`);
  const radio = async () =>
    (await (await page.request.get(`${origin}/api/v1/wireless`)).json()) as {
      radioOn: boolean;
      discovery: { open: boolean };
      devices: { rfId: string; name: string }[];
    };
  if (!(await radio()).radioOn) {
    await page.check('#radio-on');
    await page.locator('#settings-note', { hasText: 'switched on' }).waitFor();
  }
  const before = await radio();
  const victim = before.devices[0];
  assert.ok(victim && before.devices.length >= 2, `${before.devices.length} paired`);
  await page.click(`#remove-${victim.rfId}`);
  await page.click(`#confirm-remove-${victim.rfId}`);
  await page.locator('#settings-note', { hasText: 'removed from the network' }).waitFor();
  const afterRemove = await radio();
  assert.equal(afterRemove.devices.length, before.devices.length - 1);
  assert.ok(!afterRemove.devices.some((d) => d.rfId === victim.rfId));
  await page.click('#rebuild');
  await page.click('#confirm-rebuild');
  await page.locator('#settings-note', { hasText: 'Network rebuilt' }).waitFor();
  const rebuilt = await radio();
  assert.equal(rebuilt.discovery.open, true, 'discovery is open for the devices to join again');
  console.log(
    `wireless: removed 1 of ${before.devices.length}; rebuilt → ${rebuilt.devices.length} paired (rejoining)`,
  );
});
