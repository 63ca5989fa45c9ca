/**
 * The web worker: the HTTPS server and everything a web request does —
 * TLS, routing, authentication (accounts, sessions, tokens on its own
 * connection to settings.db; password hashing in its own nice-19 thread),
 * the audit log's reads, exports and records (its own connection to
 * audit.db; appends from several connections serialise on the chain's head),
 * history queries and CSV exports (a replica on its own connection to
 * history.db, replica.ts) — in a thread of its own at a lower CPU priority
 * than the main thread, which serves Modbus (issue 14). What only main
 * holds (devices, wireless, models, the history's newest points) is asked
 * through Rpc (proxies.ts). A composition root of its own: it wires the web
 * side as parts.ts wires the main side.
 *
 * Started by host.ts; answers `web.start` (opens the listeners, resolves the
 * bound addresses and the thread's id and niceness) and `web.stop`.
 */
import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { createWebServer, type WebServer } from '../api/server.js';
import { dataPath } from '../core/data-dir.js';
import { openDatabase } from '../db/index.js';
import { HistoryReplica } from '../history/replica.js';
import { auditFromSecurity } from '../security/audit/from-security.js';
import { AuditLog } from '../security/audit/store.js';
import { systemClock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import { LoopMonitor, threadStats } from '../shared/process-stats.js';
import { Rpc, type RpcPort } from '../shared/rpc.js';
import type { LogLine, WebWorkerData } from './protocol.js';
import { remoteServices, remoteViews } from './proxies.js';

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error'] as const;

/** A logger whose lines go to main's logger (one pino, one output). */
function forwardingLogger(rpc: Rpc, minLevel: string, bindings: Record<string, unknown> = {}): Logger {
  const min = Math.max(0, LEVELS.indexOf(minLevel as (typeof LEVELS)[number]));
  const at = (level: LogLine['level']) => (objOrMsg: object | string, msg?: string) => {
    if (LEVELS.indexOf(level) < min || minLevel === 'silent') return;
    const line: LogLine =
      typeof objOrMsg === 'string'
        ? { level, bindings, obj: undefined, msg: objOrMsg }
        : { level, bindings, obj: objOrMsg, msg };
    rpc.notify('log', line);
  };
  return {
    trace: at('trace'),
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (b) => forwardingLogger(rpc, minLevel, { ...bindings, ...b }),
  };
}

function threadId(): number | undefined {
  try {
    return Number(readlinkSync('/proc/thread-self').split('/').pop());
  } catch {
    return undefined;
  }
}

function lowerPriority(nice: number): number | undefined {
  try {
    setPriority(0, nice); // 0 = the calling thread (Linux: niceness is per thread)
    return getPriority(0);
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  const data = workerData as WebWorkerData;
  const port = parentPort as unknown as RpcPort;
  const clock = systemClock;
  const rpc = new Rpc(port, { clock, maxInFlight: 256, timeoutMs: 30_000 });
  const log = forwardingLogger(rpc, data.logLevel);
  const views = remoteViews(rpc, data.sections);
  const remote = remoteServices(rpc);
  // This thread's event-loop delay (the web server's); the worker's end stops it with the thread.
  const loop = new LoopMonitor(clock);
  loop.start();
  const db = openDatabase({ path: dataPath(data.dataDir, 'settingsDb'), profile: 'durable' });
  const audit = AuditLog.open({
    dbPath: dataPath(data.dataDir, 'auditDb'),
    keyPath: dataPath(data.dataDir, 'auditKey'),
    clock,
    log: log.child({ component: 'audit' }),
    settings: () => views.audit.get(),
  });
  const history = HistoryReplica.open(dataPath(data.dataDir, 'historyDb'), remote.history);
  const record = (e: Parameters<AuditLog['append']>[0]) => {
    try {
      audit.append(e);
    } catch (err) {
      log.error({ err, event: e.event }, 'audit record failed');
    }
  };
  const web: WebServer = createWebServer({
    log,
    clock,
    dataDir: data.dataDir,
    db,
    web: views.web,
    networks: views.networks,
    installation: data.installation,
    version: data.version,
    system: views.system,
    audit: { audit, record: (e) => audit.append(e) },
    onSecurityEvent: (e) => {
      const entry = auditFromSecurity(e);
      if (entry) record(entry);
    },
    features: {
      models: {
        catalog: remote.models,
        usedBy: (id) => remote.models.usedBy(id),
        audit: (e) =>
          record({
            category: 'config',
            event: e.type,
            actor: { kind: 'account', name: e.actor },
            result: 'success',
            details: { model: e.id },
          }),
      },
      devices: { devices: remote.devices },
      history: { history, timeZone: () => views.system.get().timezone },
      wireless: { wireless: remote.wireless, audit: record },
      health: () => remote.health.report(),
      diagnostics: {
        modbus: () => remote.modbus.diagnostics(),
        process: async () => ({ main: await remote.process.stats(), web: threadStats(loop) }),
      },
      config: { config: remote.config },
      restart: (by) => remote.system.restart(by),
    },
    ...(data.portOverride === undefined ? {} : { portOverride: data.portOverride }),
    ...(data.hostsOverride === undefined ? {} : { hostsOverride: [...data.hostsOverride] }),
  });
  rpc.serve({
    'web.start': async () => {
      const nice = lowerPriority(data.nice);
      await web.start();
      return { addresses: web.addresses(), tid: threadId(), nice };
    },
    'web.addresses': () => web.addresses(),
    'web.stop': async () => {
      loop.stop();
      await web.stop();
      history.close();
      audit.close();
      db.close();
    },
  });
  rpc.notify('web.loaded');
}

void main();
