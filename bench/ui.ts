/**
 * The web UI's weight and speed (`npm run bench ui`; issue 15): the README's
 * first command (`wattgate demo`, its own process, random high ports) and
 * Debian's Chromium through playwright-core.
 * - Weight: script and stylesheet bytes the Monitoring page loads, raw and
 *   gzip (zlib level 6, what a compressing proxy would send); goal ≤ 150 KB.
 * - Speed: time from navigation to the login page's `load` (baseline), and
 *   from navigation to Monitoring's first live value visible (marker: a
 *   value cell of the first device), each in a fresh browser context (cold
 *   cache); medians of the runs, printed as the ratio Monitoring / login.
 *
 *   npm run bench ui -- [--runs 5]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { type Browser, chromium } from 'playwright-core';
import { freePort } from './support/gateway-under-test.js';
import { ROOT, stopChild } from './support/processes.js';

const PASSWORD = 'Bench-Ui-Passw0rd!';
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

function post(port: number, path: string, body: unknown): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        rejectUnauthorized: false,
        headers: { 'content-type': 'application/json', origin: `https://127.0.0.1:${port}` },
        timeout: 20_000,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

async function startDemo(dir: string): Promise<{ child: ChildProcess; web: number }> {
  const [modbus, web] = [await freePort(), await freePort()];
  const child = spawn(
    process.execPath,
    [
      join(ROOT, 'bin/wattgate.js'),
      'demo',
      '--data-dir',
      dir,
      '--modbus-port',
      `${modbus}`,
      '--web-port',
      `${web}`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  child.stdout?.setEncoding('utf8').on('data', (c: string) => {
    out += c;
  });
  const deadline = Date.now() + 120_000;
  while (!out.includes('Press Ctrl-C')) {
    if (Date.now() > deadline || child.exitCode !== null)
      throw new Error(`demo did not start: ${out.slice(-500)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const code = readFileSync(join(dir, 'device-code'), 'utf8').trim();
  const status = await post(web, '/api/v1/auth/first-start', { deviceCode: code, password: PASSWORD });
  if (status !== 200) throw new Error(`first start answered ${status}`);
  return { child, web };
}

async function measure(browser: Browser, origin: string) {
  const login = await browser.newContext({ ignoreHTTPSErrors: true });
  const page = await login.newPage();
  let t0 = performance.now();
  await page.goto(`${origin}/login`, { waitUntil: 'load' });
  const loginMs = performance.now() - t0;
  await page.fill('#name', 'admin');
  await page.fill('#password', PASSWORD);
  await Promise.all([page.waitForNavigation(), page.click('#login')]);
  const cookies = await login.cookies();
  await login.close();
  const ctx = await browser.newContext({ ignoreHTTPSErrors: true });
  await ctx.addCookies(cookies);
  const mon = await ctx.newPage();
  const assets: { url: string; bytes: Buffer }[] = [];
  mon.on('response', async (r) => {
    if (/\/assets\/ui\//.test(r.url())) assets.push({ url: r.url(), bytes: await r.body() });
  });
  t0 = performance.now();
  await mon.goto(`${origin}/monitoring`, { waitUntil: 'commit' });
  await mon.locator('.devices .card:first-child td.num').first().waitFor({ timeout: 60_000 });
  const liveMs = performance.now() - t0;
  await ctx.close();
  return { loginMs, liveMs, assets };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
  const runs = Math.max(1, Math.min(20, Number(values.runs)));
  const dir = mkdtempSync(join(tmpdir(), 'wattgate-bench-ui-'));
  let demo: { child: ChildProcess; web: number } | undefined;
  let browser: Browser | undefined;
  try {
    demo = await startDemo(dir);
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
      ],
    });
    const origin = `https://127.0.0.1:${demo.web}`;
    await measure(browser, origin); // warm-up: the first live poll of every device, JIT
    const login: number[] = [];
    const live: number[] = [];
    let assets: { url: string; bytes: Buffer }[] = [];
    for (let i = 0; i < runs; i++) {
      const m = await measure(browser, origin);
      login.push(m.loginMs);
      live.push(m.liveMs);
      assets = m.assets;
      console.log(
        `run ${i + 1}/${runs}: login page ${m.loginMs.toFixed(0)} ms, Monitoring live ${m.liveMs.toFixed(0)} ms`,
      );
    }
    const raw = assets.reduce((n, a) => n + a.bytes.length, 0);
    const gz = assets.reduce((n, a) => n + gzipSync(a.bytes).length, 0);
    const ratio = median(live) / median(login);
    console.log(
      `\nWeb UI — wattgate demo, Debian Chromium (headless), fresh context per run, medians of ${runs}`,
    );
    console.log(`Monitoring assets: ${assets.map((a) => a.url.split('/').pop()).join(', ')}`);
    console.log(`  ${(raw / 1024).toFixed(1)} KB raw, ${(gz / 1024).toFixed(1)} KB gzip (goal ≤ 150 KB)`);
    console.log(
      `login page load ${median(login).toFixed(0)} ms; Monitoring to first live value ${median(live).toFixed(0)} ms`,
    );
    console.log(`ratio Monitoring live / login page: ×${ratio.toFixed(2)}`);
    console.log(
      `BENCH_JSON ${JSON.stringify({ bench: 'ui', runs, assetsBytes: raw, assetsGzipBytes: gz, loginMs: median(login), liveMs: median(live), ratio })}`,
    );
  } finally {
    await browser?.close();
    if (demo) await stopChild(demo.child);
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(`bench ui failed: ${(e as Error).stack ?? String(e)}`);
  process.exitCode = 1;
});
