/**
 * Serves the generated OpenAPI document (PRODUCT E3) to admins at
 * /api/v1/openapi.json. Built once, at the first request, from the complete
 * route table (every route is registered before the app is ready).
 */
import type { FastifyInstance } from 'fastify';
import { ADMIN_ONLY } from '../../security/roles.js';
import { OPENAPI_PATH, openApiDocument } from '../openapi.js';

export async function openApiRoutes(app: FastifyInstance): Promise<void> {
  let doc: Record<string, unknown> | undefined;
  app.get(OPENAPI_PATH, {
    config: { access: ADMIN_ONLY },
    schema: {
      summary: 'This OpenAPI 3.1 document',
      description:
        'Admin only (session or admin API token). Generated from the route table: every /api/ operation ' +
        'with its parameters, body, roles (`x-wattgate-roles`) and accepted credentials (`security`).',
      tags: ['meta'],
    },
    handler: async (_request, reply) => {
      doc ??= openApiDocument(app.routeTable);
      return reply.type('application/json; charset=utf-8').send(doc);
    },
  });
}
