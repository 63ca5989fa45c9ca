/**
 * Acquisition benchmark (`npm run bench:acquisition`, issue 7 part 2):
 * N simulated Modbus TCP devices (sim/fleet.ts, another process) × M float32
 * measurements each (adjacent: 2 reads of ≤125 registers for M = 100),
 * every device sampled every second, for D seconds, by Wattgate's
 * acquisition engine in its own process (bench/support/acquisition-worker.ts).
 *
 * Reported per scenario, over the measured window (after readiness and a
 * warm-up): valid points/s received by the readings listener, Modbus
 * requests/s counted at the simulator, CPU of the Wattgate process in % of
 * one core (utime + stime from /proc), its resident memory (max of 1 s
 * samples, and the kernel's peak VmHWM), comm errors and overruns. The
 * baseline scenario (default 100 devices) runs first in the same run; the
 * ratios main/baseline give the scaling (ideal: points × N ratio, CPU per
 * point × 1). A third run repeats the main scenario with V8's old generation
 * capped (`--max-old-space-size`, default 64 MB; 0 skips it): with default
 * flags V8 lets short-lived garbage pile up in the old generation until its
 * own, generous limit, so the resident memory shows the garbage collector's
 * laziness more than what acquisition keeps alive.
 *
 * Goal (issue acceptance): 100 000 points/s with 1000 devices, RSS ≤ 150 MB,
 * CPU ≤ 50 % of one core. Printed as a verdict, never asserted. Output: a
 * table and one `BENCH_JSON {…}` line. Loopback only; every phase bounded.
 *
 *   npm run bench:acquisition -- [--devices 1000] [--baseline-devices 100]
 *       [--measurements 100] [--duration-s 60] [--warmup-s 5] [--period-ms 1000] [--heap-cap-mb 64]
 */
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import {
  buildWorker,
  cpuSeconds,
  type Fleet,
  memoryMiB,
  startFleet,
  startWorker,
  type Tick,
  UNITS_PER_PORT,
  type WorkerSpec,
} from './support/acquisition-processes.js';

const GOALS = { pointsPerS: 100_000, rssMiB: 150, cpuPct: 50 } as const;

function options() {
  const { values } = parseArgs({
    options: {
      devices: { type: 'string', default: '1000' },
      'baseline-devices': { type: 'string', default: '100' },
      measurements: { type: 'string', default: '100' },
      'duration-s': { type: 'string', default: '60' },
      'warmup-s': { type: 'string', default: '5' },
      'period-ms': { type: 'string', default: '1000' },
      'heap-cap-mb': { type: 'string', default: '64' },
    },
  });
  const int = (name: keyof typeof values, min: number, max: number) => {
    const n = Number(values[name]);
    if (!(Number.isInteger(n) && n >= min && n <= max)) throw new Error(`--${name} must be ${min}..${max}`);
    return n;
  };
  if (Number(values['period-ms']) % 1000 !== 0) throw new Error('--period-ms must be whole seconds');
  return {
    devices: int('devices', 1, 4000),
    baseline: int('baseline-devices', 1, 4000),
    measurements: int('measurements', 1, 1000),
    durationS: int('duration-s', 2, 600),
    warmupS: int('warmup-s', 0, 60),
    periodMs: int('period-ms', 1000, 60_000),
    heapCapMb: int('heap-cap-mb', 0, 4096),
  };
}

type Opts = ReturnType<typeof options>;

interface Result {
  readonly devices: number;
  /** Node options of the process under test ('' = defaults). */
  readonly node: string;
  readonly seconds: number;
  readonly pointsPerS: number;
  readonly expectedPointsPerS: number;
  readonly requestsPerS: number;
  readonly cpuPct: number;
  readonly rssMaxMiB: number;
  readonly rssPeakMiB: number;
  readonly commErrors: number;
  readonly invalid: number;
  readonly overruns: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;

async function measure(fleet: Fleet, bundle: string, spec: WorkerSpec, o: Opts): Promise<Result> {
  const worker = startWorker(bundle, spec);
  const name = `${spec.devices} devices${spec.nodeArgs?.length ? ` (${spec.nodeArgs.join(' ')})` : ''}`;
  try {
    const pid = worker.pid as number;
    const ready = await worker.next<{ answered: number }>('ready', 90_000);
    process.stderr.write(`${name}: ready (${ready.answered} answered), warming up ${o.warmupS} s\n`);
    await sleep(o.warmupS * 1000);
    const t0 = await worker.fresh<Tick>('tick', o.periodMs + 5000);
    const cpu0 = cpuSeconds(pid);
    let rssMax = 0;
    let last = t0;
    while (last.at - t0.at < o.durationS * 1000 - o.periodMs / 2) {
      last = await worker.next<Tick>('tick', o.periodMs + 5000);
      rssMax = Math.max(rssMax, memoryMiB(pid).rss);
    }
    const cpu1 = cpuSeconds(pid);
    // The boundaries after t0's up to last's: their requests fall in those wall-clock seconds.
    const requests = await fleet.requests(t0.lastT + o.periodMs, last.lastT + o.periodMs);
    const seconds = (last.at - t0.at) / 1000;
    const sampled = ((last.boundaries - t0.boundaries) * o.periodMs) / 1000;
    const result = {
      devices: spec.devices,
      node: (spec.nodeArgs ?? []).join(' '),
      seconds: round(seconds),
      pointsPerS: Math.round((last.valid - t0.valid) / sampled),
      expectedPointsPerS: Math.round((spec.devices * spec.measurements * 1000) / spec.periodMs),
      requestsPerS: Math.round(requests / sampled),
      cpuPct: round(((cpu1 - cpu0) / seconds) * 100),
      rssMaxMiB: round(rssMax),
      rssPeakMiB: round(memoryMiB(pid).peak),
      commErrors: last.commError - t0.commError,
      invalid: last.invalid - t0.invalid,
      overruns: last.overruns - t0.overruns,
    };
    process.stderr.write(`${name}: ${JSON.stringify(result)}\n`);
    return result;
  } finally {
    await worker.stop();
  }
}

const COLS = [
  'devices',
  'node options',
  'points/s',
  'expected',
  'req/s',
  'CPU %',
  'RSS max',
  'RSS peak',
  'errors',
];
const WIDTHS = [8, 26, 9, 9, 7, 6, 10, 10, 7];

function row(r: Result): string {
  const cells = [
    r.devices,
    r.node || '(defaults)',
    r.pointsPerS,
    r.expectedPointsPerS,
    r.requestsPerS,
    r.cpuPct,
    `${r.rssMaxMiB} MiB`,
    `${r.rssPeakMiB} MiB`,
    r.commErrors + r.invalid + r.overruns,
  ];
  return cells.map((v, i) => String(v).padStart(WIDTHS[i] ?? 8)).join(' ');
}

function verdict(r: Result) {
  return {
    pointsPerS: r.pointsPerS >= GOALS.pointsPerS,
    rss: r.rssPeakMiB <= GOALS.rssMiB,
    cpu: r.cpuPct <= GOALS.cpuPct,
  };
}

function report(results: Result[], o: Opts) {
  const [base, main] = results as [Result, Result];
  console.log(
    `\nAcquisition benchmark — ${o.measurements} float32 per device, period ${o.periodMs} ms, ${o.durationS} s`,
  );
  console.log(
    `${cpus().length} CPUs, no pinning; simulator (node) and Wattgate (node) are separate processes`,
  );
  console.log(
    'errors = comm errors + invalid values + overruns in the window; RSS peak = VmHWM (whole life)\n',
  );
  console.log(COLS.map((c, i) => c.padStart(WIDTHS[i] ?? 8)).join(' '));
  for (const r of results) console.log(row(r));
  const scaling = {
    devices: round(main.devices / base.devices, 2),
    points: round(main.pointsPerS / base.pointsPerS, 2),
    cpu: round(main.cpuPct / base.cpuPct, 2),
    cpuPerPoint: round(main.cpuPct / main.pointsPerS / (base.cpuPct / base.pointsPerS), 2),
    rss: round(main.rssMaxMiB / base.rssMaxMiB, 2),
  };
  console.log(
    `\nscaling ${base.devices} → ${main.devices} devices (×${scaling.devices}): points ×${scaling.points}, ` +
      `CPU ×${scaling.cpu}, CPU per point ×${scaling.cpuPerPoint}, RSS ×${scaling.rss}`,
  );
  const goals = results.slice(1).map((r) => ({ node: r.node, ...verdict(r) }));
  for (const g of goals) {
    const word = (ok: boolean) => (ok ? 'met' : 'NOT met');
    console.log(
      `goal, ${main.devices} devices, node ${g.node || '(defaults)'}: ≥ ${GOALS.pointsPerS} points/s ${word(g.pointsPerS)}, ` +
        `RSS peak ≤ ${GOALS.rssMiB} MB ${word(g.rss)}, CPU ≤ ${GOALS.cpuPct} % ${word(g.cpu)}`,
    );
  }
  return { scaling, goals };
}

async function main(): Promise<void> {
  const o = options();
  const bundle = await buildWorker();
  const ports = Math.ceil(Math.max(o.devices, o.baseline) / UNITS_PER_PORT);
  const fleet = await startFleet(ports, o.measurements);
  try {
    const spec = (devices: number, nodeArgs: string[] = []): WorkerSpec => ({
      ports: fleet.ports,
      devices,
      measurements: o.measurements,
      periodMs: o.periodMs,
      nodeArgs,
    });
    const results = [
      await measure(fleet, bundle, spec(o.baseline), o),
      await measure(fleet, bundle, spec(o.devices), o),
    ];
    if (o.heapCapMb > 0) {
      results.push(await measure(fleet, bundle, spec(o.devices, [`--max-old-space-size=${o.heapCapMb}`]), o));
    }
    const { scaling, goals } = report(results, o);
    console.log(
      `BENCH_JSON ${JSON.stringify({ bench: 'acquisition', options: o, results, scaling, goals })}`,
    );
  } finally {
    await fleet.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
