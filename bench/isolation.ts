/**
 * The Modbus path under web load (`npm run bench isolation`; PRODUCT G5, E1;
 * SECURITY J1, J2; issue 14): does a busy web UI slow the gateway down?
 *
 * The real Wattgate process (`wattgate start`) serves Modbus and HTTPS on
 * loopback in front of the TCP simulator (its own process); one device is
 * routed at unit 10 and sampled every minute, and the history holds one
 * back-filled year of it. Each run measures the gateway with the libmodbus
 * load client — 32 connections, FC 3 × 1 register through unit 10 — first
 * alone, then while bench/support/https-load-client.ts (its own process)
 * saturates HTTPS with the routes the UI uses: live values, a one-year
 * history query, an audit export and failed logins. Medians over the runs,
 * printed as ratios loaded/alone.
 *
 * Goal (issue 14): throughput ratio ≥ 0.8 and p99 ≤ 2× alone.
 *
 *   npm run bench isolation -- [--runs 3] [--duration-ms 3000] [--clients 20]
 *        [--connections 32] [--mix live,history,export,login] [--load-nice 0]
 *        [--node-flags="…"]  (node flags of wattgate; default: the systemd unit's)
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { Value } from 'typebox/value';
import { backfillHistory } from '../sim/demo-history.js';
import { type HistoryConfig, HistorySchema } from '../src/config/schema-history.js';
import { freePort, type GatewayUnderTest, startWattgate } from './support/gateway-under-test.js';
import {
  buildLoadClient,
  type LoadResult,
  ROOT,
  runLoad,
  type SimProcess,
  startSimProcess,
  stopChild,
} from './support/processes.js';

const VIRTUAL_ID = 10;
const SERIES = 'modbus:1_mb_PTot';
const PASSWORD = 'Bench-Passw0rd!';
const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? Number.NaN;

function options() {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '3' },
      'duration-ms': { type: 'string', default: '3000' },
      clients: { type: 'string', default: '20' },
      connections: { type: 'string', default: '32' },
      mix: { type: 'string', default: 'live,history,export,login' },
      'load-nice': { type: 'string', default: '0' },
      'node-flags': { type: 'string' },
    },
  });
  return {
    runs: Math.max(1, Math.min(20, Number(values.runs))),
    durationMs: Math.max(1000, Math.min(30_000, Number(values['duration-ms']))),
    clients: Math.max(1, Math.min(200, Number(values.clients))),
    connections: Math.max(1, Math.min(128, Number(values.connections))),
    mix: values.mix ?? '',
    loadNice: Math.max(0, Math.min(19, Number(values['load-nice']))),
    nodeFlags: values['node-flags']?.split(/\s+/).filter((f) => f !== ''),
  };
}

function config(modbusPort: number, webPort: number, simPort: number): unknown {
  return {
    system: { name: 'Wattgate isolation benchmark' },
    networks: { BENCH: { addresses: ['127.0.0.1'], description: 'benchmark loopback' } },
    modbus: {
      server: { port: modbusPort, enabled: { BENCH: true }, maxConnections: 64, maxConnectionsPerSource: 64 },
      serialLines: [],
    },
    web: { port: webPort, enabled: { BENCH: true } },
    devices: {
      nextId: 2,
      list: [
        {
          id: 1,
          name: 'Incomer',
          model: 'wattgate-demo-meter',
          location: { kind: 'tcp', host: '127.0.0.1', port: simPort, unit: 1 },
          virtualId: VIRTUAL_ID,
          periodMinutes: 1,
        },
      ],
    },
  };
}

/** One year of the device's history, every 15 minutes (the one-year query has something to read). */
function backfill(dataDir: string): void {
  backfillHistory({
    path: join(dataDir, 'history.db'),
    settings: Value.Default(HistorySchema, {}) as HistoryConfig,
    devices: [{ id: 1, name: 'Incomer', usage: 'main', zone: 'Building', keys: ['PTot', 'EActDelTot'] }],
    now: Date.now(),
    days: 365,
    stepMs: 15 * 60_000,
  });
}

interface Reply {
  status: number;
  body: string;
  cookie: string | undefined;
}

function call(
  port: number,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  return new Promise<Reply>((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method,
        rejectUnauthorized: false,
        headers: {
          origin: `https://127.0.0.1:${port}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (c: string) => {
          text += c;
        });
        res.on('end', () => {
          const cookie = res.headers['set-cookie']?.[0]?.split(';')[0];
          resolve({ status: res.statusCode ?? 0, body: text, cookie });
        });
      },
    );
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/** Sets the first admin password with the device code, then creates an admin API token. */
async function adminToken(gw: GatewayUnderTest, webPort: number): Promise<string> {
  // The web part starts after the gateway answers: wait for its port.
  for (let tries = 0; ; tries++) {
    try {
      await call(webPort, 'GET', '/api/v1/health');
      break;
    } catch (e) {
      if (tries > 100) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const deviceCode = readFileSync(join(gw.dataDir, 'device-code'), 'utf8').trim();
  const first = await call(webPort, 'POST', '/api/v1/auth/first-start', { deviceCode, password: PASSWORD });
  if (first.status !== 200 || first.cookie === undefined)
    throw new Error(`first start: ${first.status} ${first.body}`);
  const { csrfToken } = JSON.parse(first.body) as { csrfToken: string };
  const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
  const made = await call(
    webPort,
    'POST',
    '/api/v1/tokens',
    { name: 'bench', role: 'admin', expiresAt },
    { cookie: first.cookie, 'x-csrf-token': csrfToken },
  );
  if (made.status !== 201) throw new Error(`token: ${made.status} ${made.body}`);
  return (JSON.parse(made.body) as { token: string }).token;
}

interface WebLoad {
  stop(): Promise<unknown>;
}

async function startWebLoad(webPort: number, token: string, o: ReturnType<typeof options>): Promise<WebLoad> {
  const script = join(ROOT, 'bench/support/https-load-client.ts');
  const args = ['--import', 'tsx', script, '--port', String(webPort), '--token', token, '--series', SERIES];
  args.push('--clients', String(o.clients), '--mix', o.mix);
  const child: ChildProcess = spawn('nice', ['-n', String(o.loadNice), process.execPath, ...args], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const next = () =>
    new Promise<string>((ok, fail) => {
      const timer = setTimeout(() => fail(new Error('https load client: no answer within 30 s')), 30_000);
      lines.once('line', (l) => {
        clearTimeout(timer);
        ok(l);
      });
    });
  try {
    await next();
  } catch (e) {
    await stopChild(child);
    throw e;
  }
  return {
    async stop() {
      const last = next();
      child.stdin?.end();
      const out = JSON.parse(await last) as unknown;
      await new Promise((ok) => (child.exitCode === null ? child.once('exit', ok) : ok(null)));
      return out;
    },
  };
}

const fmt = (r: LoadResult) => `${Math.round(r.txPerS)} tx/s, p50 ${r.p50Us} µs, p99 ${r.p99Us} µs`;

async function main(): Promise<void> {
  const o = options();
  const binary = await buildLoadClient();
  const sim: SimProcess = await startSimProcess([1]);
  const webPort = await freePort();
  let gw: GatewayUnderTest | undefined;
  try {
    gw = await startWattgate({
      config: (port) => config(port, webPort, sim.port),
      readyUnit: VIRTUAL_ID,
      prepare: backfill,
      ...(o.nodeFlags === undefined ? {} : { nodeFlags: o.nodeFlags }),
    });
    const token = await adminToken(gw, webPort);
    const spec = {
      port: gw.port,
      unit: VIRTUAL_ID,
      connections: o.connections,
      quantity: 1,
      durationMs: o.durationMs,
    };
    console.log(
      `isolation: ${o.runs} runs × ${o.durationMs} ms, Modbus ${o.connections} connections FC 3 × 1 through unit ${VIRTUAL_ID}; ` +
        `HTTPS ${o.clients} clients (${o.mix}), nice ${o.loadNice}`,
    );
    await runLoad(binary, { ...spec, durationMs: 1000 }); // warm-up
    const alone: LoadResult[] = [];
    const loaded: LoadResult[] = [];
    let web: unknown;
    for (let i = 0; i < o.runs; i++) {
      alone.push(await runLoad(binary, spec));
      const load = await startWebLoad(webPort, token, o);
      await new Promise((r) => setTimeout(r, 500)); // the web load reaches its pace
      loaded.push(await runLoad(binary, spec));
      web = await load.stop();
      console.log(
        `  run ${i + 1}: alone ${fmt(alone[i] as LoadResult)} | with web load ${fmt(loaded[i] as LoadResult)}`,
      );
    }
    const ratio = (f: (r: LoadResult) => number) => median(loaded.map(f)) / median(alone.map(f));
    const tput = ratio((r) => r.txPerS);
    const p99 = ratio((r) => r.p99Us);
    const p50 = ratio((r) => r.p50Us);
    console.log(`  web load answered (last run): ${JSON.stringify(web)}`);
    console.log(
      `ratio loaded/alone (medians): throughput ×${tput.toFixed(2)}, p50 ×${p50.toFixed(2)}, p99 ×${p99.toFixed(2)}`,
    );
    console.log(
      `goal throughput ≥ 0.8: ${tput >= 0.8 ? 'met' : 'NOT met'}; p99 ≤ 2× alone: ${p99 <= 2 ? 'met' : 'NOT met'}`,
    );
  } finally {
    await gw?.stop();
    await sim.stop();
  }
}

await main();
