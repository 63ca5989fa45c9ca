/**
 * Gateway benchmark (`npm run bench gateway`): FC 3 reads of 1 and 125
 * registers over 1 and 32 connections by the C libmodbus load client
 * (bench/modbus-load.c), in the same run, interleaved, ≥ 3 runs, against:
 * - direct:  C client → C libmodbus server (bench/modbus-server.c), the baseline;
 * - gateway: C client → the real Wattgate (`wattgate start`,
 *   bench/support/gateway-under-test.ts) → the same C server;
 * - pipe:    C client → a bare Node TCP byte pipe (bench/support/byte-pipe.ts)
 *   → the same C server: the cost of one extra hop through a Node process,
 *   the ceiling a Node gateway can reach on this machine.
 * It reports medians of transactions/s and latency, the ratios gateway/direct
 * and pipe/direct (throughput and p99), the spread of the per-run ratios (the
 * machine's noise), the latency each hop adds at 1 connection, and the goal
 * lines (issue 14: gateway/direct ≥ 0.6 at 32 connections, p99 ≤ 2 × direct).
 *
 * Separate processes that share no event loop: the load client (one thread per
 * connection), the server, the gateway (node), the pipe (node). Every
 * measurement is bounded (--duration-ms, default 3000). Output: a table and one
 * `BENCH_JSON {…}` line for the issue note.
 *
 *   npm run bench gateway -- [--runs 3] [--duration-ms 3000] [--quantities 1,125]
 *       [--downstream c|sim] [--direct-only] [--pin] [--cpu-prof DIR]
 *       [--downstream-port P] [--gateway-port P] [--node-flags "…"]
 * The gateway runs with the service's heap flags (deploy/wattgate.service);
 * --node-flags replaces them ("" for V8's defaults).
 * --downstream sim: the Node simulator (sim/main.ts tcp) instead of the C server.
 * --pin: gateway on CPU 0, downstream server on CPU 1, load client unpinned (on
 *   2 CPUs this measured worse latency than leaving the OS free; off by default).
 * --cpu-prof DIR: after the measurements, profile the gateway process (V8
 *   sampling profiler, bench/support/cpu-profile-hook.mjs) during one more
 *   32-connection FC 3 × 1 load of --duration-ms; the profile is written to DIR
 *   and its top entries by self time are printed.
 * --downstream-port / --gateway-port: measure processes already running (unit 1
 *   on the downstream server, virtual id 10 on the gateway) instead of starting them.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { profileWindow, profilingEnv, type SelfEntry, topSelf } from './support/cpu-profile.js';
import { type GatewayUnderTest, startGatewayForBench } from './support/gateway-under-test.js';
import {
  buildLoadClient,
  type LoadResult,
  type LoadSpec,
  pinProcess,
  runLoad,
  type SimProcess,
  startCServerProcess,
  startPipeProcess,
  startSimProcess,
} from './support/processes.js';

const CONNECTIONS = [1, 32] as const;
const SERVER_UNIT = 1;
const VIRTUAL_ID = 10;
const GOALS = { ratioAt32: 0.6, p99RatioAt32: 2 } as const;
const TARGETS = ['direct', 'gateway', 'pipe'] as const;

type TargetName = (typeof TARGETS)[number];

interface Target {
  readonly name: TargetName;
  readonly port: number;
  readonly unit: number;
  /** The process serving the port, when this benchmark started it: its CPU time is measured. */
  readonly pid: number | undefined;
}

/** One load run, and the CPU time (user + system, all threads) the target process spent per transaction. */
type Run = LoadResult & { readonly cpuUsPerTx: number | undefined };

interface Cell {
  readonly txPerS: number;
  readonly p50Us: number;
  readonly p99Us: number;
  readonly cpuUsPerTx: number | undefined;
  readonly errors: number;
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? Number.NaN : s.length % 2 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
};
const round2 = (x: number) => Math.round(x * 100) / 100;

const key = (t: string, q: number, c: number) => `${t}/${q}/${c}`;

function options() {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '3' },
      'duration-ms': { type: 'string', default: '3000' },
      quantities: { type: 'string', default: '1,125' },
      downstream: { type: 'string', default: 'c' },
      'direct-only': { type: 'boolean', default: false },
      pin: { type: 'boolean', default: false },
      'cpu-prof': { type: 'string' },
      'downstream-port': { type: 'string' },
      'gateway-port': { type: 'string' },
      'node-flags': { type: 'string' },
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
  const quantities = (values.quantities ?? '').split(',').map(Number);
  if (quantities.length === 0 || !quantities.every((q) => Number.isInteger(q) && q >= 1 && q <= 125))
    throw new Error('--quantities must list integers 1..125');
  const downstream = values.downstream;
  if (downstream !== 'c' && downstream !== 'sim') throw new Error('--downstream must be c or sim');
  return {
    runs,
    durationMs,
    quantities,
    downstream: downstream as 'c' | 'sim',
    directOnly: values['direct-only'],
    pin: values.pin,
    cpuProf: values['cpu-prof'] === undefined ? undefined : resolve(values['cpu-prof']),
    downstreamPort: port(values['downstream-port']),
    gatewayPort: port(values['gateway-port']),
    nodeFlags: values['node-flags']?.split(/\s+/).filter((f) => f !== ''),
  };
}

type Opts = ReturnType<typeof options>;

function sharing(opts: Opts): string {
  const n = cpus().length;
  const server = opts.downstream === 'c' ? 'C server' : 'Node simulator';
  const who = opts.directOnly
    ? `load client (C) and ${server}`
    : `load client (C), ${server}, gateway (node) and byte pipe (node)`;
  if (!opts.pin)
    return `${n} CPUs, no pinning: the ${who} are separate processes scheduled by the OS over all ${n} CPUs`;
  return `${n} CPUs, pinned: gateway on CPU 0, ${server} on CPU 1, load client unpinned (CPUs 0-${n - 1})`;
}

async function startDownstream(opts: Opts): Promise<SimProcess> {
  if (opts.downstreamPort !== undefined) return external(opts.downstreamPort);
  return opts.downstream === 'c' ? startCServerProcess(SERVER_UNIT) : startSimProcess([SERVER_UNIT]);
}

async function startGateway(downstream: SimProcess, opts: Opts): Promise<GatewayUnderTest | string> {
  if (opts.directOnly) return 'not run (--direct-only)';
  if (opts.gatewayPort !== undefined) return external(opts.gatewayPort);
  const saved = { ...process.env };
  if (opts.cpuProf !== undefined) {
    mkdirSync(opts.cpuProf, { recursive: true });
    Object.assign(process.env, profilingEnv(opts.cpuProf));
  }
  try {
    const gw = await startGatewayForBench({
      downstreamPort: downstream.port,
      virtualId: VIRTUAL_ID,
      unitId: SERVER_UNIT,
      ...(opts.nodeFlags === undefined ? {} : { nodeFlags: opts.nodeFlags }),
    });
    if (opts.pin) await pinProcess(gw.pid, '0');
    return gw;
  } catch (e) {
    return (e as Error).message.split('\n')[0] ?? 'unknown error';
  } finally {
    for (const k of ['NODE_OPTIONS', 'WATTGATE_BENCH_CPU_PROF_DIR']) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  }
}

const TICK_US = 10_000; // USER_HZ is 100 on Linux

/** User + system CPU time of a process (all its threads), in µs; undefined when unknown. */
function cpuUs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_US;
  } catch {
    return undefined;
  }
}

/** One bounded load run; a run whose every connection failed (the client exits 1) is retried once. */
async function measure(binary: string, t: Target, spec: Omit<LoadSpec, 'port' | 'unit'>): Promise<Run> {
  const full = { ...spec, port: t.port, unit: t.unit };
  for (let attempt = 1; ; attempt++) {
    const before = cpuUs(t.pid);
    try {
      const r = await runLoad(binary, full);
      const after = cpuUs(t.pid);
      const cpu = before === undefined || after === undefined ? undefined : (after - before) / r.transactions;
      return { ...r, cpuUsPerTx: cpu === undefined || !Number.isFinite(cpu) ? undefined : cpu };
    } catch (e) {
      if (attempt >= 2) throw e;
      process.stderr.write(
        `${t.name}: load client failed (${(e as Error).message.split('\n')[0]}), retrying\n`,
      );
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

async function measureAll(binary: string, targets: Target[], opts: Opts) {
  const results = new Map<string, Run[]>();
  for (const t of targets) await measure(binary, t, { connections: 32, quantity: 1, durationMs: 500 });
  for (let run = 1; run <= opts.runs; run++) {
    for (const quantity of opts.quantities) {
      for (const connections of CONNECTIONS) {
        for (const t of targets) {
          const r = await measure(binary, t, { connections, quantity, durationMs: opts.durationMs });
          const k = key(t.name, quantity, connections);
          results.set(k, [...(results.get(k) ?? []), r]);
          const cpu = r.cpuUsPerTx === undefined ? '' : `, ${r.cpuUsPerTx.toFixed(1)} µs CPU/tx`;
          const errors = r.errors + r.failedConnections;
          process.stderr.write(
            `run ${run}/${opts.runs} qty ${quantity} conns ${connections} ${t.name}: ${r.txPerS.toFixed(0)} tx/s, p99 ${r.p99Us} µs${cpu}${errors > 0 ? ` (${r.errors} errors, ${r.failedConnections} failed connections)` : ''}\n`,
          );
        }
      }
    }
  }
  return results;
}

function summarise(rs: Run[] | undefined): Cell | undefined {
  if (rs === undefined || rs.length === 0) return undefined;
  const cpu = rs.flatMap((r) => (r.cpuUsPerTx === undefined ? [] : [r.cpuUsPerTx]));
  return {
    txPerS: Math.round(median(rs.map((r) => r.txPerS))),
    p50Us: median(rs.map((r) => r.p50Us)),
    p99Us: median(rs.map((r) => r.p99Us)),
    cpuUsPerTx: cpu.length === 0 ? undefined : Math.round(median(cpu) * 10) / 10,
    errors: rs.reduce((a, r) => a + r.errors + r.failedConnections, 0),
  };
}

/** Ratio of medians, and the range of the per-run ratios (each run's cells were measured back to back). */
function ratio(results: Map<string, Run[]>, of: TargetName, q: number, c: number, p99 = false) {
  const a = results.get(key(of, q, c));
  const d = results.get(key('direct', q, c));
  if (!a || !d || a.length === 0) return undefined;
  const pick = (r: Run) => (p99 ? r.p99Us : r.txPerS);
  const perRun = a.map((r, i) => pick(r) / Math.max(1e-9, pick(d[i] as Run)));
  return {
    median: round2(median(a.map(pick)) / Math.max(1e-9, median(d.map(pick)))),
    min: round2(Math.min(...perRun)),
    max: round2(Math.max(...perRun)),
  };
}

const pad = (v: unknown, n: number) => String(v ?? '–').padStart(n);
const fmtRatio = (r: ReturnType<typeof ratio>) =>
  r === undefined ? '–' : `${r.median.toFixed(2)} [${r.min.toFixed(2)}–${r.max.toFixed(2)}]`;

function report(results: Map<string, Run[]>, opts: Opts, meta: Record<string, unknown>) {
  const rows = [];
  console.log(
    `\nModbus TCP gateway benchmark — FC 3, medians of ${opts.runs} runs × ${opts.durationMs} ms, downstream: ${meta.downstream}`,
  );
  console.log(meta.cores);
  console.log(`gateway: ${meta.gateway}`);
  console.log(`load average before/after: ${meta.loadBefore} / ${meta.loadAfter}`);
  console.log('ratios: median of medians [min–max of the per-run ratios]');
  console.log(
    'cpu/tx: CPU time (user + system, all threads) per transaction, in µs, of the process behind the port: direct = the server, gateway = Wattgate, pipe = the byte pipe\n',
  );
  const head = (t: string) =>
    `${t.padStart(9)}${'p50µs'.padStart(7)}${'p99µs'.padStart(7)}${'cpu/tx'.padStart(7)}`;
  console.log(
    `${'qty'.padStart(4)}${'conns'.padStart(6)} │ ${head('direct')} │ ${head('gateway')} │ ${head('pipe')} │ ${'gw/direct'.padStart(17)} ${'pipe/direct'.padStart(17)} │ ${'p99 gw/direct'.padStart(17)} ${'p99 pipe/direct'.padStart(17)}`,
  );
  for (const q of opts.quantities) {
    for (const c of CONNECTIONS) {
      const cells = Object.fromEntries(
        TARGETS.map((t) => [t, summarise(results.get(key(t, q, c)))]),
      ) as Record<TargetName, Cell | undefined>;
      const r = {
        gateway: ratio(results, 'gateway', q, c),
        pipe: ratio(results, 'pipe', q, c),
        p99Gateway: ratio(results, 'gateway', q, c, true),
        p99Pipe: ratio(results, 'pipe', q, c, true),
      };
      rows.push({ quantity: q, connections: c, ...cells, ratios: r });
      const cell = (x: Cell | undefined) =>
        `${pad(x?.txPerS, 9)}${pad(x?.p50Us, 7)}${pad(x?.p99Us, 7)}${pad(x?.cpuUsPerTx, 7)}`;
      const errors = TARGETS.reduce((a, t) => a + (cells[t]?.errors ?? 0), 0);
      console.log(
        `${pad(q, 4)}${pad(c, 6)} │ ${cell(cells.direct)} │ ${cell(cells.gateway)} │ ${cell(cells.pipe)} │ ${pad(fmtRatio(r.gateway), 17)} ${pad(fmtRatio(r.pipe), 17)} │ ${pad(fmtRatio(r.p99Gateway), 17)} ${pad(fmtRatio(r.p99Pipe), 17)}${errors > 0 ? `  (${errors} errors!)` : ''}`,
      );
    }
  }
  return rows;
}

type Rows = ReturnType<typeof report>;

/** Latency added at 1 connection by the gateway and by the bare pipe (the hop alone). */
function addedLatency(rows: Rows) {
  const out: Record<string, Record<string, { p50Us: number; p99Us: number }>> = {};
  for (const r of rows.filter((x) => x.connections === 1 && x.direct)) {
    const d = r.direct as Cell;
    const added: Record<string, { p50Us: number; p99Us: number }> = {};
    for (const t of ['gateway', 'pipe'] as const) {
      const x = r[t];
      if (x) added[t] = { p50Us: x.p50Us - d.p50Us, p99Us: x.p99Us - d.p99Us };
    }
    out[`qty${r.quantity}`] = added;
    const say = (t: string) =>
      added[t] ? `${t} p50 +${added[t].p50Us} µs, p99 +${added[t].p99Us} µs` : `${t} –`;
    console.log(`added latency at 1 connection, qty ${r.quantity}: ${say('gateway')}; ${say('pipe')}`);
  }
  return out;
}

function verdict(rows: Rows) {
  const ok = (b: boolean) => (b ? 'met' : 'NOT met');
  const goals: Record<string, { ratio?: number; ratioMet?: boolean; p99Ratio?: number; p99Met?: boolean }> =
    {};
  for (const r of rows.filter((x) => x.connections === 32)) {
    const g = r.ratios.gateway?.median;
    const p = r.ratios.p99Gateway?.median;
    if (g === undefined || p === undefined) continue;
    goals[`qty${r.quantity}`] = {
      ratio: g,
      ratioMet: g >= GOALS.ratioAt32,
      p99Ratio: p,
      p99Met: p <= GOALS.p99RatioAt32,
    };
    const pipe = r.ratios.pipe?.median;
    const pipeP99 = r.ratios.p99Pipe?.median;
    console.log(
      `goal gateway/direct ≥ ${GOALS.ratioAt32} at 32 connections, qty ${r.quantity}: ${g.toFixed(2)} ${ok(g >= GOALS.ratioAt32)} (ceiling, bare Node pipe: ${pipe?.toFixed(2) ?? '–'})`,
    );
    console.log(
      `goal p99 gateway ≤ ${GOALS.p99RatioAt32} × direct at 32 connections, qty ${r.quantity}: ×${p.toFixed(2)} ${ok(p <= GOALS.p99RatioAt32)} (bare Node pipe: ×${pipeP99?.toFixed(2) ?? '–'})`,
    );
  }
  return goals;
}

/** One more 32-connection FC 3 × 1 load on the gateway, profiled; prints the top entries by self time. */
async function profileGateway(binary: string, gateway: GatewayUnderTest, opts: Opts) {
  const dir = opts.cpuProf;
  if (dir === undefined || gateway.pid === undefined) return undefined;
  const spec = { port: gateway.port, unit: VIRTUAL_ID, connections: 32, quantity: 1 };
  await runLoad(binary, { ...spec, durationMs: 500 });
  const { file, result } = await profileWindow(gateway.pid, dir, () =>
    runLoad(binary, { ...spec, durationMs: opts.durationMs }),
  );
  const top = topSelf(file, 20);
  console.log(
    `\nCPU profile of the gateway under 32 connections × FC 3 × 1 (${result.txPerS.toFixed(0)} tx/s while profiled, ${top.totalMs} ms sampled): ${file}`,
  );
  console.log(`${'self ms'.padStart(9)}${'%'.padStart(7)}  function  (file:line)`);
  for (const e of top.entries) {
    console.log(`${pad(e.selfMs.toFixed(1), 9)}${pad(e.percent.toFixed(1), 7)}  ${e.name}  ${e.where}`);
  }
  return { file, txPerS: result.txPerS, totalMs: top.totalMs, top: top.entries as SelfEntry[] };
}

/** A process started by someone else: nothing to stop. */
function external(port: number): GatewayUnderTest & SimProcess {
  return { port, pid: undefined, dataDir: '', stop: async () => {} };
}

const loadNow = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

async function main(): Promise<void> {
  const opts = options();
  const binary = await buildLoadClient();
  const downstream = await startDownstream(opts);
  let gateway: GatewayUnderTest | string = 'not run';
  let pipe: SimProcess | undefined;
  const stopAll = async () => {
    if (typeof gateway !== 'string') await gateway.stop();
    await pipe?.stop();
    await downstream.stop();
  };
  process.once('SIGINT', () => void stopAll().then(() => process.exit(130)));
  try {
    if (opts.pin && downstream.pid !== undefined) await pinProcess(downstream.pid, '1');
    gateway = await startGateway(downstream, opts);
    const targets: Target[] = [
      { name: 'direct', port: downstream.port, unit: SERVER_UNIT, pid: downstream.pid },
    ];
    if (typeof gateway !== 'string')
      targets.push({ name: 'gateway', port: gateway.port, unit: VIRTUAL_ID, pid: gateway.pid });
    if (!opts.directOnly) {
      pipe = await startPipeProcess(downstream.port);
      targets.push({ name: 'pipe', port: pipe.port, unit: SERVER_UNIT, pid: pipe.pid });
    }
    const gatewayNote =
      typeof gateway === 'string'
        ? `NOT measured: ${gateway}`
        : `measured on port ${gateway.port}${gateway.pid === undefined ? ' (external process, --gateway-port)' : ''}`;
    const loadBefore = loadNow();
    const results = await measureAll(binary, targets, opts);
    const meta = {
      runs: opts.runs,
      durationMs: opts.durationMs,
      downstream: opts.downstream === 'c' ? 'C libmodbus server' : 'Node simulator',
      cores: sharing(opts),
      gateway: gatewayNote,
      loadBefore,
      loadAfter: loadNow(),
    };
    const rows = report(results, opts, meta);
    console.log('');
    const added = addedLatency(rows);
    const goals = verdict(rows);
    const profile = typeof gateway === 'string' ? undefined : await profileGateway(binary, gateway, opts);
    const json = {
      bench: 'gateway',
      fc: 3,
      ...meta,
      cpus: cpus().length,
      rows,
      addedLatencyAt1Us: added,
      goals,
    };
    console.log(`\nBENCH_JSON ${JSON.stringify(profile ? { ...json, profile } : json)}`);
  } finally {
    await stopAll();
  }
}

main().catch((e: unknown) => {
  console.error(`bench gateway failed: ${(e as Error).stack ?? String(e)}`);
  process.exit(1);
});
