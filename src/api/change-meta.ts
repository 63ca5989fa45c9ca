/**
 * Who made a configuration change through the API, for the configuration
 * store's commit record and the audit log (SECURITY D2): the account or API
 * token name, which of the two, and the client address.
 */
import type { FastifyRequest } from 'fastify';
import type { ChangeMeta } from '../config/store.js';

export function changeMeta(request: FastifyRequest): ChangeMeta {
  const auth = request.auth;
  return {
    actor: auth?.name ?? 'unknown',
    actorKind: auth?.via === 'token' ? 'token' : 'account',
    source: request.ip,
  };
}
