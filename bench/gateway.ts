/**
 * Gateway benchmark (`npm run bench:gateway`): FC 3 reads of 1 and 125
 * registers over 1 and 32 connections, against the simulator directly and
 * through the real Wattgate gateway (bench/support/gateway-under-test.ts), in
 * the same run, interleaved, ≥3 runs each; reports medians of transactions/s,
 * the ratio gateway/direct, and the latency the gateway adds at 1 connection —
 * next to what a bare Node TCP byte pipe adds (bench/support/byte-pipe.ts), the
 * cost of the extra hop alone.
 * Goals (issue acceptance): ratio ≥ 0.5 at 32 connections; added latency at 1
 * connection p50 ≤ 50 µs, p99 ≤ 250 µs.
 *
 * Three processes that share no event loop: the C load client (libmodbus, one
 * thread per connection), the simulator (node) and the gateway (node). Every
 * measurement is bounded (--duration-ms, default 3000). Output: a table and one
 * `BENCH_JSON {…}` line for the issue note.
 *
 *   npm run bench:gateway -- [--runs 3] [--duration-ms 3000] [--direct-only] [--pin]
 *                            [--sim-port P] [--gateway-port P]
 * --pin: gateway on CPU 0, simulator on CPU 1, load client unpinned (on 2 CPUs
 * this measured worse latency than leaving the OS free; off by default).
 * --sim-port / --gateway-port: measure processes already running (unit 1 on
 * the simulator, virtual id 10 on the gateway) instead of starting them.
 */
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { type GatewayUnderTest, startGatewayForBench } from './support/gateway-under-test.js';
import {
  buildLoadClient,
  type LoadResult,
  pinProcess,
  runLoad,
  type SimProcess,
  startPipeProcess,
  startSimProcess,
} from './support/processes.js';

const QUANTITIES = [1, 125] as const;
const CONNECTIONS = [1, 32] as const;
const SIM_UNIT = 1;
const VIRTUAL_ID = 10;
const GOALS = { ratioAt32: 0.5, addedP50Us: 50, addedP99Us: 250 } as const;

interface Target {
  readonly name: 'direct' | 'gateway' | 'pipe';
  readonly port: number;
  readonly unit: number;
}

interface Cell {
  readonly txPerS: number;
  readonly p50Us: number;
  readonly p99Us: number;
  readonly errors: number;
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? Number.NaN : s.length % 2 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
};

const key = (t: string, q: number, c: number) => `${t}/${q}/${c}`;

function options() {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '3' },
      'duration-ms': { type: 'string', default: '3000' },
      'direct-only': { type: 'boolean', default: false },
      pin: { type: 'boolean', default: false },
      'sim-port': { type: 'string' },
      'gateway-port': { type: 'string' },
    },
  });
  const port = (v: string | undefined) => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!(Number.isInteger(n) && n > 0 && n < 65536)) throw new Error(`bad port ${v}`);
    return n;
  };
  const runs = Number(values.runs);
  const durationMs = Number(values['duration-ms']);
  if (!(Number.isInteger(runs) && runs >= 1 && runs <= 20)) throw new Error('--runs must be 1..20');
  if (!(durationMs >= 200 && durationMs <= 60_000)) throw new Error('--duration-ms must be 200..60000');
  const simPort = port(values['sim-port']);
  const gatewayPort = port(values['gateway-port']);
  return { runs, durationMs, directOnly: values['direct-only'], pin: values.pin, simPort, gatewayPort };
}

function sharing(pin: boolean, gateway: boolean): string {
  const n = cpus().length;
  const who = gateway
    ? 'load client (C), simulator (node) and gateway (node)'
    : 'load client (C) and simulator (node)';
  if (!pin)
    return `${n} CPUs, no pinning: the ${who} are separate processes scheduled by the OS over all ${n} CPUs`;
  return `${n} CPUs, pinned: gateway on CPU 0, simulator on CPU 1, load client unpinned (CPUs 0-${n - 1})`;
}

type Opts = ReturnType<typeof options>;

async function startGateway(sim: SimProcess, opts: Opts): Promise<GatewayUnderTest | string> {
  if (opts.directOnly) return 'not run (--direct-only)';
  if (opts.gatewayPort !== undefined) return external(opts.gatewayPort);
  const pin = opts.pin;
  try {
    const gw = await startGatewayForBench({
      downstreamPort: sim.port,
      virtualId: VIRTUAL_ID,
      unitId: SIM_UNIT,
    });
    if (pin) await pinProcess(gw.pid, '0');
    return gw;
  } catch (e) {
    return (e as Error).message.split('\n')[0] ?? 'unknown error';
  }
}

async function measureAll(binary: string, targets: Target[], runs: number, durationMs: number) {
  const results = new Map<string, LoadResult[]>();
  for (const t of targets) {
    await runLoad(binary, { port: t.port, unit: t.unit, connections: 32, quantity: 1, durationMs: 500 });
  }
  for (let run = 1; run <= runs; run++) {
    for (const quantity of QUANTITIES) {
      for (const connections of CONNECTIONS) {
        for (const t of targets) {
          const r = await runLoad(binary, { port: t.port, unit: t.unit, connections, quantity, durationMs });
          const k = key(t.name, quantity, connections);
          results.set(k, [...(results.get(k) ?? []), r]);
          process.stderr.write(
            `run ${run}/${runs} qty ${quantity} conns ${connections} ${t.name}: ${r.txPerS.toFixed(0)} tx/s\n`,
          );
        }
      }
    }
  }
  return results;
}

function summarise(rs: LoadResult[] | undefined): Cell | undefined {
  if (rs === undefined || rs.length === 0) return undefined;
  return {
    txPerS: Math.round(median(rs.map((r) => r.txPerS))),
    p50Us: median(rs.map((r) => r.p50Us)),
    p99Us: median(rs.map((r) => r.p99Us)),
    errors: rs.reduce((a, r) => a + r.errors + r.failedConnections, 0),
  };
}

const pad = (v: unknown, n: number) => String(v ?? '–').padStart(n);

function report(results: Map<string, LoadResult[]>, meta: Record<string, unknown>, gatewayNote: string) {
  const rows = [];
  console.log(`\nModbus TCP gateway benchmark — FC 3, medians of ${meta.runs} runs × ${meta.durationMs} ms`);
  console.log(meta.cores);
  console.log(`gateway: ${gatewayNote}\n`);
  console.log(
    `${'qty'.padStart(4)}${'conns'.padStart(6)} │ ${'direct tx/s'.padStart(11)}${'p50µs'.padStart(7)}${'p99µs'.padStart(7)} │ ${'gw tx/s'.padStart(9)}${'p50µs'.padStart(7)}${'p99µs'.padStart(7)} │ ${'gw/direct'.padStart(9)}`,
  );
  for (const q of QUANTITIES) {
    for (const c of CONNECTIONS) {
      const d = summarise(results.get(key('direct', q, c)));
      const g = summarise(results.get(key('gateway', q, c)));
      const ratio = d && g ? Math.round((g.txPerS / d.txPerS) * 100) / 100 : undefined;
      rows.push({ quantity: q, connections: c, direct: d, gateway: g, ratio });
      console.log(
        `${pad(q, 4)}${pad(c, 6)} │ ${pad(d?.txPerS, 11)}${pad(d?.p50Us, 7)}${pad(d?.p99Us, 7)} │ ${pad(g?.txPerS, 9)}${pad(g?.p50Us, 7)}${pad(g?.p99Us, 7)} │ ${pad(ratio, 9)}${(d?.errors ?? 0) + (g?.errors ?? 0) > 0 ? '  (errors!)' : ''}`,
      );
    }
  }
  return rows;
}

/** What a bare Node byte pipe adds at 1 connection: the cost of the extra hop alone. */
function pipeBaseline(results: Map<string, LoadResult[]>) {
  const out: Record<string, { p50Us: number; p99Us: number; txPerS: number }> = {};
  for (const q of QUANTITIES) {
    const d = summarise(results.get(key('direct', q, 1)));
    const p = summarise(results.get(key('pipe', q, 1)));
    if (!d || !p) continue;
    out[`qty${q}`] = { p50Us: p.p50Us - d.p50Us, p99Us: p.p99Us - d.p99Us, txPerS: p.txPerS };
    console.log(
      `bare Node byte pipe at 1 connection, qty${q}: adds p50 ${p.p50Us - d.p50Us} µs, p99 ${p.p99Us - d.p99Us} µs (${p.txPerS} tx/s)`,
    );
  }
  return out;
}

function verdict(rows: ReturnType<typeof report>) {
  const added: Record<string, { p50Us: number; p99Us: number }> = {};
  for (const r of rows.filter((x) => x.connections === 1 && x.direct && x.gateway)) {
    added[`qty${r.quantity}`] = {
      p50Us: (r.gateway?.p50Us ?? 0) - (r.direct?.p50Us ?? 0),
      p99Us: (r.gateway?.p99Us ?? 0) - (r.direct?.p99Us ?? 0),
    };
  }
  const ratios32 = rows.filter((r) => r.connections === 32 && r.ratio !== undefined).map((r) => r.ratio ?? 0);
  const addedList = Object.values(added);
  const goals =
    addedList.length === 0
      ? undefined
      : {
          ratioAt32: Math.min(...ratios32) >= GOALS.ratioAt32,
          addedP50: addedList.every((a) => a.p50Us <= GOALS.addedP50Us),
          addedP99: addedList.every((a) => a.p99Us <= GOALS.addedP99Us),
        };
  for (const [k, a] of Object.entries(added)) {
    console.log(`added latency at 1 connection, ${k}: p50 ${a.p50Us} µs, p99 ${a.p99Us} µs`);
  }
  if (goals) {
    const ok = (b: boolean) => (b ? 'met' : 'NOT met');
    console.log(`goal ratio ≥ ${GOALS.ratioAt32} at 32 connections: ${ok(goals.ratioAt32)}`);
    console.log(
      `goal added p50 ≤ ${GOALS.addedP50Us} µs: ${ok(goals.addedP50)}; p99 ≤ ${GOALS.addedP99Us} µs: ${ok(goals.addedP99)}`,
    );
  }
  return { added, goals };
}

/** A process started by someone else: nothing to stop. */
function external(port: number): GatewayUnderTest & SimProcess {
  return { port, pid: undefined, dataDir: '', stop: async () => {} };
}

async function main(): Promise<void> {
  const opts = options();
  const binary = await buildLoadClient();
  const sim = opts.simPort === undefined ? await startSimProcess([SIM_UNIT]) : external(opts.simPort);
  let gateway: GatewayUnderTest | string = 'not run';
  let pipe: SimProcess | undefined;
  const stopAll = async () => {
    if (typeof gateway !== 'string') await gateway.stop();
    await pipe?.stop();
    await sim.stop();
  };
  process.once('SIGINT', () => void stopAll().then(() => process.exit(130)));
  try {
    if (opts.pin && sim.pid !== undefined) await pinProcess(sim.pid, '1');
    gateway = await startGateway(sim, opts);
    const targets: Target[] = [{ name: 'direct', port: sim.port, unit: SIM_UNIT }];
    if (typeof gateway !== 'string') targets.push({ name: 'gateway', port: gateway.port, unit: VIRTUAL_ID });
    if (!opts.directOnly) {
      pipe = await startPipeProcess(sim.port);
      targets.push({ name: 'pipe', port: pipe.port, unit: SIM_UNIT });
    }
    const gatewayNote =
      typeof gateway === 'string'
        ? `NOT measured: ${gateway}`
        : `measured on port ${gateway.port}${gateway.pid === undefined ? ' (external process, --gateway-port)' : ''}`;
    const cores = sharing(opts.pin, typeof gateway !== 'string');
    const meta = { runs: opts.runs, durationMs: opts.durationMs, cores };
    const results = await measureAll(binary, targets, opts.runs, opts.durationMs);
    const rows = report(results, meta, gatewayNote);
    const pipeAddedAt1Us = pipeBaseline(results);
    const { added, goals } = verdict(rows);
    const json = {
      bench: 'gateway',
      fc: 3,
      ...meta,
      cpus: cpus().length,
      gateway: gatewayNote,
      rows,
      addedLatencyAt1Us: added,
      bareNodePipeAddedAt1Us: pipeAddedAt1Us,
      goals,
    };
    console.log(`\nBENCH_JSON ${JSON.stringify(json)}`);
  } finally {
    await stopAll();
  }
}

main().catch((e: unknown) => {
  console.error(`bench:gateway failed: ${(e as Error).stack ?? String(e)}`);
  process.exit(1);
});
