/**
 * The web UI (PRODUCT E2, E3, S5; issue 15): one HTML shell for every page
 * of the application — `/`, `/monitoring`, `/trending`, `/alarms`,
 * `/settings…`, `/maintenance…` — which loads the content-hashed script and
 * stylesheet from `/assets/ui/` (cached for a year: a new build has new
 * names). The script renders the page from the JSON API only. Any other page
 * URL gets the same shell with status 404, so the browser shows a "not found"
 * page with the navigation instead of raw JSON; unknown `/api/` paths stay
 * JSON 404s. Pages need a session (else the login page, with `next`).
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import Type from 'typebox';
import { ANY_ROLE } from '../../security/roles.js';
import { ErrorCodes, WattgateError } from '../../shared/errors.js';
import { esc } from '../pages/html.js';
import type { UiAssets } from '../ui-assets.js';

export interface UiRouteOptions {
  /** The built UI, or undefined when this installation has no build (pages answer 503). */
  readonly assets: UiAssets | undefined;
}

/** Top-level pages of the application; deeper paths under the last two are theirs too. */
export const UI_PAGES = ['/', '/monitoring', '/trending', '/alarms', '/settings', '/maintenance'] as const;
const NESTED = /^\/(settings|maintenance)(?:\/[a-z0-9-]+){1,2}$/;

export function isUiPage(path: string): boolean {
  return (UI_PAGES as readonly string[]).includes(path) || NESTED.test(path);
}

const PAGE = { access: ANY_ROLE, kind: 'page' } as const;
const YEAR = 'public, max-age=31536000, immutable';

export function shellHtml(assets: UiAssets): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Wattgate</title><link rel="icon" href="data:,"><link rel="stylesheet" href="/assets/ui/${esc(assets.entry.css)}">
<script type="module" src="/assets/ui/${esc(assets.entry.js)}"></script></head>
<body><div id="app"><p class="loading">Loading…</p></div>
<noscript><p>These pages need JavaScript. The JSON API (/api/v1, described at /api/v1/openapi.json) works without it.</p></noscript>
</body></html>`;
}

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Wattgate</title></head>
<body><main><h1>The web UI is not built</h1><p>Run <code>npm run build</code> (release) or start from the
sources with esbuild installed (<code>npm ci</code>). The JSON API works meanwhile.</p></main></body></html>`;

function shell(reply: FastifyReply, assets: UiAssets | undefined, status: number): FastifyReply {
  const body = assets ? shellHtml(assets) : NOT_BUILT;
  return reply
    .code(assets ? status : 503)
    .type('text/html; charset=utf-8')
    .send(body);
}

export async function uiRoutes(app: FastifyInstance, opts: UiRouteOptions): Promise<void> {
  const files = new Map((opts.assets?.files ?? []).map((f) => [f.name, f]));
  app.get('/assets/ui/:name', {
    config: { access: 'public', kind: 'page' },
    schema: { params: Type.Object({ name: Type.String({ pattern: '^[A-Za-z0-9._-]{1,80}$' }) }) },
    handler: async (request, reply) => {
      const f = files.get((request.params as { name: string }).name);
      if (f === undefined) throw new WattgateError(ErrorCodes.NOT_FOUND, 'no such UI file');
      return reply.header('cache-control', YEAR).type(f.type).send(f.body);
    },
  });
  app.get('/', { config: PAGE }, async (_r, reply) => shell(reply, opts.assets, 200));
  const apiNotFound =
    'Any other /api/ path: 404 WG_ERR_NOT_FOUND in JSON (never the web page), with or without a session.';
  app.get(
    '/api/*',
    { config: { access: 'public', kind: 'api' }, schema: { description: apiNotFound } },
    async () => {
      throw new WattgateError(ErrorCodes.NOT_FOUND, 'not found');
    },
  );
  app.get('/*', { config: PAGE }, async (request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    return shell(reply, opts.assets, isUiPage(path) ? 200 : 404);
  });
}
