/**
 * Plain pages (PRODUCT S3, S5): `/login` and `/first-start` (public, HTML
 * forms that work without script) and `POST /logout` (any role); the
 * application's pages are the web UI (routes/ui.ts). Login and first start go through the same AuthService as the
 * API (one lockout counter per account). After login the browser goes back to
 * `next` (a local path only, next-path.ts) with a 303.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import Type from 'typebox';
import { LockedError } from '../../security/errors.js';
import { ANY_ROLE } from '../../security/roles.js';
import type { SecurityServices } from '../../security/services.js';
import { isWattgateError } from '../../shared/errors.js';
import { clearSessionCookie, setSessionCookie } from '../cookies.js';
import { safeNext } from '../next-path.js';
import { APP_CSS, firstStartForm, loginForm } from '../pages/html.js';
import { errorHeaders, statusFor } from '../plugins/errors.js';

const closed = { additionalProperties: false } as const;
const PUBLIC_PAGE = { access: 'public', kind: 'page' } as const;

function failureMessage(e: unknown): string {
  if (e instanceof LockedError) return `Account locked until ${new Date(e.lockedUntil).toISOString()}.`;
  return isWattgateError(e) ? e.message : 'Something went wrong.';
}

function html(reply: FastifyReply, body: string, status = 200): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').send(body);
}

/** Renders a failure on the form page; unexpected errors go to the error handler. */
function renderFailure(reply: FastifyReply, e: unknown, render: (msg: string) => string): FastifyReply {
  if (!isWattgateError(e)) throw e;
  errorHeaders(e, reply);
  return html(reply, render(failureMessage(e)), statusFor(e));
}

export async function pageRoutes(app: FastifyInstance, opts: { security: SecurityServices }): Promise<void> {
  const { auth, sessions } = opts.security;
  app.get('/assets/app.css', { config: { access: 'public', kind: 'page' } }, async (_r, reply) =>
    reply.type('text/css; charset=utf-8').send(APP_CSS),
  );
  app.get('/login', {
    config: PUBLIC_PAGE,
    schema: { querystring: Type.Object({ next: Type.Optional(Type.String({ maxLength: 2048 })) }) },
    handler: async (request, reply) =>
      html(reply, loginForm(safeNext((request.query as { next?: string }).next))),
  });
  app.post('/login', {
    config: PUBLIC_PAGE,
    schema: {
      body: Type.Object(
        {
          name: Type.String({ maxLength: 64 }),
          password: Type.String({ maxLength: 256 }),
          next: Type.Optional(Type.String({ maxLength: 2048 })),
        },
        closed,
      ),
    },
    handler: async (request, reply) => {
      const body = request.body as { name: string; password: string; next?: string };
      const next = safeNext(body.next);
      try {
        if (request.auth?.sessionId) sessions.end(request.auth.sessionId);
        const r = await auth.login(body.name, body.password, request.ip);
        setSessionCookie(reply, r.token);
        return reply.redirect(next, 303);
      } catch (e) {
        return renderFailure(reply, e, (m) => loginForm(next, m, body.name));
      }
    },
  });
  app.get('/first-start', { config: PUBLIC_PAGE }, async (_r, reply) =>
    auth.firstStartPending() ? html(reply, firstStartForm()) : reply.redirect('/login', 302),
  );
  app.post('/first-start', {
    config: PUBLIC_PAGE,
    schema: {
      body: Type.Object(
        { deviceCode: Type.String({ maxLength: 64 }), password: Type.String({ maxLength: 256 }) },
        closed,
      ),
    },
    handler: async (request, reply) => {
      const body = request.body as { deviceCode: string; password: string };
      try {
        const r = await auth.firstStart(body.deviceCode, body.password, request.ip);
        setSessionCookie(reply, r.token);
        return reply.redirect('/', 303);
      } catch (e) {
        return renderFailure(reply, e, (m) => firstStartForm(m));
      }
    },
  });
  app.post('/logout', { config: { access: ANY_ROLE, kind: 'page' } }, async (request, reply) => {
    if (request.auth?.sessionId) sessions.end(request.auth.sessionId);
    clearSessionCookie(reply);
    return reply.redirect('/login', 303);
  });
}
