/**
 * Composition root: the only place that wires concrete parts together.
 *
 * Order of start: data directory → settings database (durable) → configuration
 * store → parts, each with its PartContext, started in the order added and
 * stopped in reverse. Stop closes the parts, then the database. A part applies
 * configuration changes live through its context (ARCHITECTURE 17); the root
 * only forwards change notices onto the event bus.
 */
import type Database from 'better-sqlite3';
import { ConfigStore } from './config/index.js';
import type { AppContext, AppLifecycleEvents } from './core/context.js';
import { dataPath, ensureDataDir } from './core/data-dir.js';
import { VERSION } from './core/version.js';
import { type Installation, loadInstallation, openDatabase } from './db/index.js';
import { type Clock, systemClock } from './shared/clock.js';
import { TypedEvents } from './shared/events.js';
import { Lifecycle, type Part } from './shared/lifecycle.js';
import type { Logger } from './shared/logger.js';

export interface AppOptions {
  dataDir: string;
  log: Logger;
  clock?: Clock;
  /** Builds the parts from the context; called once the configuration is loaded. */
  parts?: (ctx: AppContext) => Part[];
}

export interface App {
  readonly ctx: AppContext;
  readonly lifecycle: Lifecycle;
  start(): Promise<void>;
  stop(reason?: string): Promise<void>;
}

export { type DefaultPartsOptions, defaultParts } from './parts.js';

interface Stores {
  db: Database.Database;
  config: ConfigStore;
  installation: Installation;
}

/** Data directory, settings database, configuration and installation identity; closes the db on failure. */
function openStores(dataDir: string, log: Logger, clock: Clock): Stores {
  const dir = ensureDataDir(dataDir);
  if (dir.tightened)
    log.warn({ dataDir: dir.path }, 'data directory was group/world accessible; set to 0700');
  const db = openDatabase({ path: dataPath(dataDir, 'settingsDb'), profile: 'durable' });
  try {
    const config = ConfigStore.open(db, { clock, log: log.child({ component: 'config' }) });
    return { db, config, installation: loadInstallation(db, { clock }) };
  } catch (e) {
    db.close();
    throw e;
  }
}

/** Opens the stores and builds the parts; nothing listens until `start()`. */
export function createApp(opts: AppOptions): App {
  const log = opts.log;
  const clock = opts.clock ?? systemClock;
  const { db, config, installation } = openStores(opts.dataDir, log, clock);
  const events = new TypedEvents<AppLifecycleEvents>((event, error) =>
    log.error({ err: error, event: String(event) }, 'event listener failed'),
  );
  const ctx: AppContext = {
    version: VERSION,
    dataDir: opts.dataDir,
    log,
    clock,
    events,
    db,
    config,
    installation,
  };
  const lifecycle = new Lifecycle((part, error) => log.error({ err: error, part }, 'part failed to stop'));
  for (const part of opts.parts?.(ctx) ?? []) lifecycle.add(part);
  return {
    ctx,
    lifecycle,
    async start() {
      log.info({ version: VERSION, dataDir: opts.dataDir, revision: config.revision }, 'starting');
      try {
        await lifecycle.start();
      } catch (e) {
        db.close();
        throw e;
      }
      events.emit('app.started', { version: VERSION });
      log.info({ parts: lifecycle.names }, 'started');
    },
    async stop(reason = 'stop requested') {
      if (!db.open) return;
      events.emit('app.stopping', { reason });
      log.info({ reason }, 'stopping');
      await lifecycle.stop();
      db.close();
      log.info('stopped');
    },
  };
}
