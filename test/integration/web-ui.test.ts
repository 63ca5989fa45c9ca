/**
 * The web UI (issue 15) in real Chromium against the whole application: the
 * demo's configuration (three simulated TCP meters on the panel simulator,
 * ten wireless sensors, two pulse inputs) in-process on random ports. After
 * first start (API) and login (the login page), every page of the
 * application is opened the way a person would, at 1366 and 375 px:
 * - no console error, no page error, no failed request (the unknown page's
 *   document answers 404 by design, and only that);
 * - axe-core (the npm package, evaluated in the page) finds no serious or
 *   critical violation;
 * - a screenshot of each page (to WATTGATE_SCREENSHOTS, e.g. docs/screenshots,
 *   else a temporary folder).
 * Monitoring shows every device the API lists, and each value shown equals
 * the API's value of the same reading (same timestamp). Diagnostics shows
 * every wired device with its polls and state as GET /api/v1/devices says and
 * its Modbus counters as GET /api/v1/diagnostics/modbus says (after reads the
 * test sent through the gateway). The unknown page shows
 * "Page not found" with the navigation. The service status menu lists the
 * Modbus gateway and data sampling with their state.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startPanel } from '../../sim/panel.js';
import { DEMO_METERS, demoConfig } from '../../src/cli/demo.js';
import type { ModbusGateway } from '../../src/modbus/gateway.js';
import { systemClock } from '../../src/shared/clock.js';
import { chromiumAvailable, launchChromium, privateContext } from '../fixtures/security/browser.js';
import { adu, RawMbapClient } from '../support/modbus-wire.js';
import { peer } from '../support/peers.js';
import { assertNoSideways, axeViolations, loginPage, watchProblems } from '../support/web-page.js';
import { startWholeApp, type WholeApp } from '../support/whole-app.js';

const PASSWORD = 'Monitoring-Passw0rd!';
/** Not the test machine's zone, with a half-hour offset: the header must show the installation's time. */
const ZONE = 'Asia/Kolkata';
const SHOTS = process.env.WATTGATE_SCREENSHOTS
  ? resolve(process.env.WATTGATE_SCREENSHOTS)
  : mkdtempSync(join(tmpdir(), 'wattgate-shots-'));
const PAGES = [
  ['home', '/'],
  ['monitoring', '/monitoring'],
  ['trending', '/trending'],
  ['alarms', '/alarms'],
  ['settings', '/settings'],
  ['settings-wireless', '/settings/wireless'],
  ['settings-tokens', '/settings/tokens'],
  ['maintenance', '/maintenance'],
  ['logs', '/maintenance/logs'],
  ['diagnostics', '/maintenance/diagnostics'],
  ['not-found', '/no-such-page'],
] as const;

const available = await chromiumAvailable();
let w: WholeApp | undefined;
let panel: Awaited<ReturnType<typeof startPanel>> | undefined;
let browser: Browser | undefined;
let origin = '';

before(async () => {
  if (!available) return;
  mkdirSync(SHOTS, { recursive: true });
  panel = await startPanel({ units: DEMO_METERS, clock: systemClock });
  const panelPort = panel.port;
  w = await startWholeApp({
    prefix: 'wattgate-ui-',
    password: PASSWORD,
    // Ports 1502/1443 are overridden by the whole app's random ports.
    configure: (base) => {
      const config = demoConfig(base, { modbus: 1502, web: 1443, panel: panelPort });
      // Live polling once a minute: values change rarely, so the page and the API can be compared.
      config.acquisition = {
        ...config.acquisition,
        live: { ...config.acquisition.live, intervalMs: 60_000 },
      };
      config.system = { ...config.system, timezone: ZONE };
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
  if (!process.env.WATTGATE_SCREENSHOTS) rmSync(SHOTS, { recursive: true, force: true });
});

const login = (page: Page) => loginPage(page, origin, 'admin', PASSWORD);

test('every page at 1366 and 375 px: no console error, no failed request, axe clean, screenshot', {
  timeout: 180_000,
}, async (t) => {
  if (!peer(t, 'chromium', available) || !browser) return;
  const ctx = await privateContext(browser);
  t.after(() => ctx.close());
  const page = await ctx.newPage();
  const problems = watchProblems(page, ['/no-such-page']);
  await login(page);
  for (const width of [1366, 375]) {
    await page.setViewportSize({ width, height: width === 375 ? 812 : 900 });
    for (const [name, path] of PAGES) {
      await page.goto(`${origin}${path}`);
      await page.locator('main h1').waitFor();
      if (name === 'monitoring') await page.locator('.devices .card:first-child td.num').first().waitFor();
      if (name === 'diagnostics') await page.locator('main h2').first().waitFor();
      if (name === 'settings-tokens') await page.locator('#tokens').waitFor();
      if (name === 'settings-wireless') await page.locator('#paired tbody tr').first().waitFor();
      if (name === 'logs') await page.locator('#audit-verify', { hasText: 'intact' }).waitFor();
      assert.deepEqual(await axeViolations(page), [], `axe on ${path} at ${width} px`);
      await assertNoSideways(page, width, path);
      await page.screenshot({ path: join(SHOTS, `${name}-${width}.png`), fullPage: true });
    }
  }
  assert.deepEqual(problems.console, [], 'console errors');
  assert.deepEqual(problems.failed, [], 'failed requests');
});

test('Monitoring shows every device and the same values as the API', { timeout: 120_000 }, async (t) => {
  if (!peer(t, 'chromium', available) || !browser) return;
  const ctx = await privateContext(browser);
  t.after(() => ctx.close());
  const page = await ctx.newPage();
  await login(page);
  await page.click('nav a[href="/monitoring"]');
  await page.locator('[data-live="ready"]').waitFor();
  const devices = (await (await page.request.get(`${origin}/api/v1/devices`)).json()) as {
    device: { id: number; name: string };
  }[];
  assert.ok(devices.length >= 13, `demo devices: ${devices.length}`);
  for (const d of devices)
    assert.equal(await page.locator(`#device-${d.device.id} h2`).textContent(), d.device.name);
  let compared = 0;
  // The three TCP meters and the first wireless device that has reported (values from its frames).
  const radioNow = (await (await page.request.get(`${origin}/api/v1/wireless`)).json()) as {
    devices: { deviceId: number; status: string }[];
  };
  const heard = radioNow.devices.find((w) => w.status === 'connected');
  assert.ok(heard, 'a wireless device has reported');
  const checkedDevices = [...devices.slice(0, 3), ...devices.filter((d) => d.device.id === heard.deviceId)];
  for (const d of checkedDevices) {
    const section = page.locator(`#device-${d.device.id}`);
    await section.locator('td.num').first().waitFor();
    const deadline = Date.now() + 20_000;
    for (;;) {
      const api = (await (
        await page.request.get(`${origin}/api/v1/devices/${d.device.id}/values`)
      ).json()) as {
        readings: { key: string; t: string; value: number | string | null }[];
      };
      const shown = await section.locator('tr[data-key]').evaluateAll((rows) =>
        rows.map((r) => ({
          key: r.getAttribute('data-key'),
          t: r.getAttribute('data-t'),
          value: r.querySelector('td.num')?.getAttribute('data-value'),
        })),
      );
      const sameTime =
        shown.length === api.readings.length &&
        api.readings.every((r, i) => shown[i]?.key === r.key && shown[i]?.t === r.t);
      if (sameTime) {
        for (const [i, r] of api.readings.entries())
          assert.equal(shown[i]?.value, r.value === null ? '' : String(r.value), `${d.device.name} ${r.key}`);
        compared += api.readings.length;
        break;
      }
      assert.ok(Date.now() < deadline, `page and API never showed the same readings of ${d.device.name}`);
      await page.waitForTimeout(300);
    }
  }
  assert.ok(compared >= 16, `values compared: ${compared}`);
  // Wireless devices show the radio's status (connected / not connected) as the API reports it.
  const radio = (await (await page.request.get(`${origin}/api/v1/wireless`)).json()) as {
    devices: { deviceId: number; status: string }[];
  };
  assert.ok(radio.devices.length >= 10);
  await page.waitForTimeout(2500); // one refresh of the page after the API read
  for (const w of radio.devices)
    assert.equal(
      await page.locator(`#device-${w.deviceId} [data-state]`).getAttribute('data-state'),
      w.status,
      `wireless device ${w.deviceId}`,
    );
  console.log(`Monitoring: ${devices.length} devices shown, ${compared} values equal to the API's`);
});

test("Diagnostics shows every wired device with the API's polls and Modbus counters", {
  timeout: 120_000,
}, async (t) => {
  if (!peer(t, 'chromium', available) || !browser || !w) return;
  // Through the gateway: three reads of meter 1 (virtual id 1), and a diagnostics request meter 2
  // does not implement (its exception 01): their units count them.
  const client = await RawMbapClient.open(
    w.part<ModbusGateway>('modbus-gateway').addresses()[0]?.boundPort ?? 0,
  );
  try {
    for (const tid of [1, 2, 3]) assert.match(await client.ask(adu(tid, 1, '03 0000 0001')), /^.{14}0302/);
    assert.equal(await client.ask(adu(4, 2, '08 000b 0000')), adu(4, 2, '88 01'));
  } finally {
    client.close();
  }
  const ctx = await privateContext(browser);
  t.after(() => ctx.close());
  const page = await ctx.newPage();
  await login(page);
  await page.click('nav a[href="/maintenance"]');
  await page.click('main a[href="/maintenance/diagnostics"]');
  await page.locator('#device-counters tbody tr').first().waitFor();
  type Api = {
    device: { id: number; name: string; location: { kind: string } };
    status: Record<string, unknown>;
  };
  type Link = { deviceId: number; counters: Record<string, number> | null };
  const text = (v: unknown) => (v === null || v === undefined ? '' : String(v));
  const deadline = Date.now() + 30_000;
  for (;;) {
    const devices = (await (await page.request.get(`${origin}/api/v1/devices`)).json()) as Api[];
    const diag = (await (await page.request.get(`${origin}/api/v1/diagnostics/modbus`)).json()) as {
      devices: Link[];
    };
    const expected = devices
      .filter((d) => d.device.location.kind !== 'wireless')
      .map(({ device, status }) => {
        const c = diag.devices.find((l) => l.deviceId === device.id)?.counters;
        const values: Record<string, string> = {};
        for (const k of ['polls', 'failures', 'skipped', 'lastDurationMs']) values[k] = text(status[k]);
        for (const k of ['requests', 'responses', 'exceptions', 'timeouts', 'crcErrors'])
          values[k] = text(c?.[k]);
        return { id: String(device.id), name: device.name, state: String(status.state), values };
      });
    const shown = await page.locator('#device-counters tbody tr').evaluateAll((rows) =>
      rows.map((r) => ({
        id: r.getAttribute('data-device'),
        name: r.querySelector('th')?.textContent,
        state: r.querySelector('[data-state]')?.getAttribute('data-state'),
        values: Object.fromEntries(
          [...r.querySelectorAll('td[data-k]')].map((td) => [
            td.getAttribute('data-k'),
            td.getAttribute('data-value'),
          ]),
        ),
      })),
    );
    if (JSON.stringify(shown) === JSON.stringify(expected)) {
      assert.equal(expected.length, DEMO_METERS.length, "the demo's three TCP meters");
      assert.ok(
        Number(expected[0]?.values.requests) >= 3,
        `meter 1 requests: ${expected[0]?.values.requests}`,
      );
      assert.equal(expected[0]?.values.crcErrors, '', 'no CRC on TCP');
      console.log(
        `Diagnostics: ${expected.length} devices, ${expected.length * 9} figures equal to the API's`,
      );
      break;
    }
    assert.ok(
      Date.now() < deadline,
      `page and API never agreed:\n${JSON.stringify(shown)}\n${JSON.stringify(expected)}`,
    );
    await page.waitForTimeout(300);
  }
});

test('unknown page: a page with the navigation; the status menu names its services', async (t) => {
  if (!peer(t, 'chromium', available) || !browser) return;
  const ctx = await privateContext(browser);
  t.after(() => ctx.close());
  const page = await ctx.newPage();
  await login(page);
  const res = await page.goto(`${origin}/no-such-page`);
  assert.equal(res?.status(), 404);
  assert.equal(await page.locator('main h1').textContent(), 'Page not found');
  assert.equal(await page.locator('nav a').count(), 6);
  await page.click('#status-menu summary');
  const menu = page.locator('#status-menu li');
  await menu.filter({ hasText: 'Modbus gateway' }).waitFor();
  assert.match((await menu.filter({ hasText: 'Modbus gateway' }).textContent()) ?? '', /OK\s*listening/);
  assert.match((await menu.filter({ hasText: 'Data sampling' }).textContent()) ?? '', /devices/);
  // The header's clock: the installation's zone, its local time (oracle: Intl in this process).
  await page.locator('#clock', { hasText: ZONE }).waitFor();
  const shown = (await page.locator('#clock').textContent()) ?? '';
  const m = /(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)/.exec(shown);
  assert.ok(m, shown);
  const expected = new Intl.DateTimeFormat('en-CA', {
    timeZone: ZONE,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(new Date());
  const [, hm] = expected.split(', ');
  const [eh, em] = (hm ?? '').split(':').map(Number);
  const diff = Math.abs(Number(m[4]) * 60 + Number(m[5]) - ((eh ?? 0) * 60 + (em ?? 0)));
  assert.ok(Math.min(diff, 1440 - diff) <= 2, `${shown} vs ${expected} (${ZONE})`);
  const api = await page.request.get(`${origin}/api/v1/no-such-route`);
  assert.equal(api.status(), 404);
  assert.equal(((await api.json()) as { code: string }).code, 'WG_ERR_NOT_FOUND');
});
