/**
 * The session cookie (SECURITY B2): name `__Host-wg_session` (the prefix makes
 * browsers require Secure, Path=/ and no Domain), HttpOnly, SameSite=Strict,
 * no Max-Age (a browser-session cookie; the server enforces idle and absolute
 * timeouts).
 */
import type { FastifyReply } from 'fastify';
import { SESSION_COOKIE } from './types.js';

const OPTIONS = { path: '/', secure: true, httpOnly: true, sameSite: 'strict' } as const;

export function setSessionCookie(reply: FastifyReply, token: string): void {
  reply.setCookie(SESSION_COOKIE, token, OPTIONS);
}

export function clearSessionCookie(reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, OPTIONS);
}
