/**
 * What every Chromium page test checks the way a person would notice it:
 * console errors, failed requests, axe-core violations (serious or critical),
 * sideways scrolling; and the login through the real login page.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { open, submitLogin } from '../fixtures/security/login-page.js';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface Problems {
  console: string[];
  failed: string[];
}

/** Collects console errors and failed requests; `expected404` paths may answer 404 (the unknown page). */
export function watchProblems(page: Page, expected404: readonly string[] = []): Problems {
  const p: Problems = { console: [], failed: [] };
  const allowed = (url: string) => url !== '' && expected404.includes(new URL(url).pathname);
  page.on('console', (m) => {
    const url = m.location().url;
    if (m.type() === 'error' && !(allowed(url) && /status of 404/.test(m.text())))
      p.console.push(`${m.text()} (${url})`);
  });
  page.on('pageerror', (e) => p.console.push(String(e)));
  page.on('requestfailed', (r) => {
    // Leaving a page aborts its pending refreshes; anything else is a failure.
    const err = r.failure()?.errorText ?? '';
    if (err !== 'net::ERR_ABORTED') p.failed.push(`${r.url()} ${err}`);
  });
  page.on('response', (r) => {
    const expected = r.request().isNavigationRequest() && allowed(r.url());
    if (r.status() >= 400 && !expected) p.failed.push(`${r.status()} ${r.url()}`);
  });
  return p;
}

export async function axeViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE);
  const result = (await page.evaluate(`axe.run(document, { resultTypes: ['violations'] })`)) as {
    violations: { id: string; impact: string; nodes: { target: string[] }[] }[];
  };
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** The page is no wider than the viewport (no sideways scrolling on a phone). */
export async function assertNoSideways(page: Page, width: number, what: string): Promise<void> {
  const wide = (await page.evaluate('document.documentElement.scrollWidth')) as number;
  assert.ok(wide <= width, `${what} at ${width} px is ${wide} px wide (no sideways scrolling)`);
}

export async function loginPage(page: Page, origin: string, name: string, password: string): Promise<void> {
  await open(page, origin, '/login');
  const r = await submitLogin(page, name, password);
  assert.equal(r.status, 303);
}
