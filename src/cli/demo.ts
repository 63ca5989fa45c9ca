/**
 * `wattgate demo`: Wattgate on the embedded defaults (SQLite, no extra
 * services) in a throw-away data directory, with a demo configuration on high
 * ports on loopback. The demo grows with each capability; it prints what is
 * running and how to look at it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../app.js';
import { type CommonOptions, runtime } from './runtime.js';
import { serveUntilSignal } from './serve.js';

export interface DemoOptions extends CommonOptions {
  duration?: number;
}

/** The demo's configuration: loopback only, high ports (the product defaults are 502/443/5357). */
export const DEMO_CONFIG_PATCH = {
  system: { name: 'Wattgate demo', location: 'Simulated switchboard', timezone: 'UTC' },
} as const;

export async function runDemo(opts: DemoOptions): Promise<void> {
  const keep = opts.dataDir !== undefined;
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'wattgate-demo-'));
  const { log } = runtime({ ...opts, dataDir, logLevel: opts.logLevel ?? 'warn' });
  const app = createApp({ dataDir, log });
  for (const [section, value] of Object.entries(DEMO_CONFIG_PATCH)) {
    app.ctx.config.update(section as keyof typeof DEMO_CONFIG_PATCH, value, { actor: 'demo' });
  }
  const cfg = app.ctx.config.get();
  const bin = 'npm run wattgate --';
  const lines = [
    `Wattgate ${app.ctx.version} demo — "${cfg.system.name}"`,
    `  data directory : ${dataDir}${keep ? '' : ' (removed on exit; pass --data-dir to keep it)'}`,
    `  configuration  : revision ${app.ctx.config.revision}, stored in ${join(dataDir, 'settings.db')}`,
    `  export it      : ${bin} config export --data-dir ${dataDir}`,
    `  validate a file: ${bin} config import --dry-run <file> --data-dir ${dataDir}`,
    '  Press Ctrl-C to stop.',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  try {
    await serveUntilSignal(app, opts.duration === undefined ? undefined : opts.duration * 1000);
  } finally {
    if (!keep) rmSync(dataDir, { recursive: true, force: true });
  }
}
