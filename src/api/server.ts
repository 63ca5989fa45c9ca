/**
 * The HTTPS web server Part (PRODUCT E1, S10, S11; SECURITY C1, G2, J2).
 * At start: the security services over the settings database, the device
 * code (first start: file 0600 + console banner), the installation's TLS
 * certificate, then one node:https listener per address of every network
 * where `web.enabled[network]` is true, on `web.port`, all serving the one
 * fastify app. A change of `web` or `networks` re-opens the listeners (a
 * disabled network's port closes at once). An admin's certificate upload
 * (PUT /api/v1/certificate) is written to disk, then every listener takes it
 * with `setSecureContext` (new connections, no restart) and HSTS turns on.
 * Limits (SECURITY J2): headers 16 KiB (431), headers within 10 s, whole
 * request within 30 s (408 then close; checked every second, so a slow client
 * is cut at most 1 s late), idle keep-alive 5 s, at most 256 connections per
 * listener. Node's HTTP timers run on real time, not on the Clock.
 */

import { createServer, type Server } from 'node:https';
import type Database from 'better-sqlite3';
import type { FastifyInstance } from 'fastify';
import type { NetworksConfig, SystemConfig } from '../config/schema.js';
import type { WebConfig } from '../config/schema-web.js';
import type { Installation } from '../db/installation.js';
import type { SecurityEvent } from '../security/auth-service.js';
import { deviceCodeBanner, ensureDeviceCode } from '../security/device-code.js';
import type { PasswordProfile } from '../security/password-policy.js';
import { createSecurity, type SecurityServices } from '../security/services.js';
import { ensureTlsMaterial, type TlsMaterial } from '../security/tls-cert.js';
import { tlsServerOptions } from '../security/tls-options.js';
import { certificateService, finishPendingReplacement } from '../security/tls-replace.js';
import type { Clock, TimerHandle } from '../shared/clock.js';
import type { ConfigView } from '../shared/config-view.js';
import type { Part } from '../shared/lifecycle.js';
import type { Logger } from '../shared/logger.js';
import { type ApiOptions, buildApi } from './build.js';
import { type CapStats, ConnectionCounter } from './connection-caps.js';
import type { AuditRouteOptions } from './routes/audit.js';
import { loadUiAssets } from './ui-assets.js';

export interface WebServerContext {
  log: Logger;
  clock: Clock;
  dataDir: string;
  db: Database.Database;
  web: ConfigView<WebConfig>;
  networks: ConfigView<NetworksConfig>;
  installation: Installation;
  /** The running release's version (GET /api/v1/system); default "0.0.0". */
  version?: string;
  /** The `system` configuration section: its `name` is answered by GET /api/v1/system. */
  system?: ConfigView<SystemConfig>;
  /** Where the device code is shown once (default: stdout, never the logger). */
  showDeviceCode?: (text: string) => void;
  onSecurityEvent?: (e: SecurityEvent) => void;
  /** The audit log: its routes (read, export, verify) are served when given. */
  audit?: Pick<AuditRouteOptions, 'audit' | 'record'>;
  /** Feature routes served when given (device models, devices, history). */
  features?: Pick<
    ApiOptions,
    'models' | 'devices' | 'history' | 'wireless' | 'health' | 'diagnostics' | 'config' | 'restart'
  >;
  /** Listen on this port instead of `web.port` (0 = ephemeral; tests). */
  portOverride?: number;
  /** Listen only on these hosts instead of the networks' addresses (tests). */
  hostsOverride?: string[];
  /** Shorter HTTP timeouts (tests of SEC-J2 that must stay fast); production never passes it. */
  limits?: Partial<ServerLimits>;
}

export interface WebServer extends Part {
  readonly security: SecurityServices;
  /** The fastify app (after start): `inject()` for in-process checks. */
  readonly app: FastifyInstance | undefined;
  /** Bound addresses after start, e.g. `127.0.0.1:8443`. */
  addresses(): string[];
  /** Connections open now and refused by the caps (connection-caps.ts). */
  readonly connections: CapStats;
}

export interface ServerLimits {
  maxHeaderSize: number;
  /** A TLS handshake not finished in time closes the connection (Node's default is 120 s). */
  handshakeTimeout: number;
  headersTimeout: number;
  requestTimeout: number;
  keepAliveTimeout: number;
  connectionsCheckingInterval: number;
}

export const SERVER_LIMITS: Readonly<ServerLimits> = {
  maxHeaderSize: 16 * 1024,
  handshakeTimeout: 10_000,
  headersTimeout: 10_000,
  requestTimeout: 30_000,
  keepAliveTimeout: 5000,
  connectionsCheckingInterval: 1000,
};

/** `system.name`'s schema default, answered when no system view is wired. */
const DEFAULT_SYSTEM_NAME = 'Wattgate';

function listenHosts(ctx: WebServerContext): string[] {
  if (ctx.hostsOverride) return ctx.hostsOverride;
  const cfg = ctx.web.get();
  const hosts: string[] = [];
  for (const [name, net] of Object.entries(ctx.networks.get())) {
    if (cfg.enabled[name] === true) hosts.push(...net.addresses);
  }
  return [...new Set(hosts)];
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port }, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

export function createWebServer(ctx: WebServerContext): WebServer {
  const log = ctx.log.child({ component: 'web' });
  const security = createSecurity({
    db: ctx.db,
    clock: ctx.clock,
    web: () => ctx.web.get(),
    ...(ctx.onSecurityEvent ? { onEvent: ctx.onSecurityEvent } : {}),
  });
  let app: FastifyInstance | undefined;
  let servers: Server[] = [];
  let handler: ((req: unknown, res: unknown) => void) | undefined;
  let tls: TlsMaterial | undefined;
  const unsubscribe: Array<() => void> = [];
  let sweep: TimerHandle | undefined;
  const connections = new ConnectionCounter(() => ctx.web.get().connections);

  async function open(): Promise<void> {
    const port = ctx.portOverride ?? ctx.web.get().port;
    for (const host of listenHosts(ctx)) {
      const limits = { ...SERVER_LIMITS, ...ctx.limits };
      const s = createServer({ ...tlsServerOptions(tls as TlsMaterial), ...limits });
      connections.attach(s); // fair share per source, cap in all (connection-caps.ts)
      s.on('request', handler as never);
      await listen(s, host, port);
      servers.push(s);
    }
    log.info({ addresses: addresses() }, 'HTTPS listening');
  }

  async function closeAll(): Promise<void> {
    const old = servers;
    servers = [];
    await Promise.all(old.map(close));
  }

  function addresses(): string[] {
    return servers.map((s) => {
      const a = s.address();
      return typeof a === 'object' && a
        ? `${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`
        : '';
    });
  }

  return {
    name: 'web',
    security,
    get app() {
      return app;
    },
    addresses,
    get connections() {
      return connections.stats;
    },
    async start() {
      const show = ctx.showDeviceCode ?? ((t: string) => process.stdout.write(t));
      ensureDeviceCode(ctx.db, ctx.dataDir, ctx.clock.now(), (code, file) =>
        show(deviceCodeBanner(code, file)),
      );
      finishPendingReplacement(ctx.dataDir);
      tls = await ensureTlsMaterial(ctx.dataDir, `Wattgate ${ctx.installation.serial}`, ctx.clock.now());
      const certificate = certificateService({
        dataDir: ctx.dataDir,
        now: () => ctx.clock.now(),
        current: () => tls as TlsMaterial,
        onReplaced: (m) => {
          tls = m;
          // Running listeners take the new pair for new connections, no restart.
          for (const s of servers) s.setSecureContext(tlsServerOptions(m));
          log.info({ selfSigned: false }, 'HTTPS certificate replaced');
        },
      });
      const ui = await loadUiAssets((why) => log.error(why));
      app = await buildApi({
        ui,
        security,
        clock: ctx.clock,
        log,
        profile: () => ctx.web.get().passwordProfile as PasswordProfile,
        hsts: () => tls?.selfSigned === false,
        certificate,
        ...ctx.features,
        ...(ctx.audit
          ? { audit: { ...ctx.audit, clock: ctx.clock, serialNumber: () => ctx.installation.serial } }
          : {}),
        system: () => ({
          name: ctx.system?.get().name ?? DEFAULT_SYSTEM_NAME,
          serialNumber: ctx.installation.serial,
          installationId: ctx.installation.id,
          version: ctx.version ?? '0.0.0',
          timeZone: ctx.system?.get().timezone ?? 'UTC',
        }),
        serverFactory: (h) => {
          handler = h as never;
          return createServer();
        },
      });
      await open();
      const reopen = async () => {
        await closeAll();
        await open();
      };
      unsubscribe.push(ctx.web.subscribe(reopen), ctx.networks.subscribe(reopen));
      sweep = ctx.clock.setInterval(
        () => security.sessions.sweep(ctx.clock.now(), security.timeouts()),
        60_000,
      );
    },
    async stop() {
      for (const u of unsubscribe.splice(0)) u();
      sweep?.cancel();
      await closeAll();
      await app?.close();
      app = undefined;
    },
  };
}
