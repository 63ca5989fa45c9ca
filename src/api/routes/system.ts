/**
 * System identity (PRODUCT E3), any role, accounts and tokens: the system's
 * name (configuration `system.name`), the installation's serial number and id,
 * the running release's version and the uptime of the web part in whole
 * seconds on the injected clock. Nothing secret: the response schema lists the
 * only fields that can leave (fastify serialises by it). An admin can restart
 * the application (Maintenance → Restart), audited.
 */
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { ADMIN_ONLY, ANY_ROLE } from '../../security/roles.js';
import type { Clock } from '../../shared/clock.js';
import type { RestartRequest } from '../../shared/lifecycle.js';
import type { RequestAuth } from '../types.js';

export interface SystemIdentity {
  name: string;
  serialNumber: string;
  installationId: string;
  version: string;
  /** IANA time zone of the installation (system.timezone): the pages show times in it. */
  timeZone?: string;
}

const SystemOut = Type.Object({
  name: Type.String(),
  serialNumber: Type.String(),
  installationId: Type.String(),
  version: Type.String(),
  timeZone: Type.String({ description: 'IANA time zone of the installation (pages show times in it)' }),
  uptimeS: Type.Integer({ minimum: 0, description: 'seconds since the web part started' }),
});

export async function systemRoutes(
  app: FastifyInstance,
  opts: {
    system: () => SystemIdentity;
    clock: Clock;
    restart?: (by: RestartRequest) => Promise<void> | void;
  },
): Promise<void> {
  const startedAt = opts.clock.now();
  app.get('/api/v1/system', {
    config: { access: ANY_ROLE },
    schema: {
      summary: 'System identity: name, serial number, installation id, version, time zone, uptime',
      description:
        'Any role (session or API token). The system name is configuration `system.name`; the time zone ' +
        'is the one the pages show times in; `uptimeS` counts whole seconds since the web part started.',
      tags: ['system'],
      response: { 200: SystemOut },
    },
    handler: async () => {
      const s = opts.system();
      return {
        name: s.name,
        serialNumber: s.serialNumber,
        installationId: s.installationId,
        version: s.version,
        timeZone: s.timeZone ?? 'UTC',
        uptimeS: Math.max(0, Math.floor((opts.clock.now() - startedAt) / 1000)),
      };
    },
  });
  const restart = opts.restart;
  if (!restart) return;
  app.post('/api/v1/system/restart', {
    config: { access: ADMIN_ONLY },
    schema: {
      summary: 'Restart Wattgate (admin; audited)',
      description:
        'Answers 202, then every part stops in order (Modbus connections closed, history flushed) and ' +
        'starts again from the stored configuration, in the same process: the pages reconnect by ' +
        'themselves within seconds. Recorded in the audit log as system.restart-requested with who.',
      tags: ['system'],
      response: { 202: Type.Object({ restarting: Type.Boolean() }) },
    },
    handler: async (request, reply) => {
      const auth = request.auth as RequestAuth;
      await restart({
        actor: auth.name,
        actorKind: auth.via === 'token' ? 'token' : 'account',
        source: request.ip,
      });
      return reply.code(202).send({ restarting: true });
    },
  });
}
