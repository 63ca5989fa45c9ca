/**
 * The OpenAPI 3.1 document of the JSON API (PRODUCT E3), generated from the
 * route table the auth plugin records (src/api/plugins/auth.ts) — the same
 * table the B1/B5 tests walk, so the document cannot list a route that does
 * not exist nor miss one. Only `/api/` routes are documented (pages are for
 * browsers). Route schemas are TypeBox, i.e. JSON Schema 2020-12, which
 * OpenAPI 3.1 takes as is.
 * Each operation carries its access rule: `security` (session cookie and/or
 * Bearer API token, none when public) and `x-wattgate-roles`. Output is
 * deterministic (sorted paths and methods, stable key order) so the committed
 * docs/api/openapi.json can be compared byte for byte (scripts/openapi.ts).
 */
import type { FastifySchema } from 'fastify';
import type { RouteInfo } from './types.js';
import { SESSION_COOKIE } from './types.js';

export const OPENAPI_PATH = '/api/v1/openapi.json';

type Json = Record<string, unknown>;

interface ObjectSchema {
  properties?: Record<string, unknown>;
  required?: string[];
}

const ERROR_REF = { $ref: '#/components/schemas/Error' };

const COMPONENTS = {
  securitySchemes: {
    session: {
      type: 'apiKey',
      in: 'cookie',
      name: SESSION_COOKIE,
      description:
        'Login session (POST /api/v1/auth/login). State-changing requests also need a same-origin ' +
        'Origin header or the X-CSRF-Token header from /api/v1/me.',
    },
    token: {
      type: 'http',
      scheme: 'bearer',
      description: 'API token created by an admin (POST /api/v1/tokens); no CSRF token needed.',
    },
  },
  schemas: {
    Error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', pattern: '^WG_ERR_' },
        message: { type: 'string' },
        lockedUntil: { type: 'string', description: 'ISO 8601 UTC, when the account is locked' },
      },
    },
  },
};

function parameters(schema: FastifySchema): Json[] {
  const out: Json[] = [];
  for (const [where, s] of [
    ['path', schema.params],
    ['query', schema.querystring],
  ] as const) {
    const obj = (s ?? {}) as ObjectSchema;
    for (const [name, sub] of Object.entries(obj.properties ?? {})) {
      const required = where === 'path' || (obj.required ?? []).includes(name);
      out.push({ name, in: where, required, schema: sub });
    }
  }
  return out;
}

function responses(schema: FastifySchema): Json {
  const out: Json = {};
  const declared = (schema.response ?? {}) as Record<string, unknown>;
  for (const status of Object.keys(declared).sort()) {
    out[status] =
      status === '204'
        ? { description: 'No content' }
        : { description: 'Success', content: { 'application/json': { schema: declared[status] } } };
  }
  if (Object.keys(out).length === 0) out['200'] = { description: 'Success' };
  out['4XX'] = {
    description: 'Refused: { code, message }',
    content: { 'application/json': { schema: ERROR_REF } },
  };
  return out;
}

function security(r: RouteInfo): Json[] {
  if (r.access === 'public') return [];
  return r.sessionOnly ? [{ session: [] }] : [{ session: [] }, { token: [] }];
}

function operation(r: RouteInfo): Json {
  const schema = r.schema ?? {};
  const extra = schema as { summary?: string; tags?: string[]; description?: string };
  const op: Json = {
    operationId: `${r.method.toLowerCase()}${r.url.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string = '') => c.toUpperCase())}`,
    summary: extra.summary ?? `${r.method} ${r.url}`,
    ...(extra.description ? { description: extra.description } : {}),
    tags: extra.tags ?? [r.url.split('/')[3] ?? 'api'],
    security: security(r),
    'x-wattgate-roles': r.access === 'public' ? 'public' : [...r.access],
    ...(r.sessionOnly ? { 'x-wattgate-session-only': true } : {}),
  };
  const params = parameters(schema);
  if (params.length > 0) op.parameters = params;
  if (schema.body)
    op.requestBody = { required: true, content: { 'application/json': { schema: schema.body } } };
  op.responses = responses(schema);
  return op;
}

/** The document for the `/api/` routes of a route table. */
export function openApiDocument(table: readonly RouteInfo[]): Json {
  const paths: Record<string, Json> = {};
  const api = table.filter((r) => r.kind === 'api' && r.url.startsWith('/api/'));
  const sorted = [...api].sort((a, b) => a.url.localeCompare(b.url) || a.method.localeCompare(b.method));
  for (const r of sorted) {
    const path = r.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    paths[path] = { ...paths[path], [r.method.toLowerCase()]: operation(r) };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Wattgate API',
      version: '1',
      description:
        'The JSON API of the Wattgate panel server; the web pages use only this API. ' +
        'Every route needs a login session or an API token unless marked public; ' +
        'x-wattgate-roles lists the roles allowed.',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    servers: [{ url: '/' }],
    paths,
    components: COMPONENTS,
  };
}

/** The document as committed in docs/api/openapi.json (2-space JSON, final newline). */
export function renderOpenApi(table: readonly RouteInfo[]): string {
  return `${JSON.stringify(openApiDocument(table), null, 2)}\n`;
}
