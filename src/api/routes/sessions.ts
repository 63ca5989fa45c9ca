/**
 * Session administration (PRODUCT S5; SECURITY B2), admin only: list the
 * sessions that are still valid (account, start, last activity, source — never
 * a secret: the id alone cannot authenticate, the cookie's secret part is only
 * stored hashed) and end one of them. Ending all of an account's sessions is
 * DELETE /api/v1/accounts/:name/sessions. Both are reported to the security
 * event hook (audit log).
 */
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { ADMIN_ONLY } from '../../security/roles.js';
import type { SecurityServices } from '../../security/services.js';
import type { Clock } from '../../shared/clock.js';
import { ErrorCodes, WattgateError } from '../../shared/errors.js';
import type { RequestAuth } from '../types.js';

const SessionOut = Type.Object({
  id: Type.String(),
  account: Type.String(),
  createdAt: Type.String({ description: 'ISO 8601 UTC' }),
  lastSeenAt: Type.String({ description: 'ISO 8601 UTC' }),
  source: Type.Union([Type.String(), Type.Null()]),
  current: Type.Boolean({ description: 'the session making this request' }),
});

export async function sessionRoutes(
  app: FastifyInstance,
  opts: { security: SecurityServices; clock: Clock },
): Promise<void> {
  const { sessions, timeouts, emit } = opts.security;
  app.get('/api/v1/sessions', {
    config: { access: ADMIN_ONLY },
    schema: {
      summary: 'List the valid sessions',
      description:
        'Admin only. Every session still valid: account, start, last activity and source address; ' +
        "`current` marks the caller's own. Never a secret: a session id alone cannot authenticate.",
      tags: ['accounts'],
      response: { 200: Type.Array(SessionOut) },
    },
    handler: async (request) =>
      sessions.list(opts.clock.now(), timeouts()).map((s) => ({
        id: s.id,
        account: s.account,
        createdAt: new Date(s.createdAt).toISOString(),
        lastSeenAt: new Date(s.lastSeenAt).toISOString(),
        source: s.source,
        current: s.id === request.auth?.sessionId,
      })),
  });
  app.delete('/api/v1/sessions/:id', {
    config: { access: ADMIN_ONLY },
    schema: {
      summary: 'End one session',
      description:
        'Admin only. Its user must log in again; unknown or already ended: 404. Answers 204; recorded ' +
        'in the audit log as sessions.ended with who and from where.',
      tags: ['accounts'],
      params: Type.Object({ id: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }) }),
    },
    handler: async (request, reply) => {
      const { id } = request.params as { id: string };
      const target = sessions.list(opts.clock.now(), timeouts()).find((s) => s.id === id);
      if (!target || !sessions.end(id)) throw new WattgateError(ErrorCodes.NOT_FOUND, 'no such session');
      const { name: actor, via } = request.auth as RequestAuth;
      emit({ type: 'sessions.ended', account: target.account, actor, via, count: 1, source: request.ip });
      return reply.code(204).send();
    },
  });
}
