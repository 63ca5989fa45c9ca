/**
 * The API as documented: builds the fastify app with its default
 * configuration over a private in-memory database (no listener, no hashing,
 * no file) only to read its route table. scripts/openapi.ts writes the
 * document from it, and a test checks the committed docs/api/openapi.json is
 * exactly what this produces, so the document cannot go stale.
 */
import { Value } from 'typebox/value';
import type { DevicesService } from '../acquisition/service.js';
import { type WebConfig, WebSchema } from '../config/schema-web.js';
import { openDatabase } from '../db/database.js';
import { ModelCatalog } from '../devices/models/index.js';
import { createSecurity } from '../security/services.js';
import { ManualClock } from '../shared/clock.js';
import { silentLogger } from '../shared/logger.js';
import { buildApi } from './build.js';
import { renderOpenApi } from './openapi.js';
import type { ConfigRouteOptions } from './routes/config.js';
import type { HistoryQueryApi } from './routes/history.js';
import type { WirelessRouteOptions } from './routes/wireless.js';

/** A service whose every method throws: routes are registered for their schemas, never called. */
function undocumented<T extends object>(what: string): T {
  return new Proxy({} as T, {
    get: () => () => {
      throw new Error(`documentation build: no ${what}`);
    },
  });
}

/** The OpenAPI document text of the API as built by buildApi with defaults. */
export async function generateOpenApi(): Promise<string> {
  const db = openDatabase({ path: ':memory:', profile: 'durable' });
  const clock = new ManualClock();
  const web = Value.Default(WebSchema, {}) as WebConfig;
  try {
    const security = createSecurity({ db, clock, web: () => web });
    const app = await buildApi({
      security,
      clock,
      log: silentLogger,
      profile: () => web.passwordProfile,
      hsts: () => false,
      system: () => ({ name: 'Wattgate', serialNumber: '', installationId: '', version: '0.0.0' }),
      certificate: {
        info: () => {
          throw new Error('documentation build: no certificate');
        },
        replace: () => {
          throw new Error('documentation build: no certificate');
        },
      },
      audit: {
        audit: {
          records: () => {
            throw new Error('documentation build: no audit log');
          },
          verify: () => {
            throw new Error('documentation build: no audit log');
          },
          stats: () => {
            throw new Error('documentation build: no audit log');
          },
          head: () => null,
        },
        record: () => undefined,
        clock,
        serialNumber: () => '',
      },
      models: { catalog: ModelCatalog.open() },
      devices: { devices: undocumented<DevicesService>('devices') },
      history: { history: undocumented<HistoryQueryApi>('history') },
      wireless: { wireless: undocumented<WirelessRouteOptions['wireless']>('wireless') },
      config: { config: undocumented<ConfigRouteOptions['config']>('configuration') },
      diagnostics: {
        modbus: () => {
          throw new Error('diagnostics: documentation only');
        },
        process: () => {
          throw new Error('diagnostics: documentation only');
        },
      },
    });
    const text = renderOpenApi(app.routeTable);
    await app.close();
    return text;
  } finally {
    db.close();
  }
}
