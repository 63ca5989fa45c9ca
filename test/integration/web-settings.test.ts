/**
 * The Settings pages (issue 15 items 3, 5, 6) in real Chromium against the
 * whole application with no device configured and a simulated meter panel
 * (Modbus TCP on loopback):
 * - every settings page at 1366 and 375 px: no console error or failed
 *   request, axe clean, no sideways scrolling, a screenshot;
 * - Modbus devices: the connection test asks the simulated meter who it is,
 *   the device is added from the form, Monitoring then shows its values equal
 *   to the API's; its sampling period changed on the page reaches the
 *   configuration and the history's series metadata;
 * - a configuration form (System): an invalid time zone is named beside its
 *   field by the API's dry run as it is typed, nothing is stored; corrected,
 *   it is saved and the API has it;
 * - Users: the password rules are marked as they are typed, the account is
 *   created, its role changed, then deleted; the new user changes their own
 *   password from the user menu.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startPanel } from '../../sim/panel.js';
import { systemClock } from '../../src/shared/clock.js';
import { chromiumAvailable, launchChromium, privateContext } from '../fixtures/security/browser.js';
import { open, submitLogin } from '../fixtures/security/login-page.js';
import { peer } from '../support/peers.js';
import { assertNoSideways, axeViolations, loginPage, watchProblems } from '../support/web-page.js';
import { loopback, startWholeApp, type WholeApp } from '../support/whole-app.js';

const PASSWORD = 'Settings-Passw0rd!';
const SHOTS = process.env.WATTGATE_SCREENSHOTS
  ? resolve(process.env.WATTGATE_SCREENSHOTS)
  : mkdtempSync(join(tmpdir(), 'wattgate-shots-'));
const PAGES = [
  ['settings-devices', '/settings/devices', '#device-list'],
  ['settings-users', '/settings/users', '#accounts'],
  ['settings-certificate', '/settings/certificate', '#certificate'],
  ['settings-system', '/settings/system', '#config-form'],
  ['settings-networks', '/settings/networks', '#config-form'],
  ['settings-modbus-service', '/settings/modbus-service', '#config-form'],
  ['settings-serial-lines', '/settings/serial-lines', '#config-form'],
  ['settings-advanced', '/settings/advanced', 'main ul'],
  ['settings-advanced-acquisition', '/settings/advanced/acquisition', '#config-form'],
  ['settings-password', '/settings/password', '#change-password'],
  ['settings-models', '/settings/models', '#models'],
  ['logs-records', '/maintenance/logs', '#audit-table tbody tr'],
] as const;

const available = await chromiumAvailable();
let w: WholeApp | undefined;
let panel: Awaited<ReturnType<typeof startPanel>> | undefined;
let browser: Browser | undefined;

before(async () => {
  if (!available) return;
  mkdirSync(SHOTS, { recursive: true });
  panel = await startPanel({ units: [1, 2], clock: systemClock });
  w = await startWholeApp({
    prefix: 'wattgate-settings-',
    password: PASSWORD,
    configure: (base) => loopback(base, { modbus: false }),
  });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await w?.stop();
  await panel?.close();
  if (!process.env.WATTGATE_SCREENSHOTS) rmSync(SHOTS, { recursive: true, force: true });
});

async function adminPage(t: { after: (fn: () => Promise<void>) => void }): Promise<Page> {
  const ctx = await privateContext(browser as Browser);
  t.after(() => ctx.close());
  const page = await ctx.newPage();
  await loginPage(page, w?.origin ?? '', 'admin', PASSWORD);
  return page;
}

const api = async <T>(page: Page, path: string): Promise<T> =>
  (await (await page.request.get(`${w?.origin}${path}`)).json()) as T;

test('add a TCP device from the page after a connection test; Monitoring shows its values; its period changes', {
  timeout: 180_000,
}, async (t) => {
  if (!peer(t, 'chromium', available) || !w || !panel) return;
  const page = await adminPage(t);
  const problems = watchProblems(page);
  await page.goto(`${w.origin}/settings/devices`);
  await page.click('#add-device');
  await page.fill('#dev-name', 'Incomer');
  await page.fill('#dev-host', '127.0.0.1');
  await page.fill('#dev-port', String(panel.port));
  await page.fill('#dev-unit', '1');
  await page.click('#test-connection');
  const result = page.locator('#test-result[data-present]');
  await result.waitFor({ timeout: 20_000 });
  assert.equal(await result.getAttribute('data-present'), 'true', (await result.textContent()) ?? '');
  // Save with a bad host first: the API's problem is shown beside the field, nothing is added.
  await page.fill('#dev-host', 'not a host!');
  await page.selectOption('#dev-model', 'wattgate-demo-meter');
  await page.click('#device-save');
  await page.locator('#dev-host-err').waitFor();
  assert.equal((await api<unknown[]>(page, '/api/v1/devices')).length, 0, 'nothing added');
  await page.fill('#dev-host', '127.0.0.1');
  await page.selectOption('#dev-period', '15');
  await page.click('#device-save');
  await page.locator('#devices-note', { hasText: 'Incomer added' }).waitFor();
  const devices = await api<{ device: { id: number; name: string; periodMinutes: number; model: string } }[]>(
    page,
    '/api/v1/devices',
  );
  assert.equal(devices.length, 1);
  const d = devices[0]?.device;
  assert.deepEqual([d?.name, d?.model, d?.periodMinutes], ['Incomer', 'wattgate-demo-meter', 15]);

  // Monitoring: the new device's live values, the same as the API's (same reading times).
  await page.click('nav a[href="/monitoring"]');
  const section = page.locator(`#device-${d?.id}`);
  await section.locator('tr[data-key] td.num').first().waitFor({ timeout: 30_000 });
  const deadline = Date.now() + 30_000;
  let compared = 0;
  while (compared === 0) {
    const values = await api<{
      readings: { key: string; t: string; value: number | string | null; unit: string }[];
    }>(page, `/api/v1/devices/${d?.id}/values`);
    const shown = await section.locator('tr[data-key]').evaluateAll((rows) =>
      rows.map((r) => ({
        key: r.getAttribute('data-key'),
        t: r.getAttribute('data-t'),
        value: r.querySelector('td.num')?.getAttribute('data-value'),
        unit: r.querySelector('td.unit')?.textContent,
      })),
    );
    if (
      values.readings.length > 0 &&
      values.readings.every((r, i) => shown[i]?.t === r.t && shown[i]?.key === r.key)
    ) {
      for (const [i, r] of values.readings.entries()) {
        assert.equal(shown[i]?.value, r.value === null ? '' : String(r.value), r.key);
        assert.equal(shown[i]?.unit, r.unit, `${r.key} unit`);
      }
      // Values at the register's resolution: no binary noise such as 230.10000000000002.
      for (const r of values.readings)
        if (typeof r.value === 'number') assert.ok(String(r.value).length <= 12, `${r.key} = ${r.value}`);
      assert.ok(
        values.readings.some((r) => r.unit === 'V'),
        'voltages carry their unit',
      );
      compared = values.readings.length;
    } else {
      assert.ok(Date.now() < deadline, 'the page and the API never showed the same readings');
      await page.waitForTimeout(300);
    }
  }
  assert.ok(compared >= 4, `values compared: ${compared}`);

  // Sampling period 15 → 1 min on the page: the configuration, then the history's series, show it.
  await page.goto(`${w.origin}/settings/devices`);
  await page.click(`#edit-${d?.id}`);
  await page.selectOption('#dev-period', '1');
  await page.click('#device-save');
  await page.locator('#devices-note', { hasText: 'Incomer saved' }).waitFor();
  // The list reloads after the save: wait for the new period, not the list shown before.
  await page.locator(`tr[data-device="${d?.id}"] [data-period="1"]`).waitFor();
  const stored = await api<{ device: { periodMinutes: number } }>(page, `/api/v1/devices/${d?.id}`);
  assert.equal(stored.device.periodMinutes, 1);
  // The first 1-minute sample (at the next minute boundary) writes the series with its period.
  const until = Date.now() + 75_000;
  let periods: number[] = [];
  while (Date.now() < until) {
    const s = await api<{ series: { id: string; meta: { device?: string; periodMinutes?: number } }[] }>(
      page,
      '/api/v1/history/series',
    );
    periods = s.series.filter((x) => x.meta.device === 'Incomer').map((x) => x.meta.periodMinutes ?? 0);
    if (periods.length > 0 && periods.every((p) => p === 1)) break;
    await page.waitForTimeout(1000);
  }
  assert.ok(periods.length > 0 && periods.every((p) => p === 1), `history series periods: ${periods.join()}`);
  // The refused save (bad host) answered 400 by design (and Chromium logs it); nothing else failed.
  const refused = (f: string) => /400.*\/api\/v1\/devices\)?$/.test(f);
  assert.deepEqual(
    problems.console.filter((f) => !refused(f)),
    [],
    'console errors',
  );
  assert.deepEqual(
    problems.failed.filter((f) => !refused(f)),
    [],
    'failed requests',
  );
  console.log(
    `devices: connection test, add, ${compared} values equal on Monitoring, period 15 → 1 min in history`,
  );
});

test('System settings: the dry run names a bad time zone beside its field; saved only when valid', {
  timeout: 60_000,
}, async (t) => {
  if (!peer(t, 'chromium', available) || !w) return;
  const page = await adminPage(t);
  await page.goto(`${w.origin}/settings/system`);
  const zone = page.locator('#f-system-timezone');
  await zone.fill('Mars/Olympus');
  const err = page.locator('#f-system-timezone-err');
  await err.waitFor();
  assert.match((await err.textContent()) ?? '', /IANA time zone/);
  assert.equal(await zone.getAttribute('aria-invalid'), 'true');
  await page.click('#config-save');
  await page.locator('#config-note', { hasText: 'Not saved' }).waitFor();
  const before = await api<{ value: { timezone: string } }>(page, '/api/v1/config/system');
  assert.equal(before.value.timezone, 'UTC', 'nothing stored');
  await zone.fill('Europe/Paris');
  await err.waitFor({ state: 'detached' });
  await page.fill('#f-system-name', 'Plant 9');
  await page.click('#config-save');
  await page.locator('#config-note', { hasText: 'Saved' }).waitFor();
  const after = await api<{ value: { timezone: string; name: string } }>(page, '/api/v1/config/system');
  assert.deepEqual([after.value.name, after.value.timezone], ['Plant 9', 'Europe/Paris']);
});

test('Users: rules marked as typed, create, change role, the user changes their password, delete', {
  timeout: 90_000,
}, async (t) => {
  if (!peer(t, 'chromium', available) || !w) return;
  const page = await adminPage(t);
  await page.goto(`${w.origin}/settings/users`);
  await page.fill('#account-name', 'maria');
  await page.selectOption('#account-role', 'viewer');
  await page.fill('#account-password', 'abc');
  await page.locator('.rule[data-rule="no"]').first().waitFor();
  assert.ok(await page.locator('#create-account-submit').isDisabled(), 'weak password: cannot create');
  await page.fill('#account-password', 'Solar-Panel-92!');
  await page.locator('#create-account-submit:not([disabled])').waitFor();
  assert.equal(await page.locator('.rule[data-rule="no"]').count(), 0);
  await page.click('#create-account-submit');
  await page.locator('tr[data-account="maria"]').waitFor();
  await page.selectOption('#role-maria', 'operator');
  await page.locator('#users-note', { hasText: 'maria is now operator' }).waitFor();
  const accounts = await api<{ name: string; role: string }[]>(page, '/api/v1/accounts');
  assert.equal(accounts.find((a) => a.name === 'maria')?.role, 'operator');
  assert.equal(await page.locator('#role-admin').count(), 0, 'the built-in admin has no role menu');

  // Maria, an operator, changes her own password from the user menu.
  const ctx = await privateContext(browser as Browser);
  t.after(() => ctx.close());
  const hers = await ctx.newPage();
  await loginPage(hers, w.origin, 'maria', 'Solar-Panel-92!');
  await hers.click('.user-menu summary');
  await hers.click('#change-password-link');
  await hers.fill('#current-password', 'Solar-Panel-92!');
  await hers.fill('#new-password', 'Wind-Turbine-47?');
  // Every rule marked met, as the person typing sees it, before the second field.
  await hers.locator('#new-password-rules .rule[data-rule="yes"]').nth(3).waitFor();
  await hers.fill('#new-password-again', 'Wind-Turbine-47?');
  await hers.locator('#change-password-submit:not([disabled])').waitFor();
  await hers.click('#change-password-submit');
  await hers.locator('#password-note', { hasText: 'Password changed' }).waitFor();
  assert.equal((await hers.request.get(`${w.origin}/api/v1/me`)).status(), 200, 'still logged in');

  await page.click('#delete-maria');
  await page.click('#confirm-delete-maria');
  await page.locator('#users-note', { hasText: 'maria deleted' }).waitFor();
  await page.locator('tr[data-account="maria"]').waitFor({ state: 'detached' }); // the list reloads after the note
  assert.equal((await hers.request.get(`${w.origin}/api/v1/me`)).status(), 401, 'her session ended');
});

test('Device models: an invalid import lists the validator problems by path; a valid one is listed, then deleted', {
  timeout: 60_000,
}, async (t) => {
  if (!peer(t, 'chromium', available) || !w) return;
  const page = await adminPage(t);
  await page.goto(`${w.origin}/settings/models`);
  await page.locator('#models tr[data-model="schneider-iem3000"]').waitFor();
  const bad = {
    id: 'my-meter',
    name: 'Mine',
    family: 'custom',
    source: { kind: 'custom' },
    measurements: [{ key: 'V', name: 'V', address: 70000, type: 'uint16', unit: 'V', kind: 'instant' }],
  };
  await page.fill('#model-text', JSON.stringify(bad));
  await page.click('#import-submit');
  await page.locator('#model-problems li').first().waitFor();
  assert.match((await page.locator('#model-problems').textContent()) ?? '', /measurements\/0\/address/);
  const good = { ...bad, measurements: [{ ...bad.measurements[0], address: 10 }] };
  await page.fill('#model-text', JSON.stringify(good));
  await page.click('#import-submit');
  await page.locator('#models tr[data-model="my-meter"]').waitFor();
  const listed = await api<{ id: string; builtIn: boolean }[]>(page, '/api/v1/models');
  assert.equal(listed.find((m) => m.id === 'my-meter')?.builtIn, false);
  await page.click('#delete-model-my-meter');
  await page.locator('#models tr[data-model="my-meter"]').waitFor({ state: 'detached' });
});

test('Logs: the result filter shows only failures, the same records as the API', {
  timeout: 60_000,
}, async (t) => {
  if (!peer(t, 'chromium', available) || !w) return;
  // A failed login, for the filter to find.
  const ctx = await privateContext(browser as Browser);
  t.after(() => ctx.close());
  const other = await ctx.newPage();
  await open(other, w.origin, '/login');
  await submitLogin(other, 'admin', 'not-the-password');
  const page = await adminPage(t);
  await page.goto(`${w.origin}/maintenance/logs`);
  await page.locator('#audit-table tbody tr').first().waitFor();
  await page.selectOption('#f-result', 'failure');
  await page.locator('#audit-table tbody tr[data-result="failure"]').first().waitFor();
  const rows = page.locator('#audit-table tbody tr');
  await page.waitForFunction(
    "[...document.querySelectorAll('#audit-table tbody tr')].every((r) => r.getAttribute('data-result') === 'failure')",
  );
  const shown = await rows.evaluateAll((trs) => trs.map((r) => Number(r.getAttribute('data-seq'))));
  const fromApi = await api<{ records: { seq: number }[] }>(
    page,
    '/api/v1/audit?result=failure&order=desc&limit=50',
  );
  assert.deepEqual(
    shown,
    fromApi.records.map((r) => r.seq),
  );
  assert.ok(shown.length >= 1);
  // Who: the account named in the API's record, shown in its row.
  const who = await page.locator(`#audit-table tr[data-seq="${shown[0]}"] td:nth-child(4)`).textContent();
  const first = (
    await api<{ records: { actor: { kind: string; name: string | null } }[] }>(
      page,
      `/api/v1/audit?result=failure&order=desc&limit=1`,
    )
  ).records[0];
  assert.equal(who, first?.actor.name ?? first?.actor.kind);
  assert.match((await page.locator('#audit-csv').getAttribute('href')) ?? '', /result=failure/);
});

test('every settings page at 1366 and 375 px (after the tests above): no console error, no failed request, axe clean', {
  timeout: 180_000,
}, async (t) => {
  if (!peer(t, 'chromium', available) || !w) return;
  const page = await adminPage(t);
  const problems = watchProblems(page);
  for (const width of [1366, 375]) {
    await page.setViewportSize({ width, height: width === 375 ? 812 : 900 });
    for (const [name, path, ready] of PAGES) {
      await page.goto(`${w.origin}${path}`);
      await page.locator(ready).first().waitFor();
      if (path === '/settings/password') await page.locator('.rules li').first().waitFor();
      assert.deepEqual(await axeViolations(page), [], `axe on ${path} at ${width} px`);
      await assertNoSideways(page, width, path);
      await page.screenshot({ path: join(SHOTS, `${name}-${width}.png`), fullPage: true });
    }
  }
  assert.deepEqual(problems.console, [], 'console errors');
  assert.deepEqual(problems.failed, [], 'failed requests');
});
