/**
 * `wattgate demo`: Wattgate on the embedded defaults (SQLite, no extra
 * services) in a throw-away data directory, in front of a simulated panel, on
 * loopback and high ports (the product defaults are 502/443/5357). The demo
 * grows with each capability; it prints what is running and how to query it.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Value } from 'typebox/value';
import { backfillHistory } from '../../sim/demo-history.js';
import { startPanel } from '../../sim/panel.js';
import { startSerialPanel } from '../../sim/serial-panel.js';
import { DEMO_INSTALL_CODE, demoInputs, demoWireless } from '../../sim/wireless/demo-panel.js';
import { pairedEntries } from '../../sim/wireless/paired.js';
import { createApp, defaultParts } from '../app.js';
import type { Config } from '../config/index.js';
import { type HistoryConfig, HistorySchema } from '../config/schema-history.js';
import { dataPath, ensureDataDir } from '../core/data-dir.js';
import { ModelCatalog } from '../devices/models/index.js';
import { serialLineConfig } from '../modbus/serial-line-config.js';
import { systemClock } from '../shared/clock.js';
import { claimDemoDataDir } from './demo-data-dir.js';
import { type CommonOptions, runtime } from './runtime.js';
import { serveUntilSignal } from './serve.js';

export interface DemoOptions extends CommonOptions {
  duration?: number;
  modbusPort?: number;
  webPort?: number;
}

export const DEMO_MODBUS_PORT = 15020;
export const DEMO_WEB_PORT = 15443;
export const DEMO_METERS = [1, 2, 3] as const;
export const DEMO_HISTORY_DAYS = 28;
export const DEMO_SERIAL_LINE = 'RS485-1';
export const DEMO_SERIAL_UNITS = [21, 22] as const;

/** The demo's TCP meters: gateway virtual ids 1–3 and datalogger devices, sampled every minute. */
export const DEMO_DEVICES = [
  { id: 1, name: 'Meter 1 (TCP)', usage: 'main', zone: 'Building' },
  { id: 2, name: 'Meter 2 (TCP)', usage: 'lighting', zone: 'Floor 1' },
  { id: 3, name: 'Meter 3 (TCP)', usage: 'hvac', zone: 'Roof' },
] as const;

type DeviceList = Config['devices']['list'];

/** The serial meters as datalogger devices, polled through the gateway's line at low priority. */
function serialDevices(firstId: number, serial?: { units: readonly number[] }): DeviceList {
  return (serial?.units ?? []).map((unit, i) => ({
    id: firstId + i,
    name: `Meter ${unit} (RS-485)`,
    model: 'wattgate-demo-meter',
    enabled: true,
    location: { kind: 'serial' as const, line: DEMO_SERIAL_LINE, slave: unit },
    usage: 'plug-loads' as const,
    zone: 'Floor 2',
    commodity: 'electricity' as const,
    periodMinutes: 1 as const,
  }));
}

/**
 * Every demo device, each defined once: the TCP meters (routed at virtual ids
 * 1–3, sampled), the paired wireless sensors (virtual ids from 100, sampled
 * from their frames), the serial meters (routed through their line, sampled).
 */
function demoDevices(panelPort: number, serial?: { units: readonly number[] }): Config['devices'] {
  const tcp: DeviceList = DEMO_DEVICES.map((d) => ({
    ...d,
    model: 'wattgate-demo-meter',
    enabled: true,
    location: {
      kind: 'tcp' as const,
      host: '127.0.0.1',
      port: panelPort,
      unit: d.id,
      timeoutMs: 1000,
      oneInFlight: false,
    },
    virtualId: d.id,
    commodity: 'electricity' as const,
    periodMinutes: 1 as const,
  }));
  const wireless = pairedEntries(demoWireless().paired, tcp.length + 1, {
    zone: 'Switchboard',
    periodMinutes: 1,
  });
  const list = [...tcp, ...wireless, ...serialDevices(tcp.length + wireless.length + 1, serial)];
  return { nextId: list.length + 1, list };
}

/** Back-fills the history of every demo device whose model has measurements the generator knows. */
function backfill(dataDir: string, panelPort: number, serial?: { units: readonly number[] }): void {
  const models = ModelCatalog.open();
  const devices = demoDevices(panelPort, serial).list.map((d) => ({
    id: d.id,
    name: d.name,
    usage: d.usage,
    zone: d.zone,
    keys: (d.model === undefined ? undefined : models.get(d.model))?.measurements.map((m) => m.key) ?? [],
  }));
  backfillHistory({
    path: dataPath(dataDir, 'historyDb'),
    settings: Value.Default(HistorySchema, {}) as HistoryConfig,
    devices,
    now: systemClock.now(),
    days: DEMO_HISTORY_DAYS,
    stepMs: 15 * 60_000,
  });
}

/**
 * The demo configuration: one loopback network, the gateway and the web server
 * on it, three TCP meters (gateway virtual ids 1–3 and datalogger devices),
 * ten paired wireless sensors of different families (virtual ids 100–109) and
 * an eleventh waiting for its install code, two pulse inputs.
 */
export function demoConfig(
  base: Config,
  ports: { modbus: number; web: number; panel: number },
  serial?: { path: string; units: readonly number[] },
): Config {
  const { modbus: modbusPort, web: webPort, panel: panelPort } = ports;
  return {
    ...base,
    devices: demoDevices(panelPort, serial),
    wireless: { ...base.wireless, simulator: demoWireless().simulator },
    inputs: demoInputs(),
    web: { ...base.web, port: webPort, enabled: { LOOP: true } },
    system: { name: 'Wattgate demo', location: 'Simulated switchboard', timezone: 'UTC' },
    networks: { LOOP: { addresses: ['127.0.0.1'], description: 'Demo (loopback only)' } },
    modbus: {
      ...base.modbus,
      server: { ...base.modbus.server, port: modbusPort, enabled: { LOOP: true }, allowList: {} },
      serialLines: serial
        ? [
            serialLineConfig({
              name: DEMO_SERIAL_LINE,
              path: serial.path,
              baud: 19200,
              unitIds: [...serial.units],
            }),
          ]
        : [],
    },
  };
}

interface BannerInfo {
  version: string;
  dataDir: string;
  keep: boolean;
  port: number;
  webPort: number;
  serial: boolean;
}

/** The simulated sensor that has an install code and is not paired: "CL110, RF id …". */
function waitingSensor(): string {
  const w = demoWireless();
  const paired = new Set(w.paired.map((p) => p.rfId));
  const s = w.simulator.sensors.find((x) => !paired.has(x.rfId) && x.installCode === DEMO_INSTALL_CODE);
  return s ? `${s.model}, RF id ${s.rfId}` : 'not found';
}

function banner(b: BannerInfo): string {
  const { version, dataDir, keep, port, webPort } = b;
  const mb = `mbpoll -m tcp -p ${port} -1`;
  const serial = b.serial
    ? `  Serial line    : ${DEMO_SERIAL_LINE} (a socat pty pair) with meters at units ${DEMO_SERIAL_UNITS.join(' and ')}, through the gateway`
    : '  Serial line    : not started (install the Debian package socat for a simulated RS-485 line)';
  return [
    `Wattgate ${version} demo — a simulated switchboard on 127.0.0.1`,
    `  data directory : ${dataDir}${keep ? '' : ' (removed on exit; pass --data-dir to keep it)'}`,
    `  Web (HTTPS)    : https://127.0.0.1:${webPort}/ — self-signed certificate; set the first admin`,
    '                   password with the device code printed above (shown once, also in <data directory>/device-code)',
    `  Modbus TCP     : 127.0.0.1:${port} — unit 255 is Wattgate itself, units 1–3 are simulated meters,`,
    '                   units 100–109 are simulated wireless sensors (public register maps of their families)',
    serial,
    `  Wireless       : one more sensor (${waitingSensor()}) waits to be paired: open wireless discovery`,
    `                   with its install code ${DEMO_INSTALL_CODE} (as printed on its label)`,
    `  History        : ${DEMO_HISTORY_DAYS} days back-filled, then sampled every minute (GET /api/v1/history/series)`,
    '  Try (Debian package mbpoll; register numbers are 1-based):',
    `    ${mb} -a 255 -r 159 -c 1 127.0.0.1           # health: 0 = nominal`,
    `    ${mb} -a 255 -r 101 -c 6 -t 4:hex 127.0.0.1  # serial number (ASCII)`,
    `    ${mb} -a 1 -r 1 -c 5 -t 4:float -B 127.0.0.1 # meter 1: V, A, kW, PF, Hz`,
    `    ${mb} -a 255 -r 501 -c 10 -t 4:hex 127.0.0.1  # wireless list: RF id + virtual address`,
    `    ${mb} -a 100 -r 3028 -c 3 -t 4:float -B 127.0.0.1 # wireless sensor 100: V A-N, B-N, C-N`,
    `    ${mb} -a 255 -r 1001 -c 20 127.0.0.1         # digital inputs (water and gas pulse counters)`,
    '  Configuration  : npm run wattgate -- config export --data-dir <data directory>',
    '  Press Ctrl-C to stop.',
  ].join('\n');
}

export async function runDemo(opts: DemoOptions): Promise<void> {
  const keep = opts.dataDir !== undefined;
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'wattgate-demo-'));
  const { log } = runtime({ ...opts, dataDir, logLevel: opts.logLevel ?? 'warn' });
  const lock = claimDemoDataDir(dataDir); // one Wattgate per data directory; never a commissioned one
  const panel = await startPanel({ units: DEMO_METERS, clock: systemClock });
  const serialPanel = await startSerialPanel({ units: DEMO_SERIAL_UNITS, clock: systemClock, baud: 19200 });
  try {
    const port = opts.modbusPort ?? DEMO_MODBUS_PORT;
    const webPort = opts.webPort ?? DEMO_WEB_PORT;
    ensureDataDir(dataDir);
    if (!existsSync(dataPath(dataDir, 'historyDb'))) backfill(dataDir, panel.port, serialPanel);
    const first = createApp({ dataDir, log, parts: (ctx) => defaultParts(ctx), instanceLock: lock });
    const ports = { modbus: port, web: webPort, panel: panel.port };
    const config = demoConfig(first.ctx.config.get(), ports, serialPanel);
    first.ctx.config.replace(config, { actor: 'demo', actorKind: 'system' });
    // A restart (Maintenance → Restart) makes a new app on the stored configuration; it takes its own lock.
    let made = 0;
    const create = () =>
      made++ === 0 ? first : createApp({ dataDir, log, parts: (ctx) => defaultParts(ctx), purpose: 'demo' });
    await serveUntilSignal(create, opts.duration === undefined ? undefined : opts.duration * 1000, (app) =>
      process.stdout.write(
        `${banner({ version: app.ctx.version, dataDir, keep, port, webPort, serial: serialPanel !== undefined })}\n`,
      ),
    );
  } finally {
    lock.release();
    await serialPanel?.close();
    await panel.close();
    if (!keep) rmSync(dataDir, { recursive: true, force: true });
  }
}
