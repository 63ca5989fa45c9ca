/**
 * Health endpoint (PRODUCT X2): public, answers `{ status: 'ok' }` while the
 * web part runs. No version, serial, configuration or secret (no banner).
 */
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';

export async function healthRoutes(app: FastifyInstance): Promise<void> {
  app.get('/api/v1/health', {
    config: { access: 'public' },
    schema: {
      summary: 'Health: ok while the web part runs (no version, no secret)',
      tags: ['meta'],
      response: { 200: Type.Object({ status: Type.Literal('ok') }) },
    },
    handler: async () => ({ status: 'ok' as const }),
  });
}
