/**
 * Security headers on every answer (SECURITY B4), secure defaults as data:
 * a CSP without inline script (`script-src 'self'`, `frame-ancestors 'none'`,
 * `object-src 'none'`, `base-uri 'none'`), nosniff, Referrer-Policy same-origin,
 * X-Frame-Options DENY, COOP/CORP same-origin, a closed Permissions-Policy, and
 * `Cache-Control: no-store` (every answer may be authenticated) unless the
 * route marked it `public, …` (the UI's content-hashed files). No version
 * banner (no Server, no X-Powered-By). HSTS (1 year) only when `hsts()` says
 * a CA-issued certificate is installed: with the self-signed default it would
 * lock browsers out after a factory reset changes the certificate.
 * Referrer-Policy is `same-origin`, not `no-referrer`: under `no-referrer`
 * browsers send `Origin: null` on the pages' own form POSTs (Fetch standard),
 * which the CSRF check must refuse — nothing leaves the device either way.
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

export const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "object-src 'none'",
  "base-uri 'none'",
].join('; ');

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), usb=(), serial=()',
  'cache-control': 'no-store',
};

export const HSTS_VALUE = 'max-age=31536000';

async function headers(app: FastifyInstance, opts: { hsts: () => boolean }): Promise<void> {
  app.addHook('onSend', async (_request, reply, payload) => {
    // A route may mark its answer cacheable (the UI's content-hashed files).
    const cache = reply.getHeader('cache-control');
    reply.headers(SECURITY_HEADERS);
    if (typeof cache === 'string' && cache.startsWith('public,')) reply.header('cache-control', cache);
    if (opts.hsts()) reply.header('strict-transport-security', HSTS_VALUE);
    reply.removeHeader('server');
    reply.removeHeader('x-powered-by');
    return payload;
  });
}

export const headersPlugin = fp(headers, { name: 'wattgate-headers' });
