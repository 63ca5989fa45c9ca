/**
 * Memory of the whole application (`npm run bench memory`; issue 14 item 6):
 * the resident memory of `wattgate demo` — history with 28 back-filled
 * days, wireless sensors, TCP and serial meters sampled every minute, digital
 * inputs, the web server in its thread — from the compiled code (dist/,
 * built first when missing or older than the sources), as a service runs it:
 *
 *   default    node with V8's default heap sizes
 *   capped     the flags of deploy/wattgate.service (--max-old-space-size=64
 *              --max-semi-space-size=2) and the web thread's own limits
 *              (src/webhost/host.ts WEB_HEAP_LIMITS, always on)
 *
 * Each is sampled idle (after the start settles) and after a burst of HTTPS
 * requests (500 GETs of the login page and the health endpoint); printed
 * with the file-backed part (the node binary's pages: the same whatever the
 * heap) apart from the anonymous part (heaps, SQLite caches, buffers), and
 * the ratio capped/default.
 *
 *   npm run bench memory -- [--settle-ms 20000]
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { freePort } from './support/gateway-under-test.js';
import { ROOT, stopChild } from './support/processes.js';
import { serviceNodeFlags } from './support/service-flags.js';

const CAPPED = serviceNodeFlags();
const MAIN = join(ROOT, 'dist/src/main.js');

interface Rss {
  rss: number;
  file: number;
  anon: number;
}

function rssOf(pid: number): Rss {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) / 1024;
  return { rss: kb('VmRSS'), file: kb('RssFile'), anon: kb('RssAnon') };
}

async function buildIfStale(): Promise<void> {
  const src = statSync(join(ROOT, 'src/main.ts')).mtimeMs;
  if (existsSync(MAIN) && statSync(MAIN).mtimeMs >= src) return;
  await promisify(execFile)('npm', ['run', 'build'], { cwd: ROOT, timeout: 300_000 });
}

function get(port: number, path: string): Promise<void> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, rejectUnauthorized: false }, (res) => {
      res.resume();
      res.on('end', () => resolve());
    });
    req.on('error', () => resolve());
    req.end();
  });
}

async function measure(flags: string[], settleMs: number): Promise<{ idle: Rss; loaded: Rss }> {
  const dir = mkdtempSync(join(tmpdir(), 'wattgate-memory-'));
  const [modbus, web] = [await freePort(), await freePort()];
  const args = [
    ...flags,
    MAIN,
    'demo',
    '--data-dir',
    dir,
    '--modbus-port',
    String(modbus),
    '--web-port',
    String(web),
  ];
  const child: ChildProcess = spawn(process.execPath, args, { stdio: 'ignore' });
  try {
    await new Promise((r) => setTimeout(r, settleMs));
    const pid = child.pid as number;
    const idle = rssOf(pid);
    for (let i = 0; i < 250; i++) await Promise.all([get(web, '/login'), get(web, '/api/v1/health')]);
    await new Promise((r) => setTimeout(r, 2000));
    return { idle, loaded: rssOf(pid) };
  } finally {
    await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
  }
}

const fmt = (r: Rss) => `${r.rss.toFixed(0)} MiB (file ${r.file.toFixed(0)}, anonymous ${r.anon.toFixed(0)})`;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'settle-ms': { type: 'string', default: '20000' } } });
  const settleMs = Math.max(5000, Number(values['settle-ms']));
  await buildIfStale();
  const d = await measure([], settleMs);
  const c = await measure(CAPPED, settleMs);
  console.log('memory of `wattgate demo` (dist/), resident:');
  console.log(`  default heap sizes: idle ${fmt(d.idle)}; after 500 HTTPS requests ${fmt(d.loaded)}`);
  console.log(
    `  capped (${CAPPED.join(' ')}): idle ${fmt(c.idle)}; after 500 HTTPS requests ${fmt(c.loaded)}`,
  );
  console.log(
    `ratio capped/default: idle ×${(c.idle.rss / d.idle.rss).toFixed(2)}, loaded ×${(c.loaded.rss / d.loaded.rss).toFixed(2)}; ` +
      `goal idle ≤ 80 MiB: ${c.idle.rss <= 80 ? 'met' : 'NOT met'}`,
  );
}

await main();
