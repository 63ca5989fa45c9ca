/**
 * Reference verification test 2 (PRODUCT S5, SECURITY B1) in real Chromium
 * against the real HTTPS Part, in-process: a bookmarked page opened in a
 * fresh private context lands on the login page (with `next` = the page),
 * then comes back to exactly that page after login; another fresh private
 * context still gets the login page (sessions do not leak across contexts);
 * after logout the bookmark leads to the login page again. The session cookie
 * the browser stores is `__Host-`, Secure, HttpOnly, SameSite=Strict.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { privateContext } from '../fixtures/security/browser.js';
import { browserSuite } from '../fixtures/security/browser-suite.js';
import { ADMIN_PASSWORD } from '../fixtures/security/harness.js';
import { open, showsHome, submitLogin } from '../fixtures/security/login-page.js';

const suite = await browserSuite();
const BOOKMARK = '/?period=week&compare=previous';

test('reference test 2: a bookmarked page in a fresh private context → login page → back to the page', async (t) => {
  const ready = suite.ready(t);
  if (!ready) return;
  const { browser, srv: s } = ready;
  const ctx = await privateContext(browser);
  t.after(() => ctx.close());
  const page = await ctx.newPage();

  const landed = await open(page, s.origin, BOOKMARK);
  assert.equal(landed, `/login?next=${encodeURIComponent(BOOKMARK)}`, 'redirected to the login page');
  assert.equal(await showsHome(page), false);
  assert.equal(await page.locator('input[name="next"]').inputValue(), BOOKMARK);

  const r = await submitLogin(page, 'admin', ADMIN_PASSWORD);
  assert.deepEqual([r.status, r.path], [303, BOOKMARK], 'back to the bookmarked page');
  assert.ok(await showsHome(page));
  assert.match((await page.locator('#whoami').textContent()) ?? '', /admin/);
  const cookie = (await ctx.cookies()).find((c) => c.name === '__Host-wg_session');
  assert.ok(cookie, 'session cookie set');
  assert.deepEqual(
    [cookie.secure, cookie.httpOnly, cookie.sameSite, cookie.path],
    [true, true, 'Strict', '/'],
  );

  const other = await privateContext(browser);
  t.after(() => other.close());
  const otherPage = await other.newPage();
  assert.equal(await open(otherPage, s.origin, BOOKMARK), `/login?next=${encodeURIComponent(BOOKMARK)}`);

  await page.click('.user-menu summary'); // the user menu, as a person opens it
  await Promise.all([page.waitForNavigation(), page.click('#logout')]);
  assert.equal(new URL(page.url()).pathname, '/login', 'logout leads to the login page');
  assert.equal(await open(page, s.origin, BOOKMARK), `/login?next=${encodeURIComponent(BOOKMARK)}`);
});
