/**
 * The whole application in this process for integration tests: a throw-away
 * data directory, every default part on random ports (Modbus and HTTPS), a
 * configuration made from the defaults by `configure`, then the first start
 * (the device code from the data directory, an admin password) through the
 * real HTTPS API. `stop()` stops the parts and removes the directory.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type App, createApp, defaultParts } from '../../src/app.js';
import type { Config } from '../../src/config/schema.js';
import type { Part } from '../../src/shared/lifecycle.js';
import { silentLogger } from '../../src/shared/logger.js';
import type { WebHost } from '../../src/webhost/host.js';
import { https } from './https.js';

export interface WholeApp {
  readonly app: App;
  readonly dir: string;
  /** The started part called `name` (e.g. 'web', 'modbus-gateway'). */
  part<T extends Part>(name: string): T;
  /** HTTPS port and origin of the web server. */
  readonly port: number;
  readonly origin: string;
  /** The admin's session after first start: cookie and CSRF token headers. */
  readonly admin: { cookie: string; 'x-csrf-token': string };
  stop(): Promise<void>;
}

/** The test's networks: LOOP on 127.0.0.1, HTTPS on it; `modbus` true also serves Modbus TCP there. */
export function loopback(base: Config, opts: { modbus: boolean }): Config {
  return {
    ...base,
    networks: { LOOP: { addresses: ['127.0.0.1'], description: '' } },
    web: { ...base.web, enabled: { LOOP: true } },
    modbus: { ...base.modbus, server: { ...base.modbus.server, enabled: opts.modbus ? { LOOP: true } : {} } },
  };
}

export async function startWholeApp(opts: {
  prefix: string;
  password: string;
  configure: (base: Config) => Config;
}): Promise<WholeApp> {
  const dir = mkdtempSync(join(tmpdir(), opts.prefix));
  let parts: Part[] = [];
  const app = createApp({
    dataDir: dir,
    log: silentLogger,
    parts: (ctx) => {
      parts = defaultParts(ctx, { modbusPort: 0, webPort: 0 });
      return parts;
    },
  });
  const stop = async () => {
    await app.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    app.ctx.config.replace(opts.configure(app.ctx.config.get()));
    await app.start();
    const part = <T extends Part>(name: string) => parts.find((p) => p.name === name) as T;
    const port = Number((await part<WebHost>('web').addresses())[0]?.split(':').pop());
    const deviceCode = readFileSync(join(dir, 'device-code'), 'utf8').trim();
    const first = await https(port, 'POST', '/api/v1/auth/first-start', {
      deviceCode,
      password: opts.password,
    });
    assert.equal(first.status, 200, first.body);
    const admin = {
      cookie: first.cookie ?? '',
      'x-csrf-token': (JSON.parse(first.body) as { csrfToken: string }).csrfToken,
    };
    return { app, dir, part, port, origin: `https://127.0.0.1:${port}`, admin, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
