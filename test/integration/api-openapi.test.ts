/**
 * OpenAPI (PRODUCT E3): the committed docs/api/openapi.json is exactly what
 * the code generates (so it cannot go stale: regenerate with
 * `npx tsx scripts/openapi.ts`); it documents every /api/ route of the route
 * table and nothing else, with its parameters, body, access rule and auth
 * schemes, and a summary and a description (issue 15 item 5); it is served
 * to admins only at /api/v1/openapi.json.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { generateOpenApi } from '../../src/api/openapi-app.js';
import { type Harness, login, makeHarness } from '../fixtures/security/harness.js';

const FILE = new URL('../../docs/api/openapi.json', import.meta.url);

interface Op {
  operationId: string;
  summary?: string;
  description?: string;
  security: Array<Record<string, string[]>>;
  parameters?: Array<{ name: string; in: string }>;
  requestBody?: unknown;
  responses: Record<string, unknown>;
  'x-wattgate-roles': string | string[];
}
type Doc = { openapi: string; paths: Record<string, Record<string, Op>> };

let h: Harness;
before(async () => {
  h = await makeHarness();
});
after(() => h.close());

test('E3: docs/api/openapi.json equals what the code generates (run `npx tsx scripts/openapi.ts`)', async () => {
  const committed = readFileSync(FILE, 'utf8');
  const generated = await generateOpenApi();
  assert.equal(committed, generated, 'docs/api/openapi.json is stale: run npx tsx scripts/openapi.ts');
});

test('E3: every /api/ route of the route table is documented with its access rule, and nothing else', () => {
  const doc = JSON.parse(readFileSync(FILE, 'utf8')) as Doc;
  assert.equal(doc.openapi, '3.1.0');
  const api = h.app.routeTable.filter((r) => r.url.startsWith('/api/'));
  const documented = Object.entries(doc.paths).flatMap(([p, ops]) =>
    Object.keys(ops).map((m) => `${m.toUpperCase()} ${p.replace(/\{(\w+)\}/g, ':$1')}`),
  );
  assert.deepEqual(documented.sort(), api.map((r) => `${r.method} ${r.url}`).sort());
  const ids = new Set<string>();
  for (const r of api) {
    const path = r.url.replace(/:(\w+)/g, '{$1}');
    const op = doc.paths[path]?.[r.method.toLowerCase()] as Op;
    assert.ok(!ids.has(op.operationId), `unique operationId ${op.operationId}`);
    ids.add(op.operationId);
    assert.ok(op.responses['4XX'], 'errors documented');
    for (const m of path.matchAll(/\{(\w+)\}/g))
      assert.ok(
        op.parameters?.some((p) => p.in === 'path' && p.name === m[1]),
        `${path} documents ${m[1]}`,
      );
    if (r.schema?.body) assert.ok(op.requestBody, `${r.method} ${r.url} documents its body`);
    const schemes = op.security.flatMap((s) => Object.keys(s)).sort();
    if (r.access === 'public') {
      assert.deepEqual([schemes, op['x-wattgate-roles']], [[], 'public']);
    } else {
      assert.deepEqual(op['x-wattgate-roles'], [...r.access]);
      assert.deepEqual(schemes, r.sessionOnly ? ['session'] : ['session', 'token'], `${r.method} ${r.url}`);
    }
  }
});

test('E3: every operation has a summary and a description (issue 15 item 5)', async () => {
  const doc = JSON.parse(await generateOpenApi()) as Doc;
  const missing = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).flatMap(([method, op]) =>
      (['summary', 'description'] as const)
        .filter((field) => typeof op[field] !== 'string' || op[field].trim() === '')
        .map((field) => `${method.toUpperCase()} ${path}: no ${field}`),
    ),
  );
  assert.ok(Object.keys(doc.paths).length > 0, 'the document lists operations');
  assert.deepEqual(missing, [], `operations without a summary or a description:\n${missing.join('\n')}`);
});

test('E3: served to admins only at /api/v1/openapi.json, identical to the committed document', async () => {
  const admin = await login(h);
  const res = await h.app.inject({
    method: 'GET',
    url: '/api/v1/openapi.json',
    headers: { cookie: admin.cookie },
  });
  assert.equal(res.statusCode, 200);
  assert.match(String(res.headers['content-type']), /^application\/json/);
  assert.deepEqual(res.json(), JSON.parse(readFileSync(FILE, 'utf8')));
  const now = h.clock.now();
  h.security.accounts.create('viewer1', 'viewer', await h.security.hasher.hash('Qzxv-7mkp!'), now);
  const viewer = await login(h, 'viewer1', 'Qzxv-7mkp!');
  const asViewer = await h.app.inject({
    method: 'GET',
    url: '/api/v1/openapi.json',
    headers: { cookie: viewer.cookie },
  });
  assert.equal(asViewer.statusCode, 403);
  assert.equal((await h.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).statusCode, 401);
  const token = h.security.tokens.create('docs-reader', 'admin', now + 60_000, 'admin', now).secret;
  const asToken = await h.app.inject({
    method: 'GET',
    url: '/api/v1/openapi.json',
    headers: { authorization: `Bearer ${token}` },
  });
  assert.equal(asToken.statusCode, 200, 'an admin token reads it too');
});
