/**
 * JSON authentication routes (PRODUCT S3, S4, S5): login, logout, first-start
 * password, password change, "me". Login and first start are public; every
 * answer after a successful login sets a NEW session cookie (new id). The
 * password change needs a login session (an API token is refused there);
 * "me" answers a token's name and role too (csrfToken is then empty).
 */
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import type { Account } from '../../security/accounts.js';
import type { LoginResult } from '../../security/auth-service.js';
import { type PasswordProfile, passwordProblems, passwordRules } from '../../security/password-policy.js';
import { ANY_ROLE } from '../../security/roles.js';
import type { SecurityServices } from '../../security/services.js';
import { clearSessionCookie, setSessionCookie } from '../cookies.js';
import type { RequestAuth } from '../types.js';

const Name = Type.String({ minLength: 1, maxLength: 64 });
const Password = Type.String({ minLength: 0, maxLength: 256 });
const Me = Type.Object({ name: Type.String(), role: Type.String(), csrfToken: Type.String() });
const closed = { additionalProperties: false } as const;

function me(auth: { name: string; role: string; csrfToken?: string | undefined }) {
  return { name: auth.name, role: auth.role, csrfToken: auth.csrfToken ?? '' };
}

const fromLogin = (r: LoginResult) =>
  me({ name: r.account.name, role: r.account.role, csrfToken: r.csrfToken });

export async function authRoutes(
  app: FastifyInstance,
  opts: { security: SecurityServices; profile: () => PasswordProfile },
): Promise<void> {
  const { auth, sessions } = opts.security;
  app.post('/api/v1/auth/login', {
    config: { access: 'public' },
    schema: {
      summary: 'Log in; sets a new session cookie (lockout and per-source delay apply)',
      description:
        'Public. Answers the name, role and CSRF token; a session already on the request ends. Unknown ' +
        'name and wrong password give the same 401 WG_ERR_AUTH_FAILED; a locked account: 423 with ' +
        '`lockedUntil`; attempts faster than the per-source delay: 429 with Retry-After. Audited.',
      tags: ['auth'],
      body: Type.Object({ name: Name, password: Password }, closed),
      response: { 200: Me },
    },
    handler: async (request, reply) => {
      const { name, password } = request.body as { name: string; password: string };
      if (request.auth?.sessionId) sessions.end(request.auth.sessionId);
      const r = await auth.login(name, password, request.ip);
      setSessionCookie(reply, r.token);
      return fromLogin(r);
    },
  });
  app.post('/api/v1/auth/logout', {
    config: { access: ANY_ROLE },
    schema: {
      summary: 'Log out: ends this session',
      description:
        'Any role. Ends the calling session (recorded in the audit log as logout) and clears the cookie; ' +
        'answers 204. With an API token there is no session to end: 204 too.',
      tags: ['auth'],
      response: { 204: Type.Null() },
    },
    handler: async (request, reply) => {
      const a = request.auth;
      if (a?.sessionId && sessions.end(a.sessionId))
        opts.security.emit({ type: 'logout', account: a.name, source: request.ip });
      clearSessionCookie(reply);
      return reply.code(204).send();
    },
  });
  app.get('/api/v1/auth/first-start', {
    config: { access: 'public' },
    schema: {
      summary: 'Is the first admin password still to be set',
      description:
        'Public. `pending` is true while the admin account has no password yet; ' +
        'POST /api/v1/auth/first-start then sets it with the device code.',
      tags: ['auth'],
      response: { 200: Type.Object({ pending: Type.Boolean() }) },
    },
    handler: async () => ({ pending: auth.firstStartPending() }),
  });
  app.post('/api/v1/auth/first-start', {
    config: { access: 'public' },
    schema: {
      summary: 'First start: set the admin password with the device code (once)',
      description:
        'Public, and only while GET /api/v1/auth/first-start says pending (else 409). Needs the device ' +
        'code: wrong, 401 (the per-source delay applies); a password the rules refuse: 400. On success ' +
        'the admin is logged in (new session cookie). Success and refusals are audited, never the code.',
      tags: ['auth'],
      body: Type.Object({ deviceCode: Type.String({ maxLength: 64 }), password: Password }, closed),
      response: { 200: Me },
    },
    handler: async (request, reply) => {
      const { deviceCode, password } = request.body as { deviceCode: string; password: string };
      const r = await auth.firstStart(deviceCode, password, request.ip);
      setSessionCookie(reply, r.token);
      return fromLogin(r);
    },
  });
  app.post('/api/v1/auth/password', {
    config: { access: ANY_ROLE, sessionOnly: true },
    schema: {
      summary: "Change the caller's password; ends its other sessions",
      description:
        'Any role, with a login session (API tokens refused, 403). The current password counts as a ' +
        'login attempt (lockout applies); a new password the rules refuse: 400 WG_ERR_PASSWORD_POLICY. ' +
        'Answers with a new session cookie; recorded in the audit log as password.changed.',
      tags: ['auth'],
      body: Type.Object({ currentPassword: Password, newPassword: Password }, closed),
      response: { 200: Me },
    },
    handler: async (request, reply) => {
      const body = request.body as { currentPassword: string; newPassword: string };
      const account = (request.auth as RequestAuth).account as Account; // sessionOnly: always an account
      const r = await auth.changePassword(account, body.currentPassword, body.newPassword, request.ip);
      setSessionCookie(reply, r.token);
      return fromLogin(r);
    },
  });
  app.post('/api/v1/auth/password-check', {
    config: { access: ANY_ROLE },
    schema: {
      summary: 'Check a candidate password against the rules (nothing is stored or counted)',
      description:
        'What the password forms show as the user types: the rules of the configured profile in words, and ' +
        'the ones this password breaks (the same check a change or an account creation runs). `name`: the ' +
        'account the password is for (a password equal to it is refused); default the caller.',
      tags: ['auth'],
      body: Type.Object({ password: Password, name: Type.Optional(Name) }, closed),
      response: {
        200: Type.Object({ rules: Type.Array(Type.String()), problems: Type.Array(Type.String()) }),
      },
    },
    handler: async (request) => {
      const body = request.body as { password: string; name?: string };
      const profile = opts.profile();
      const name = body.name ?? (request.auth as RequestAuth).name;
      return { rules: passwordRules(profile), problems: passwordProblems(body.password, profile, name) };
    },
  });
  app.get('/api/v1/me', {
    config: { access: ANY_ROLE },
    schema: {
      summary: 'Who is calling: name, role, CSRF token',
      description:
        "Any role. The session's account or the API token's name and role; `csrfToken` is the " +
        "X-CSRF-Token header value for this session's state-changing requests (empty for a token).",
      tags: ['auth'],
      response: { 200: Me },
    },
    handler: async (request) => me(request.auth as RequestAuth),
  });
}
