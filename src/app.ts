/**
 * Composition root: the only place that wires concrete parts together.
 *
 * Order of start: data directory → instance lock (one Wattgate per data
 * directory, core/instance-lock.ts, before any database is opened) → settings
 * database (durable) → configuration store → parts, each with its
 * PartContext, started in the order added and stopped in reverse. Stop closes
 * the parts, then the database, then releases the lock. A part applies
 * configuration changes live through its context (ARCHITECTURE 17); the root
 * only forwards change notices onto the event bus.
 *
 * While running, the root asks the configuration store about once a second
 * (injected clock) whether another process wrote the settings database
 * (`wattgate config import`): such a revision is applied live, exactly like a
 * local change (ConfigStore.refresh).
 */
import type Database from 'better-sqlite3';
import { ConfigStore } from './config/index.js';
import type { AppContext, AppLifecycleEvents } from './core/context.js';
import { dataPath, ensureDataDir } from './core/data-dir.js';
import { acquireInstanceLock, type InstanceLock } from './core/instance-lock.js';
import { VERSION } from './core/version.js';
import { type Installation, loadInstallation, openDatabase } from './db/index.js';
import { type Clock, systemClock, type TimerHandle } from './shared/clock.js';
import { TypedEvents } from './shared/events.js';
import { Lifecycle, type Part } from './shared/lifecycle.js';
import type { Logger } from './shared/logger.js';

export interface AppOptions {
  dataDir: string;
  log: Logger;
  clock?: Clock;
  /** Builds the parts from the context; called once the configuration is loaded. */
  parts?: (ctx: AppContext) => Part[];
  /**
   * The data directory's instance lock when the caller already took it (the
   * demo, which prepares the directory first); the app owns it from then on
   * and releases it at stop. Absent: the app takes it itself.
   */
  instanceLock?: InstanceLock;
  /** What the lock records as the holder's purpose (default `start`). */
  purpose?: string;
}

/** How often the running app looks for a configuration written by another process. */
export const CONFIG_REFRESH_MS = 1000;

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

/** Settings database, configuration and installation identity; closes the db on failure. */
function openStores(dataDir: string, log: Logger, clock: Clock): Stores {
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
  const dir = ensureDataDir(opts.dataDir);
  if (dir.tightened)
    log.warn({ dataDir: dir.path }, 'data directory was group/world accessible; set to 0700');
  const lock =
    opts.instanceLock ??
    acquireInstanceLock(opts.dataDir, { purpose: opts.purpose ?? 'start', now: () => clock.now() });
  let stores: Stores;
  try {
    stores = openStores(opts.dataDir, log, clock);
  } catch (e) {
    lock.release();
    throw e;
  }
  const { db, config, installation } = stores;
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
  try {
    for (const part of opts.parts?.(ctx) ?? []) lifecycle.add(part);
  } catch (e) {
    db.close();
    lock.release();
    throw e;
  }
  let refreshTimer: TimerHandle | undefined;
  const refresh = () => {
    try {
      config.refresh();
    } catch (err) {
      log.error({ err }, 'configuration refresh failed');
    }
  };
  return {
    ctx,
    lifecycle,
    async start() {
      log.info({ version: VERSION, dataDir: opts.dataDir, revision: config.revision }, 'starting');
      try {
        await lifecycle.start();
      } catch (e) {
        db.close();
        lock.release();
        throw e;
      }
      refreshTimer = clock.setInterval(refresh, CONFIG_REFRESH_MS);
      events.emit('app.started', { version: VERSION });
      log.info({ parts: lifecycle.names }, 'started');
    },
    async stop(reason = 'stop requested') {
      if (!db.open) {
        lock.release();
        return;
      }
      refreshTimer?.cancel();
      events.emit('app.stopping', { reason });
      log.info({ reason }, 'stopping');
      await lifecycle.stop();
      db.close();
      lock.release();
      log.info('stopped');
    },
  };
}
