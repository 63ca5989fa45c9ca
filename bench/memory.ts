/**
 * Memory of the whole application (`npm run bench memory`; issue 14 item 6),
 * from the compiled code (dist/, built first when missing or older than the
 * sources), as a service runs it, in two modes:
 *
 *   start      `wattgate start` as commissioned out of the box: Modbus server
 *              and HTTPS on loopback, no device yet (the idle goal's case)
 *   demo       `wattgate demo`: history with 28 back-filled days, wireless
 *              sensors, TCP and serial meters sampled every minute, digital
 *              inputs (the simulators run in the same process)
 *
 * each under two sets of flags:
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
 *   npm run bench memory -- [--settle-ms 20000] [--mode start|demo|both]
 *       [--flags "…"]   (replaces the unit's flags for the capped case)
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { CONFIG_SCHEMA_VERSION } from '../src/config/schema.js';
import { freePort } from './support/gateway-under-test.js';
import { ROOT, stopChild } from './support/processes.js';
import { serviceNodeFlags } from './support/service-flags.js';

type Mode = 'start' | 'demo';
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

/** The newest modification time of a file under `dir`. */
function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

async function buildIfStale(): Promise<void> {
  if (existsSync(MAIN) && statSync(MAIN).mtimeMs >= newest(join(ROOT, 'src'))) return;
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

/** The arguments of `mode` on data directory `dir`; `start` gets its configuration imported first. */
async function commandFor(mode: Mode, dir: string, modbus: number, web: number): Promise<string[]> {
  if (mode === 'demo') {
    return ['demo', '--data-dir', dir, '--modbus-port', String(modbus), '--web-port', String(web)];
  }
  const config = {
    system: { name: 'Wattgate memory benchmark' },
    networks: { LO: { addresses: ['127.0.0.1'], description: 'loopback' } },
    modbus: { server: { port: modbus, enabled: { LO: true } }, serialLines: [] },
    web: { port: web, enabled: { LO: true } },
  };
  const file = join(dir, 'config.json');
  const bootstrap = join(dir, 'bootstrap.json');
  const data = join(dir, 'data');
  writeFileSync(file, JSON.stringify({ format: 'wattgate-config', version: CONFIG_SCHEMA_VERSION, config }));
  writeFileSync(bootstrap, JSON.stringify({ dataDir: data, logLevel: 'warn' }));
  const common = ['--bootstrap', bootstrap, '--data-dir', data];
  await promisify(execFile)(process.execPath, [MAIN, 'config', 'import', file, ...common], {
    timeout: 60_000,
  });
  return ['start', ...common];
}

async function measure(mode: Mode, flags: string[], settleMs: number): Promise<{ idle: Rss; loaded: Rss }> {
  const dir = mkdtempSync(join(tmpdir(), 'wattgate-memory-'));
  const [modbus, web] = [await freePort(), await freePort()];
  const args = [...flags, MAIN, ...(await commandFor(mode, dir, modbus, web))];
  const child: ChildProcess = spawn(process.execPath, args, { stdio: 'ignore' });
  try {
    await new Promise((r) => setTimeout(r, settleMs));
    if (child.exitCode !== null) throw new Error(`wattgate ${mode} exited with ${child.exitCode}`);
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
  const { values } = parseArgs({
    options: {
      'settle-ms': { type: 'string', default: '20000' },
      mode: { type: 'string', default: 'both' },
      flags: { type: 'string' },
    },
  });
  const settleMs = Math.max(5000, Number(values['settle-ms']));
  const modes: Mode[] = values.mode === 'both' ? ['start', 'demo'] : [values.mode as Mode];
  if (!modes.every((m) => m === 'start' || m === 'demo'))
    throw new Error('--mode must be start, demo or both');
  const capped = values.flags === undefined ? serviceNodeFlags() : values.flags.split(/\s+/).filter(Boolean);
  await buildIfStale();
  const json: Record<string, unknown> = {};
  for (const mode of modes) {
    const d = await measure(mode, [], settleMs);
    const c = await measure(mode, capped, settleMs);
    console.log(`memory of \`wattgate ${mode}\` (dist/), resident:`);
    console.log(`  default heap sizes: idle ${fmt(d.idle)}; after 500 HTTPS requests ${fmt(d.loaded)}`);
    console.log(
      `  capped (${capped.join(' ')}): idle ${fmt(c.idle)}; after 500 HTTPS requests ${fmt(c.loaded)}`,
    );
    console.log(
      `  ratio capped/default: idle ×${(c.idle.rss / d.idle.rss).toFixed(2)}, loaded ×${(c.loaded.rss / d.loaded.rss).toFixed(2)}; ` +
        `goal idle ≤ 80 MiB: ${c.idle.rss <= 80 ? 'met' : 'NOT met'}`,
    );
    json[mode] = { default: d, capped: c, flags: capped };
  }
  console.log(`BENCH_JSON ${JSON.stringify({ bench: 'memory', settleMs, ...json })}`);
}

await main();
