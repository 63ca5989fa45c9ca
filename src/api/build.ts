/**
 * Builds the fastify application (ARCHITECTURE 10): one plugin per concern —
 * errors, security headers, cookies, form bodies, auth (default deny), CSRF —
 * then the routes, each with its schema (the OpenAPI document at
 * /api/v1/openapi.json is generated from them). TypeBox validates bodies without
 * coercion and rejects unknown properties (every body schema is closed).
 * Limits (SECURITY B6, J2): body ≤ 64 KiB (413), JSON and form bodies only
 * (415 otherwise), fastify's prototype-poisoning protection on. No listener
 * here: tests use `app.inject()`, server.ts attaches the HTTPS listeners.
 */

import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import { TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance, type FastifyServerFactory } from 'fastify';
import type { PasswordProfile } from '../security/password-policy.js';
import type { SecurityServices } from '../security/services.js';
import type { CertificateService } from '../security/tls-replace.js';
import type { Clock } from '../shared/clock.js';
import type { RestartRequest } from '../shared/lifecycle.js';
import type { Logger } from '../shared/logger.js';
import { authPlugin } from './plugins/auth.js';
import { csrfPlugin } from './plugins/csrf.js';
import { errorsPlugin } from './plugins/errors.js';
import { headersPlugin } from './plugins/headers.js';
import { accountRoutes } from './routes/accounts.js';
import { type AuditRouteOptions, auditRoutes } from './routes/audit.js';
import { authRoutes } from './routes/auth.js';
import { certificateRoutes } from './routes/certificate.js';
import { type ConfigRouteOptions, configRoutes } from './routes/config.js';
import { type DeviceRouteOptions, deviceRoutes } from './routes/devices.js';
import { type DiagnosticsRouteOptions, diagnosticsRoutes } from './routes/diagnostics.js';
import { type HealthRouteOptions, healthRoutes } from './routes/health.js';
import { type HistoryRouteOptions, historyRoutes } from './routes/history.js';
import { metricsRoutes } from './routes/metrics.js';
import { type ModelRouteOptions, modelRoutes } from './routes/models.js';
import { openApiRoutes } from './routes/openapi.js';
import { pageRoutes } from './routes/pages.js';
import { sessionRoutes } from './routes/sessions.js';
import { type SystemIdentity, systemRoutes } from './routes/system.js';
import { tokenRoutes } from './routes/tokens.js';
import { uiRoutes } from './routes/ui.js';
import { type WirelessRouteOptions, wirelessRoutes } from './routes/wireless.js';
import type { UiAssets } from './ui-assets.js';

export const BODY_LIMIT_BYTES = 64 * 1024;

export interface ApiOptions {
  security: SecurityServices;
  clock: Clock;
  log: Logger;
  profile: () => PasswordProfile;
  /** True once a CA-issued certificate is installed: only then HSTS. */
  hsts: () => boolean;
  /** The system's name, serial number and installation id (GET /api/v1/system). */
  system: () => SystemIdentity;
  /** The HTTPS certificate: described and replaced by an admin. */
  certificate: CertificateService;
  /** The audit log (read, export, verify); its routes exist only when given. */
  audit?: AuditRouteOptions;
  /** Device models (catalog, custom import); routes only when given. */
  models?: ModelRouteOptions;
  /** Devices, discovery, live values; routes only when given. */
  devices?: DeviceRouteOptions;
  /** History queries and CSV export; routes only when given. */
  history?: HistoryRouteOptions;
  /** Wireless devices, discovery, removal; routes only when given. */
  wireless?: WirelessRouteOptions;
  /** The health board (GET /api/v1/health); without it the answer is `ok`. */
  health?: HealthRouteOptions['health'];
  /** Modbus diagnostics (GET /api/v1/diagnostics/modbus); the route exists only when given. */
  diagnostics?: DiagnosticsRouteOptions;
  /** Configuration sections read and replaced (admin); routes only when given. */
  config?: ConfigRouteOptions;
  /** Restarts the whole application (POST /api/v1/system/restart, admin); the route exists only when given. */
  restart?: (by: RestartRequest) => Promise<void> | void;
  /** The web UI's built files (ui-assets.ts); without them the pages answer 503. */
  ui?: UiAssets | undefined;
  serverFactory?: FastifyServerFactory;
}

export async function buildApi(opts: ApiOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: false,
    bodyLimit: BODY_LIMIT_BYTES,
    routerOptions: { maxParamLength: 200 },
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    return503OnClosing: true,
    ...(opts.serverFactory ? { serverFactory: opts.serverFactory } : {}),
  });
  app.setValidatorCompiler(TypeBoxValidatorCompiler);
  app.removeContentTypeParser('text/plain'); // JSON and form bodies only: anything else → 415
  await app.register(errorsPlugin, { log: opts.log });
  await app.register(headersPlugin, { hsts: opts.hsts });
  await app.register(cookie);
  await app.register(formbody, { bodyLimit: BODY_LIMIT_BYTES });
  const timeouts = opts.security.timeouts;
  const { sessions, tokens, emit } = opts.security;
  await app.register(authPlugin, { sessions, tokens, clock: opts.clock, timeouts, emit });
  await app.register(csrfPlugin);
  await app.register(healthRoutes, opts.health ? { health: opts.health } : {});
  await app.register(authRoutes, { security: opts.security, profile: opts.profile });
  await app.register(accountRoutes, {
    security: opts.security,
    profile: opts.profile,
    now: () => opts.clock.now(),
  });
  await app.register(sessionRoutes, { security: opts.security, clock: opts.clock });
  await app.register(tokenRoutes, { security: opts.security, clock: opts.clock });
  if (opts.audit) await app.register(auditRoutes, opts.audit);
  if (opts.models) await app.register(modelRoutes, opts.models);
  if (opts.devices) await app.register(deviceRoutes, opts.devices);
  if (opts.history) await app.register(historyRoutes, opts.history);
  if (opts.wireless) await app.register(wirelessRoutes, opts.wireless);
  if (opts.diagnostics) await app.register(diagnosticsRoutes, opts.diagnostics);
  if (opts.config) await app.register(configRoutes, opts.config);
  const devices = opts.devices?.devices;
  if (opts.diagnostics)
    await app.register(metricsRoutes, {
      ...opts.diagnostics,
      ...(opts.health ? { health: opts.health } : {}),
      ...(devices ? { devices: () => devices.list() } : {}),
    });
  await app.register(certificateRoutes, { certificate: opts.certificate, security: opts.security });
  await app.register(systemRoutes, {
    system: opts.system,
    clock: opts.clock,
    ...(opts.restart && { restart: opts.restart }),
  });
  await app.register(pageRoutes, { security: opts.security });
  await app.register(uiRoutes, { assets: opts.ui });
  await app.register(openApiRoutes);
  await app.ready();
  return app;
}
