/**
 * The HTTPS load of the isolation benchmark, in its own process: what a busy
 * web UI does to Wattgate — `CLIENTS` concurrent HTTPS clients, each on one
 * route of the mix, closed loop (each sends its next request when the last is
 * answered, so the load is as high as the server lets it be):
 *
 *   live      GET /api/v1/devices/1/values           (the monitoring page's polling)
 *   history   GET /api/v1/history/downsample         (one year of one series, 1000 buckets)
 *   export    GET /api/v1/audit/export?format=csv    (an audit log download)
 *   login     POST /api/v1/auth/login, wrong password (an attacker on the login page)
 *
 * GETs carry an admin API token and reuse their TLS connection (a browser
 * does); logins come from 64 loopback source addresses, a new connection
 * each. Prints `{"ready":true}` once running; when stdin closes, prints one
 * JSON line: per route the count of answers by status and the median latency.
 *
 *   node --import tsx bench/support/https-load-client.ts --port P --token T --series S
 *        [--clients 20] [--mix live,history,export,login]
 */
import { Agent, request } from 'node:https';
import { parseArgs } from 'node:util';

type Route = 'live' | 'history' | 'export' | 'login';

interface Stats {
  statuses: Record<string, number>;
  latencies: number[];
}

const YEAR = 365 * 86_400_000;

function pathOf(route: Route, series: string): string {
  const now = Date.now();
  switch (route) {
    case 'live':
      return '/api/v1/devices/1/values';
    case 'history':
      return `/api/v1/history/downsample?series=${encodeURIComponent(series)}&from=${now - YEAR}&to=${now}&buckets=1000`;
    case 'export':
      return '/api/v1/audit/export?format=csv';
    case 'login':
      return '/api/v1/auth/login';
  }
}

function send(port: number, route: Route, token: string, series: string, agent: Agent, n: number) {
  const login = route === 'login';
  const started = performance.now();
  return new Promise<{ status: number; ms: number }>((resolve) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: pathOf(route, series),
        method: login ? 'POST' : 'GET',
        agent,
        rejectUnauthorized: false,
        ...(login ? { localAddress: `127.0.0.${2 + (n % 64)}` } : {}),
        headers: login
          ? { 'content-type': 'application/json', origin: `https://127.0.0.1:${port}` }
          : { authorization: `Bearer ${token}` },
        timeout: 30_000,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started }));
      },
    );
    req.on('error', () => resolve({ status: -1, ms: performance.now() - started }));
    req.on('timeout', () => req.destroy());
    req.end(login ? JSON.stringify({ name: `nobody${n % 97}`, password: 'Wrong-Passw0rd!' }) : undefined);
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      token: { type: 'string' },
      series: { type: 'string' },
      clients: { type: 'string', default: '20' },
      mix: { type: 'string', default: 'live,history,export,login' },
    },
  });
  const port = Number(values.port);
  const token = values.token ?? '';
  const series = values.series ?? '';
  const mix = (values.mix ?? '').split(',').filter(Boolean) as Route[];
  const clients = Number(values.clients);
  const stats = Object.fromEntries(
    mix.map((r): [Route, Stats] => [r, { statuses: {}, latencies: [] }]),
  ) as Record<Route, Stats>;
  let running = true;
  const loops = Array.from({ length: clients }, async (_, i) => {
    const route = mix[i % mix.length] as Route;
    const agent = new Agent({ keepAlive: route !== 'login', maxSockets: 1 });
    for (let n = i; running; n += clients) {
      const r = await send(port, route, token, series, agent, n);
      const s = stats[route];
      s.statuses[r.status] = (s.statuses[r.status] ?? 0) + 1;
      if (s.latencies.length < 100_000) s.latencies.push(r.ms);
    }
    agent.destroy();
  });
  process.stdout.write('{"ready":true}\n');
  process.stdin.resume();
  await new Promise((r) => process.stdin.on('end', r).on('close', r));
  running = false;
  await Promise.race([Promise.all(loops), new Promise((r) => setTimeout(r, 5000))]);
  const out = Object.fromEntries(
    Object.entries(stats).map(([route, s]) => {
      const sorted = [...s.latencies].sort((a, b) => a - b);
      return [
        route,
        { statuses: s.statuses, p50Ms: Math.round((sorted[sorted.length >> 1] ?? 0) * 10) / 10 },
      ];
    }),
  );
  process.stdout.write(`${JSON.stringify(out)}\n`);
  process.exit(0);
}

void main();
