/**
 * Login flood vs Modbus latency (`npm run bench login-flood`; SECURITY J1):
 * does a flood of wrong logins against the HTTPS API slow the Modbus gateway
 * down? Password hashing is bounded (1 at a time, 4 queued, the rest 429) and
 * runs on libuv's thread pool, so it should barely move Modbus latency.
 *
 * The real Wattgate process (`wattgate start`) serves Modbus and HTTPS on
 * loopback in front of the simulator (both separate processes). Each run
 * measures FC 3 latency at 1 connection with the libmodbus load client, first
 * without, then during a flood: 32 concurrent HTTPS clients posting wrong
 * passwords for unknown and known accounts from 64 loopback source addresses
 * (127.0.0.2–65, so the per-source delay does not stop the flood at once).
 * Runs are interleaved; medians are printed as ratios flood/baseline.
 *
 *   npm run bench login-flood -- [--runs 3] [--duration-ms 3000]
 *   FLOOD_KEEPALIVE=1 …   reuse TLS connections (without it every attempt is a new handshake)
 */
import { Agent, request } from 'node:https';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { freePort, startGatewayForBench } from './support/gateway-under-test.js';
import { buildLoadClient, type LoadResult, runLoad, startSimProcess } from './support/processes.js';

const VIRTUAL_ID = 10;
const CLIENTS = 32;
const SOURCES = 64;

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? Number.NaN;

function post(port: number, source: string, body: string, agent: Agent): Promise<number> {
  return new Promise((resolve) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/api/v1/auth/login',
        method: 'POST',
        localAddress: source,
        agent,
        rejectUnauthorized: false,
        headers: { 'content-type': 'application/json', origin: `https://127.0.0.1:${port}` },
        timeout: 10_000,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', () => resolve(-1));
    req.on('timeout', () => req.destroy());
    req.end(body);
  });
}

/** Runs the flood until `stop` resolves; returns the count of answers per HTTP status. */
async function flood(port: number, until: Promise<void>): Promise<Record<string, number>> {
  let running = true;
  void until.then(() => {
    running = false;
  });
  const counts: Record<string, number> = {};
  const agent = new Agent({ keepAlive: process.env.FLOOD_KEEPALIVE === '1', maxSockets: CLIENTS });
  let n = 0;
  const worker = async (w: number) => {
    while (running) {
      const source = `127.0.0.${2 + ((n + w) % SOURCES)}`;
      const name = n % 4 === 0 ? 'admin' : `nobody-${n}`;
      n++;
      const status = await post(
        port,
        source,
        JSON.stringify({ name, password: `Wrong-Passw0rd-${n}` }),
        agent,
      );
      counts[status] = (counts[status] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, (_, w) => worker(w)));
  agent.destroy();
  return counts;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { runs: { type: 'string', default: '3' }, 'duration-ms': { type: 'string', default: '3000' } },
  });
  const runs = Math.max(1, Math.min(10, Number(values.runs)));
  const durationMs = Math.max(1000, Math.min(30_000, Number(values['duration-ms'])));
  const binary = await buildLoadClient();
  const sim = await startSimProcess([1]);
  const webPort = await freePort();
  const gw = await startGatewayForBench({ downstreamPort: sim.port, virtualId: VIRTUAL_ID, webPort });
  const spec = { port: gw.port, unit: VIRTUAL_ID, connections: 1, quantity: 1, durationMs };
  const base: LoadResult[] = [];
  const during: LoadResult[] = [];
  const statuses: Record<string, number> = {};
  try {
    await runLoad(binary, { ...spec, durationMs: 500 });
    for (let run = 1; run <= runs; run++) {
      base.push(await runLoad(binary, spec));
      let stop = () => {};
      const done = new Promise<void>((r) => {
        stop = r;
      });
      const flooding = flood(webPort, done);
      during.push(await runLoad(binary, spec));
      stop();
      for (const [k, v] of Object.entries(await flooding)) statuses[k] = (statuses[k] ?? 0) + v;
      process.stderr.write(
        `run ${run}/${runs}: base p50 ${base.at(-1)?.p50Us} µs, flood p50 ${during.at(-1)?.p50Us} µs\n`,
      );
    }
  } finally {
    await gw.stop();
    await sim.stop();
  }
  const row = (rs: LoadResult[]) => ({
    txPerS: Math.round(median(rs.map((r) => r.txPerS))),
    p50Us: median(rs.map((r) => r.p50Us)),
    p99Us: median(rs.map((r) => r.p99Us)),
  });
  const b = row(base);
  const f = row(during);
  const ratio = { p50: f.p50Us / b.p50Us, p99: f.p99Us / b.p99Us, txPerS: f.txPerS / b.txPerS };
  console.log(
    `\nLogin flood vs Modbus latency — FC 3 × 1 at 1 connection, medians of ${runs} runs × ${durationMs} ms`,
  );
  console.log(
    `${cpus().length} CPUs; Wattgate, simulator, load client (C) and the flood (this process) share them`,
  );
  console.log(`baseline : ${b.txPerS} tx/s, p50 ${b.p50Us} µs, p99 ${b.p99Us} µs`);
  console.log(`flood    : ${f.txPerS} tx/s, p50 ${f.p50Us} µs, p99 ${f.p99Us} µs`);
  console.log(
    `ratio flood/baseline: p50 ${ratio.p50.toFixed(2)}, p99 ${ratio.p99.toFixed(2)}, tx/s ${ratio.txPerS.toFixed(2)}`,
  );
  console.log(`login answers during the floods (HTTP status → count): ${JSON.stringify(statuses)}`);
  console.log(
    `\nBENCH_JSON ${JSON.stringify({ bench: 'login-flood', runs, durationMs, baseline: b, flood: f, ratio, statuses })}`,
  );
}

main().catch((e: unknown) => {
  console.error(`bench login-flood failed: ${(e as Error).stack ?? String(e)}`);
  process.exit(1);
});
