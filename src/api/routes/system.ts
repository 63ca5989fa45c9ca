/**
 * System identity (PRODUCT E3), any role, accounts and tokens: the system's
 * name (configuration `system.name`), the installation's serial number and id,
 * the running release's version and the uptime of the web part in whole
 * seconds on the injected clock. Nothing secret: the response schema lists the
 * only fields that can leave (fastify serialises by it).
 */
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { ANY_ROLE } from '../../security/roles.js';
import type { Clock } from '../../shared/clock.js';

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
  opts: { system: () => SystemIdentity; clock: Clock },
): Promise<void> {
  const startedAt = opts.clock.now();
  app.get('/api/v1/system', {
    config: { access: ANY_ROLE },
    schema: {
      summary: 'System identity: name, serial number, installation id, version, time zone, uptime',
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
}
