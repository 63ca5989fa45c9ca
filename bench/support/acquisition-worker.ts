/**
 * The process under test of the acquisition benchmark: Wattgate's acquisition
 * engine (src/acquisition/engine.ts) with N TCP devices of the benchmark
 * model (M adjacent float32 measurements, src/devices/testing.ts wideModel)
 * on the fleet simulator's ports (100 units per port), every device sampled
 * every `--period-ms`, readings published on a TypedEvents bus as in the
 * application and counted by one listener (the stand-in for the history
 * store).
 *
 * The devices go through the same path as configured devices (validated
 * `devices` section → buildRuntime: model, selection, poll plan, series ids)
 * except the period: the configuration allows 1–60 minutes, the benchmark
 * needs 1 s, so the runtime's periodMs is overridden. Every other setting is
 * the `acquisition` section's default unless given.
 *
 * Prints `{"event":"ready"}` once every device has answered one poll (bounded
 * by --ready-timeout-ms), then one JSON line per period, half-way between two
 * sampling boundaries (so each line counts whole boundaries):
 * `{"event":"tick","at":ms,"valid":…,"invalid":…,"commError":…,"polls":…,"overruns":…}`
 * (cumulative). Ends on SIGTERM or when stdin closes.
 */
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { AcquisitionEngine } from '../../src/acquisition/engine.js';
import type { AcquisitionEvents, ReadingBatch } from '../../src/acquisition/events.js';
import { validateConfig } from '../../src/config/validate.js';
import { buildRuntime } from '../../src/devices/registry.js';
import { TcpMasterPool } from '../../src/modbus/tcp-pool.js';
import { systemClock } from '../../src/shared/clock.js';
import { TypedEvents } from '../../src/shared/events.js';
import { silentLogger } from '../../src/shared/logger.js';
import { modelList, wideModel } from '../../test/support/models.js';
import { UNITS_PER_PORT } from './acquisition-processes.js';

interface BusEvents extends Record<string, unknown>, AcquisitionEvents {}

function options() {
  const { values } = parseArgs({
    options: {
      ports: { type: 'string' },
      devices: { type: 'string', default: '1000' },
      measurements: { type: 'string', default: '100' },
      'period-ms': { type: 'string', default: '1000' },
      'max-concurrent': { type: 'string' },
      'ready-timeout-ms': { type: 'string', default: '30000' },
    },
  });
  const ports = (values.ports ?? '')
    .split(',')
    .map(Number)
    .filter((p) => p > 0);
  const devices = Number(values.devices);
  if (ports.length * UNITS_PER_PORT < devices) throw new Error(`${devices} devices need more --ports`);
  const maxConcurrent = values['max-concurrent'] === undefined ? undefined : Number(values['max-concurrent']);
  return {
    ports,
    devices,
    measurements: Number(values.measurements),
    periodMs: Number(values['period-ms']),
    maxConcurrent,
    readyTimeoutMs: Number(values['ready-timeout-ms']),
  };
}

function deviceSection(o: ReturnType<typeof options>) {
  const list = Array.from({ length: o.devices }, (_, i) => ({
    id: i + 1,
    name: `bench-${i + 1}`,
    model: 'bench-wide',
    location: {
      kind: 'tcp',
      host: '127.0.0.1',
      port: o.ports[Math.floor(i / UNITS_PER_PORT)],
      unit: (i % UNITS_PER_PORT) + 1,
    },
    periodMinutes: 1,
  }));
  const acquisition = {
    maxDevices: Math.max(128, o.devices),
    ...(o.maxConcurrent === undefined ? {} : { tcp: { maxConcurrent: o.maxConcurrent } }),
  };
  return validateConfig({ devices: { nextId: o.devices + 1, list }, acquisition });
}

/** The readings listener (the history store's stand-in): counts by quality, boundaries, devices answered. */
function counting(events: TypedEvents<BusEvents>) {
  const c = { valid: 0, invalid: 0, commError: 0, batches: 0, boundaries: 0, lastT: 0 };
  const answered = new Set<number>();
  events.on('acquisition.samples', (b: ReadingBatch) => {
    c.batches++;
    if (b.t > c.lastT) {
      c.lastT = b.t;
      c.boundaries++;
    }
    for (const r of b.readings) {
      if (r.quality === 'valid') c.valid++;
      else if (r.quality === 'invalid') c.invalid++;
      else c.commError++;
    }
    if (b.readings[0]?.quality === 'valid') answered.add(Number(b.origin.id));
  });
  return { c, answered };
}

function startEngine(o: ReturnType<typeof options>, events: TypedEvents<BusEvents>): AcquisitionEngine {
  const models = modelList([wideModel(o.measurements, 0, 'bench-wide')]);
  const cfg = deviceSection(o);
  const runtimes = cfg.devices.list.map((d) => ({ ...buildRuntime(d, models), periodMs: o.periodMs }));
  const engine = new AcquisitionEngine(
    {
      log: silentLogger,
      clock: systemClock,
      serialLine: () => undefined,
      tcpMasters: new TcpMasterPool({ log: silentLogger, clock: systemClock }),
      publish: {
        samples: (b) => events.emit('acquisition.samples', b),
        live: (b) => events.emit('acquisition.live', b),
        status: (s) => events.emit('acquisition.status', s),
      },
    },
    cfg.acquisition,
  );
  engine.setDevices(runtimes);
  engine.start();
  return engine;
}

function main(): void {
  const o = options();
  const events = new TypedEvents<BusEvents>();
  const { c, answered } = counting(events);
  const engine = startEngine(o, events);
  const started = Date.now();
  let ready = false;
  let timer: NodeJS.Timeout | undefined;
  const tick = () => {
    if (!ready && (answered.size === o.devices || Date.now() - started > o.readyTimeoutMs)) {
      ready = true;
      process.stdout.write(`${JSON.stringify({ event: 'ready', answered: answered.size })}\n`);
    }
    const { polls, overruns, tcpWaiting } = engine.stats;
    const heapMiB = Math.round(process.memoryUsage().heapUsed / 1048576);
    const line = { event: 'tick', at: Date.now(), ...c, polls, overruns, tcpWaiting, heapMiB };
    if (ready) process.stdout.write(`${JSON.stringify(line)}\n`);
  };
  // Ticks half-way between boundaries: every poll of the last boundary has finished, none of the next begun.
  const first = o.periodMs - (Date.now() % o.periodMs) + o.periodMs / 2;
  const align = setTimeout(() => {
    tick();
    timer = setInterval(tick, o.periodMs);
  }, first);
  const stop = () => {
    clearTimeout(align);
    clearInterval(timer);
    void engine.stop().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  createInterface({ input: process.stdin }).on('close', stop);
}

main();
