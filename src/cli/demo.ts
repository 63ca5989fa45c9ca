/**
 * `wattgate demo`: Wattgate on the embedded defaults (SQLite, no extra
 * services) in a throw-away data directory, in front of a simulated panel, on
 * loopback and high ports (the product defaults are 502/443/5357). The demo
 * grows with each capability; it prints what is running and how to query it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPanel } from '../../sim/panel.js';
import { createApp, defaultParts } from '../app.js';
import type { Config } from '../config/index.js';
import { systemClock } from '../shared/clock.js';
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

/** The demo configuration: one loopback network, the gateway and the web server on it, three TCP meters. */
export function demoConfig(base: Config, ports: { modbus: number; web: number; panel: number }): Config {
  const { modbus: modbusPort, web: webPort, panel: panelPort } = ports;
  return {
    ...base,
    web: { ...base.web, port: webPort, enabled: { LOOP: true } },
    system: { name: 'Wattgate demo', location: 'Simulated switchboard', timezone: 'UTC' },
    networks: { LOOP: { addresses: ['127.0.0.1'], description: 'Demo (loopback only)' } },
    modbus: {
      ...base.modbus,
      server: { ...base.modbus.server, port: modbusPort, enabled: { LOOP: true }, allowList: {} },
      tcpDevices: DEMO_METERS.map((unit) => ({
        name: `meter-${unit}`,
        host: '127.0.0.1',
        port: panelPort,
        unitId: unit,
        virtualId: unit,
        timeoutMs: 1000,
        oneInFlight: false,
      })),
    },
  };
}

function banner(version: string, dataDir: string, keep: boolean, port: number, webPort: number): string {
  const mb = `mbpoll -m tcp -p ${port} -1`;
  return [
    `Wattgate ${version} demo — a simulated switchboard on 127.0.0.1`,
    `  data directory : ${dataDir}${keep ? '' : ' (removed on exit; pass --data-dir to keep it)'}`,
    `  Web (HTTPS)    : https://127.0.0.1:${webPort}/ — self-signed certificate; set the first admin`,
    '                   password with the device code printed above (shown once, also in <data directory>/device-code)',
    `  Modbus TCP     : 127.0.0.1:${port} — unit 255 is Wattgate itself, units 1–3 are simulated meters`,
    '  Try (Debian package mbpoll; register numbers are 1-based):',
    `    ${mb} -a 255 -r 159 -c 1 127.0.0.1           # health: 0 = nominal`,
    `    ${mb} -a 255 -r 101 -c 6 -t 4:hex 127.0.0.1  # serial number (ASCII)`,
    `    ${mb} -a 1 -r 1 -c 5 -t 4:float -B 127.0.0.1 # meter 1: V, A, kW, PF, Hz`,
    '  Configuration  : npm run wattgate -- config export --data-dir <data directory>',
    '  Press Ctrl-C to stop.',
  ].join('\n');
}

export async function runDemo(opts: DemoOptions): Promise<void> {
  const keep = opts.dataDir !== undefined;
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'wattgate-demo-'));
  const { log } = runtime({ ...opts, dataDir, logLevel: opts.logLevel ?? 'warn' });
  const panel = await startPanel({ units: DEMO_METERS, clock: systemClock });
  try {
    const port = opts.modbusPort ?? DEMO_MODBUS_PORT;
    const webPort = opts.webPort ?? DEMO_WEB_PORT;
    const app = createApp({ dataDir, log, parts: (ctx) => defaultParts(ctx) });
    const config = demoConfig(app.ctx.config.get(), { modbus: port, web: webPort, panel: panel.port });
    app.ctx.config.replace(config, { actor: 'demo' });
    await serveUntilSignal(app, opts.duration === undefined ? undefined : opts.duration * 1000, () =>
      process.stdout.write(`${banner(app.ctx.version, dataDir, keep, port, webPort)}\n`),
    );
  } finally {
    await panel.close();
    if (!keep) rmSync(dataDir, { recursive: true, force: true });
  }
}
