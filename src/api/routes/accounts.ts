/**
 * Account administration (PRODUCT S1, S13; SECURITY B2, B5), admin only:
 * list accounts, create one with a role, change its role, delete it, unlock
 * one, end all of an account's sessions. Creating, re-roling and deleting
 * accounts (credentials and privileges) need a login session, not a token.
 * The built-in accounts keep their roles and cannot be deleted; nobody
 * changes or deletes the account they are logged in with (no admin locks
 * themselves out by mistake). Every change is audited with who and from where.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { ACCOUNT_NAME_PATTERN } from '../../security/accounts.js';
import { assertPasswordAcceptable, type PasswordProfile } from '../../security/password-policy.js';
import { ADMIN_ONLY, ROLES, type Role } from '../../security/roles.js';
import type { SecurityServices } from '../../security/services.js';
import { ErrorCodes, WattgateError } from '../../shared/errors.js';
import type { RequestAuth } from '../types.js';

const NameParam = Type.Object({ name: Type.String({ pattern: ACCOUNT_NAME_PATTERN }) });
const AccountOut = Type.Object({
  name: Type.String(),
  role: Type.String(),
  builtin: Type.Boolean(),
  hasPassword: Type.Boolean(),
  lockedUntil: Type.Union([Type.String(), Type.Null()]),
});

export async function accountRoutes(
  app: FastifyInstance,
  opts: { security: SecurityServices; profile: () => PasswordProfile; now: () => number },
): Promise<void> {
  const { accounts, sessions, hasher, emit } = opts.security;
  const actor = (request: FastifyRequest) => (request.auth as RequestAuth).name;
  const via = (request: FastifyRequest) => (request.auth as RequestAuth).via;
  const found = (name: string) => {
    const a = accounts.get(name);
    if (!a) throw new WattgateError(ErrorCodes.NOT_FOUND, `no account named ${name}`);
    return a;
  };
  const notSelf = <A extends { name: string }>(request: FastifyRequest, a: A, what: string): A => {
    if (a.name === actor(request))
      throw new WattgateError(ErrorCodes.FORBIDDEN, `you cannot ${what} the account you are logged in with`);
    return a;
  };
  app.get('/api/v1/accounts', {
    config: { access: ADMIN_ONLY },
    schema: {
      summary: 'List accounts',
      description:
        'Admin only. Every account with its role, whether it is built in, whether a password is set and, ' +
        'when locked after failed logins, until when (`lockedUntil`, ISO 8601 UTC). No password hash.',
      tags: ['accounts'],
      response: { 200: Type.Array(AccountOut) },
    },
    handler: async () =>
      accounts.list().map((a) => ({
        name: a.name,
        role: a.role,
        builtin: a.builtin,
        hasPassword: a.passwordHash !== null,
        lockedUntil: a.lockedUntil === null ? null : new Date(a.lockedUntil).toISOString(),
      })),
  });
  app.post('/api/v1/accounts', {
    config: { access: ADMIN_ONLY, sessionOnly: true },
    schema: {
      summary: 'Create an account with a role and a password',
      description:
        'Admin only, with a login session (API tokens refused, 403). Answers 201 with the name and role. ' +
        'A name already taken: 409; a password the rules refuse: 400 WG_ERR_PASSWORD_POLICY. Recorded ' +
        'in the audit log as account.created with who and from where.',
      tags: ['accounts'],
      body: Type.Object(
        {
          name: Type.String({ pattern: ACCOUNT_NAME_PATTERN }),
          role: Type.Enum([...ROLES]),
          password: Type.String({ maxLength: 256 }),
        },
        { additionalProperties: false },
      ),
    },
    handler: async (request, reply) => {
      const body = request.body as { name: string; role: Role; password: string };
      if (accounts.get(body.name))
        throw new WattgateError(ErrorCodes.CONFLICT, `account ${body.name} exists`);
      assertPasswordAcceptable(body.password, opts.profile(), body.name);
      const a = accounts.create(body.name, body.role, await hasher.hash(body.password), opts.now());
      emit({
        type: 'account.created',
        account: a.name,
        role: a.role,
        actor: actor(request),
        source: request.ip,
      });
      return reply.code(201).send({ name: a.name, role: a.role });
    },
  });
  app.patch('/api/v1/accounts/:name', {
    config: { access: ADMIN_ONLY, sessionOnly: true },
    schema: {
      summary: "Change an account's role",
      description:
        "Takes effect at the account's next request (its sessions stay). Refused (403) for the built-in " +
        'accounts and for the account making the request.',
      tags: ['accounts'],
      params: NameParam,
      body: Type.Object({ role: Type.Enum([...ROLES]) }, { additionalProperties: false }),
      response: { 200: Type.Object({ name: Type.String(), role: Type.String() }) },
    },
    handler: async (request) => {
      const a = notSelf(request, found((request.params as { name: string }).name), 'change the role of');
      const role = (request.body as { role: Role }).role;
      const next = accounts.setRole(a.name, role);
      if (a.role !== role)
        emit({
          type: 'account.role-changed',
          account: a.name,
          from: a.role,
          to: role,
          actor: actor(request),
          source: request.ip,
        });
      return { name: next.name, role: next.role };
    },
  });
  app.delete('/api/v1/accounts/:name', {
    config: { access: ADMIN_ONLY, sessionOnly: true },
    schema: {
      summary: 'Delete an account (its sessions end)',
      description: 'Refused (403) for the built-in accounts and for the account making the request.',
      tags: ['accounts'],
      params: NameParam,
    },
    handler: async (request, reply) => {
      const a = notSelf(request, found((request.params as { name: string }).name), 'delete');
      accounts.delete(a.name);
      emit({
        type: 'account.deleted',
        account: a.name,
        role: a.role,
        actor: actor(request),
        source: request.ip,
      });
      return reply.code(204).send();
    },
  });
  app.post('/api/v1/accounts/:name/unlock', {
    config: { access: ADMIN_ONLY },
    schema: {
      summary: "Clear an account's failures and lock",
      description:
        'Admin only (session or API token). The account can log in again at once; unknown account: 404. ' +
        'Answers 204; recorded in the audit log as account.unlocked with who and from where.',
      tags: ['accounts'],
      params: NameParam,
    },
    handler: async (request, reply) => {
      const name = found((request.params as { name: string }).name).name;
      accounts.unlock(name);
      emit({
        type: 'account.unlocked',
        account: name,
        actor: actor(request),
        via: via(request),
        source: request.ip,
      });
      return reply.code(204).send();
    },
  });
  app.delete('/api/v1/accounts/:name/sessions', {
    config: { access: ADMIN_ONLY },
    schema: {
      summary: "End all of an account's sessions",
      description:
        'Admin only (session or API token). Every login session of the account ends; `ended` says how ' +
        'many. Unknown account: 404. Recorded in the audit log as sessions.ended with who and from where.',
      tags: ['accounts'],
      params: NameParam,
      response: { 200: Type.Object({ ended: Type.Integer() }) },
    },
    handler: async (request) => {
      const a = found((request.params as { name: string }).name);
      const count = sessions.endAll(a.id);
      emit({
        type: 'sessions.ended',
        account: a.name,
        actor: actor(request),
        via: via(request),
        count,
        source: request.ip,
      });
      return { ended: count };
    },
  });
}
