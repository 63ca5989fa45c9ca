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
import { createWebServer } from './api/server.js';
import { ConfigStore } from './config/index.js';
import { type AppContext, type AppEvents, configView } from './core/context.js';
import { dataPath, ensureDataDir } from './core/data-dir.js';
import { wattgateIdentity } from './core/identity.js';
import { VERSION } from './core/version.js';
import { createGateway } from './modbus/gateway.js';
import { createSerialLineTarget } from './modbus/serial-line-target.js';
import { createTcpDeviceTarget } from './modbus/tcp-device.js';
import { createAuditPart } from './security/audit/part.js';
import { type Clock, systemClock } from './shared/clock.js';
import { TypedEvents } from './shared/events.js';
import { Lifecycle, type Part } from './shared/lifecycle.js';
import type { Logger } from './shared/logger.js';
import { type Installation, loadInstallation, openDatabase } from './storage/index.js';

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

export interface DefaultPartsOptions {
  /** Listen on this Modbus port instead of the configured one (0 = ephemeral; tests, benchmarks). */
  modbusPort?: number;
  /** Listen on this HTTPS port instead of the configured one (0 = ephemeral; tests). */
  webPort?: number;
}

/** The parts of a running Wattgate, in start order. */
export function defaultParts(ctx: AppContext, opts: DefaultPartsOptions = {}): Part[] {
  const audit = createAuditPart({
    log: ctx.log,
    clock: ctx.clock,
    events: ctx.events,
    config: ctx.config,
    audit: configView(ctx, 'audit'),
    dbPath: dataPath(ctx.dataDir, 'auditDb'),
    keyPath: dataPath(ctx.dataDir, 'auditKey'),
  });
  const gateway = createGateway(
    {
      log: ctx.log,
      clock: ctx.clock,
      events: ctx.events,
      modbus: configView(ctx, 'modbus'),
      networks: configView(ctx, 'networks'),
      identity: wattgateIdentity(ctx),
      createDeviceTarget: (cfg, c) => createTcpDeviceTarget(cfg, c),
      createSerialLineTarget: (cfg, c) => createSerialLineTarget(cfg, c),
    },
    opts.modbusPort === undefined ? {} : { portOverride: opts.modbusPort },
  );
  const web = createWebServer({
    log: ctx.log,
    clock: ctx.clock,
    dataDir: ctx.dataDir,
    db: ctx.db,
    web: configView(ctx, 'web'),
    networks: configView(ctx, 'networks'),
    installation: ctx.installation,
    system: configView(ctx, 'system'),
    audit: { audit: audit.log, record: audit.record },
    onSecurityEvent: (e) => audit.recordSecurity(e),
    ...(opts.webPort === undefined ? {} : { portOverride: opts.webPort }),
  });
  return [audit, gateway, web];
}

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
  const events = new TypedEvents<AppEvents>((event, error) =>
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
