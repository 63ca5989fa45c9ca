/**
 * JSON authentication routes (PRODUCT S3, S4, S5): login, logout, first-start
 * password, password change, "me". Login and first start are public; every
 * answer after a successful login sets a NEW session cookie (new id).
 */
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { ANY_ROLE } from '../../security/roles.js';
import type { SecurityServices } from '../../security/services.js';
import { clearSessionCookie, setSessionCookie } from '../cookies.js';
import type { RequestAuth } from '../types.js';

const Name = Type.String({ minLength: 1, maxLength: 64 });
const Password = Type.String({ minLength: 0, maxLength: 256 });
const Me = Type.Object({ name: Type.String(), role: Type.String(), csrfToken: Type.String() });
const closed = { additionalProperties: false } as const;

function me(auth: RequestAuth | { account: RequestAuth['account']; csrfToken: string }) {
  return { name: auth.account.name, role: auth.account.role, csrfToken: auth.csrfToken ?? '' };
}

export async function authRoutes(app: FastifyInstance, opts: { security: SecurityServices }): Promise<void> {
  const { auth, sessions } = opts.security;
  app.post('/api/v1/auth/login', {
    config: { access: 'public' },
    schema: { body: Type.Object({ name: Name, password: Password }, closed), response: { 200: Me } },
    handler: async (request, reply) => {
      const { name, password } = request.body as { name: string; password: string };
      if (request.auth?.sessionId) sessions.end(request.auth.sessionId);
      const r = await auth.login(name, password, request.ip);
      setSessionCookie(reply, r.token);
      return me(r);
    },
  });
  app.post('/api/v1/auth/logout', {
    config: { access: ANY_ROLE },
    schema: { response: { 204: Type.Null() } },
    handler: async (request, reply) => {
      if (request.auth?.sessionId) sessions.end(request.auth.sessionId);
      clearSessionCookie(reply);
      return reply.code(204).send();
    },
  });
  app.get('/api/v1/auth/first-start', {
    config: { access: 'public' },
    schema: { response: { 200: Type.Object({ pending: Type.Boolean() }) } },
    handler: async () => ({ pending: auth.firstStartPending() }),
  });
  app.post('/api/v1/auth/first-start', {
    config: { access: 'public' },
    schema: {
      body: Type.Object({ deviceCode: Type.String({ maxLength: 64 }), password: Password }, closed),
      response: { 200: Me },
    },
    handler: async (request, reply) => {
      const { deviceCode, password } = request.body as { deviceCode: string; password: string };
      const r = await auth.firstStart(deviceCode, password, request.ip);
      setSessionCookie(reply, r.token);
      return me(r);
    },
  });
  app.post('/api/v1/auth/password', {
    config: { access: ANY_ROLE },
    schema: {
      body: Type.Object({ currentPassword: Password, newPassword: Password }, closed),
      response: { 200: Me },
    },
    handler: async (request, reply) => {
      const body = request.body as { currentPassword: string; newPassword: string };
      const caller = request.auth as RequestAuth;
      const r = await auth.changePassword(caller.account, body.currentPassword, body.newPassword, request.ip);
      setSessionCookie(reply, r.token);
      return me(r);
    },
  });
  app.get('/api/v1/me', {
    config: { access: ANY_ROLE },
    schema: { response: { 200: Me } },
    handler: async (request) => me(request.auth as RequestAuth),
  });
}
