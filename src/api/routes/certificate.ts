/**
 * The HTTPS certificate (PRODUCT S11, SECURITY C1), admin only. GET describes
 * the certificate in use (no key). PUT replaces it with an uploaded PEM chain
 * and private key (a credential: login session only, not a token); validation
 * is in security/tls-replace.ts, any failure is a 400 with the reason and
 * changes nothing. On success the listeners take the new pair without restart
 * and HSTS is sent from then on (a CA-issued certificate).
 */
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { ADMIN_ONLY } from '../../security/roles.js';
import type { SecurityServices } from '../../security/services.js';
import type { CertificateService } from '../../security/tls-replace.js';
import type { RequestAuth } from '../types.js';

const CertificateOut = Type.Object({
  subject: Type.String(),
  issuer: Type.String(),
  notBefore: Type.String({ description: 'ISO 8601 UTC' }),
  notAfter: Type.String({ description: 'ISO 8601 UTC' }),
  fingerprintSha256: Type.String({ description: 'SHA-256 of the leaf (DER), colon-separated hex' }),
  selfSigned: Type.Boolean({ description: 'true for the generated certificate (then no HSTS)' }),
});
const ReplaceBody = Type.Object(
  {
    certificate: Type.String({
      minLength: 1,
      maxLength: 48 * 1024,
      description: 'PEM chain: the server certificate first, then each issuer in order',
    }),
    privateKey: Type.String({
      minLength: 1,
      maxLength: 12 * 1024,
      description: 'PEM private key, unencrypted: EC P-256/P-384 or RSA ≥ 2048 bits',
    }),
  },
  { additionalProperties: false },
);

export async function certificateRoutes(
  app: FastifyInstance,
  opts: { certificate: CertificateService; security: SecurityServices },
): Promise<void> {
  app.get('/api/v1/certificate', {
    config: { access: ADMIN_ONLY },
    schema: {
      summary: 'The HTTPS certificate in use',
      description:
        'Admin only. Subject, issuer, validity, SHA-256 fingerprint and whether it is the generated ' +
        'self-signed certificate; never the private key.',
      tags: ['certificate'],
      response: { 200: CertificateOut },
    },
    handler: async () => opts.certificate.info(),
  });
  app.put('/api/v1/certificate', {
    config: { access: ADMIN_ONLY, sessionOnly: true },
    schema: {
      summary: 'Replace the HTTPS certificate (chain and key validated; 400 changes nothing)',
      description:
        'Admin only, with a login session (API tokens refused, 403). The listeners take the new pair ' +
        'without a restart, and HSTS is sent from then on. Any validation failure: 400 with the reason, ' +
        'nothing changed. Recorded in the audit log as certificate.replaced with the fingerprint.',
      tags: ['certificate'],
      body: ReplaceBody,
      response: { 200: CertificateOut },
    },
    handler: async (request) => {
      const body = request.body as { certificate: string; privateKey: string };
      const info = opts.certificate.replace(body.certificate, body.privateKey);
      opts.security.emit({
        type: 'certificate.replaced',
        fingerprintSha256: info.fingerprintSha256,
        actor: (request.auth as RequestAuth).name,
      });
      return info;
    },
  });
}
