/**
 * API token administration (PRODUCT S13; SECURITY B5), admin only: list the
 * tokens (never their secret nor id), create one with a name, a role and an
 * expiry (the token is in the 201 answer and nowhere else, ever), revoke one.
 * Creating and revoking need a login session (`sessionOnly`): a token cannot
 * mint or extend tokens. Both are reported to the security event hook with the
 * acting account.
 */
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { type ApiTokenInfo, TOKEN_NAME_PATTERN } from '../../security/api-tokens.js';
import { ADMIN_ONLY, ROLES, type Role } from '../../security/roles.js';
import type { SecurityServices } from '../../security/services.js';
import type { Clock } from '../../shared/clock.js';
import { ErrorCodes, WattgateError } from '../../shared/errors.js';
import type { RequestAuth } from '../types.js';

const ISO_UTC = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,3})?)?Z$';
const Name = Type.String({ pattern: TOKEN_NAME_PATTERN });
const When = Type.String({ description: 'ISO 8601 UTC' });
const TokenOut = Type.Object({
  name: Type.String(),
  role: Type.String(),
  createdBy: Type.String(),
  createdAt: When,
  expiresAt: When,
  revokedAt: Type.Union([When, Type.Null()]),
  lastUsedAt: Type.Union([When, Type.Null()]),
});
const Created = Type.Object({
  name: Type.String(),
  role: Type.String(),
  expiresAt: When,
  token: Type.String({ description: 'shown once: send as `Authorization: Bearer <token>`' }),
});
const CreateBody = Type.Object(
  {
    name: Name,
    role: Type.Enum([...ROLES]),
    expiresAt: Type.String({ pattern: ISO_UTC, maxLength: 30, description: 'ISO 8601 UTC, within 2 years' }),
  },
  { additionalProperties: false },
);

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function out(t: ApiTokenInfo) {
  return {
    name: t.name,
    role: t.role,
    createdBy: t.createdBy,
    createdAt: iso(t.createdAt),
    expiresAt: iso(t.expiresAt),
    revokedAt: iso(t.revokedAt),
    lastUsedAt: iso(t.lastUsedAt),
  };
}

function parseExpiry(raw: string): number {
  const ms = Date.parse(raw);
  if (Number.isNaN(ms)) throw new WattgateError(ErrorCodes.INVALID_ARGUMENT, `invalid expiresAt ${raw}`);
  return ms;
}

type TokenRouteOptions = { security: SecurityServices; clock: Clock };
type CreateRequest = { name: string; role: Role; expiresAt: string };

/** Creates the token and reports it; the answer is the only place the secret ever appears. */
function create(opts: TokenRouteOptions, body: CreateRequest, actor: string) {
  const now = opts.clock.now();
  const r = opts.security.tokens.create(body.name, body.role, parseExpiry(body.expiresAt), actor, now);
  const t = r.token;
  opts.security.emit({ type: 'token.created', token: t.name, role: t.role, expiresAt: t.expiresAt, actor });
  return { name: t.name, role: t.role, expiresAt: iso(t.expiresAt), token: r.secret };
}

export async function tokenRoutes(app: FastifyInstance, opts: TokenRouteOptions): Promise<void> {
  const { tokens, emit } = opts.security;
  app.get('/api/v1/tokens', {
    config: { access: ADMIN_ONLY },
    schema: {
      summary: 'List API tokens (without secrets)',
      description:
        'Admin only. Every token ever created, revoked and expired ones included: name, role, who ' +
        'created it, when, its expiry, revocation and last use (ISO 8601 UTC). Never the token itself.',
      tags: ['tokens'],
      response: { 200: Type.Array(TokenOut) },
    },
    handler: async () => tokens.list().map(out),
  });
  app.post('/api/v1/tokens', {
    config: { access: ADMIN_ONLY, sessionOnly: true },
    schema: {
      summary: 'Create an API token; the token is shown once',
      description:
        'Admin only, with a login session (a token cannot create tokens: 403). The 201 answer is the only ' +
        'place the token ever appears. Expiry in the past or beyond 2 years: 400; a name used before: ' +
        '409. Recorded in the audit log as token.created.',
      tags: ['tokens'],
      body: CreateBody,
      response: { 201: Created },
    },
    handler: async (request, reply) => {
      const body = request.body as CreateRequest;
      const created = create(opts, body, (request.auth as RequestAuth).name);
      return reply.code(201).send(created);
    },
  });
  app.delete('/api/v1/tokens/:name', {
    config: { access: ADMIN_ONLY, sessionOnly: true },
    schema: {
      summary: 'Revoke an API token (its name stays reserved)',
      description:
        'Admin only, with a login session (API tokens refused, 403). The token is refused from its next ' +
        'request; revoking twice keeps the first time. Unknown name: 404. Answers 204; audited (token.revoked).',
      tags: ['tokens'],
      params: Type.Object({ name: Name }),
    },
    handler: async (request, reply) => {
      const { name } = request.params as { name: string };
      if (!tokens.revoke(name, opts.clock.now()))
        throw new WattgateError(ErrorCodes.NOT_FOUND, `no token named ${name}`);
      emit({ type: 'token.revoked', token: name, actor: (request.auth as RequestAuth).name });
      return reply.code(204).send();
    },
  });
}
