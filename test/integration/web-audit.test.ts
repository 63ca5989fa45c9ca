/**
 * Reference verification test 3 (PRODUCT S6; SECURITY D5) in real Chromium
 * against the real HTTPS Part with the audit log, in-process: two failed
 * logins from the browser, then a login, Maintenance → Logs in the web UI and
 * a click on "download (CSV)": the downloaded file contains both failures
 * (time, account, source, result), one line per record, and a viewer's Logs
 * page has no such link (and the export answers 403 for a viewer).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { privateContext } from '../fixtures/security/browser.js';
import { browserSuite } from '../fixtures/security/browser-suite.js';
import { ADMIN_PASSWORD } from '../fixtures/security/harness.js';
import { open, submitLogin } from '../fixtures/security/login-page.js';

const suite = await browserSuite();

test('reference test 3: after failed logins, the downloaded audit log contains them', async (t) => {
  const ready = suite.ready(t);
  if (!ready) return;
  const { browser, srv: s } = ready;
  const ctx = await privateContext(browser);
  t.after(() => ctx.close());
  const page = await ctx.newPage();
  await open(page, s.origin, '/login');
  const first = await submitLogin(page, 'admin', 'Wrong-pass1');
  assert.equal(first.status, 401);
  s.clock.advance(s.part.security.throttle.delayAfter(1));
  const second = await submitLogin(page, 'admin', 'Other-wrong2');
  assert.equal(second.status, 401);
  s.clock.advance(s.part.security.throttle.delayAfter(2));
  const ok = await submitLogin(page, 'admin', ADMIN_PASSWORD);
  assert.equal(ok.status, 303);

  // As a person would: Maintenance in the navigation, then Logs, then the link.
  await page.click('nav a[href="/maintenance"]');
  await page.click('main a[href="/maintenance/logs"]');
  assert.equal(new URL(page.url()).pathname, '/maintenance/logs');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#audit-csv')]);
  assert.match(download.suggestedFilename(), /^wattgate-audit-WG2601100AB-\d{8}T\d{6}Z\.csv$/);
  const text = readFileSync(await download.path(), 'utf8');
  const lines = text.trimEnd().split('\r\n');
  assert.equal(lines[0], 'seq,time,category,event,actor_kind,actor,source,result,details');
  const failures = lines.filter((l) => l.includes(',login.failure,'));
  for (const l of failures)
    assert.match(l, /^\d+,\d{4}-\d\d-\d\dT[\d:.]+Z,auth,login\.failure,account,admin,127\.0\.0\.1,failure,/);
  const auth = lines.filter((l) => /,auth,login\.(failure|success),/.test(l));
  assert.equal(failures.length, 2, `both failed attempts are there:\n${text}`);
  assert.ok(
    auth.some((l) => l.includes(',login.success,')),
    'and the successful login',
  );
});

test('reference test 3: a viewer has no download link and the export is refused', async (t) => {
  const ready = suite.ready(t);
  if (!ready) return;
  const { browser, srv: s } = ready;
  const hash = await s.part.security.hasher.hash('View-only-9x');
  s.part.security.accounts.create('viewer1', 'viewer', hash, s.clock.now());
  const ctx = await privateContext(browser);
  t.after(() => ctx.close());
  const page = await ctx.newPage();
  await open(page, s.origin, '/login');
  s.clock.advance(60_000);
  assert.equal((await submitLogin(page, 'viewer1', 'View-only-9x')).status, 303);
  await open(page, s.origin, '/maintenance/logs');
  await page.locator('main h1').waitFor();
  assert.match((await page.locator('main').textContent()) ?? '', /for the admin and support roles/);
  assert.equal(await page.locator('#audit-csv').count(), 0);
  const res = await page.request.get(`${s.origin}/api/v1/audit/export?format=csv`);
  assert.equal(res.status(), 403);
});
