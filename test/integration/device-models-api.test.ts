/**
 * The device-model routes on their own Fastify instance (errors, cookie, auth
 * and the plugin, as in api-roles.test.ts) with the security harness: list,
 * get, import (JSON object or text, every problem listed with its path),
 * generic meter creation, delete (custom only, not while used), audit events,
 * and the role rules (reading for every role, changes for admin only, with a
 * session or an API token).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import cookie from '@fastify/cookie';
import { TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance } from 'fastify';
import { authPlugin } from '../../src/api/plugins/auth.js';
import { errorsPlugin } from '../../src/api/plugins/errors.js';
import { type ModelAuditEvent, modelRoutes } from '../../src/api/routes/models.js';
import { ModelCatalog } from '../../src/devices/models/index.js';
import { ROLES, type Role } from '../../src/security/roles.js';
import { silentLogger } from '../../src/shared/logger.js';
import { type Harness, makeHarness } from '../fixtures/security/harness.js';

let h: Harness;
let app: FastifyInstance;
let dir: string;
const audit: ModelAuditEvent[] = [];
const inUse = new Map<string, string[]>();
const tokens = new Map<Role, string>();

before(async () => {
  h = await makeHarness();
  dir = mkdtempSync(join(tmpdir(), 'wattgate-models-api-'));
  const now = h.clock.now();
  for (const role of ROLES)
    tokens.set(role, h.security.tokens.create(`t-${role}`, role, now + 86_400_000, 'admin', now).secret);
  app = Fastify({ logger: false });
  app.setValidatorCompiler(TypeBoxValidatorCompiler);
  await app.register(errorsPlugin, { log: silentLogger });
  await app.register(cookie);
  const { sessions, tokens: tokenStore, timeouts, emit } = h.security;
  await app.register(authPlugin, { sessions, tokens: tokenStore, clock: h.clock, timeouts, emit });
  await app.register(modelRoutes, {
    catalog: ModelCatalog.open({ customDir: dir }),
    usedBy: (id) => inUse.get(id) ?? [],
    audit: (e) => audit.push(e),
  });
  await app.ready();
});
after(async () => {
  await app.close();
  await h.close();
  rmSync(dir, { recursive: true, force: true });
});

const as = (role: Role) => ({ authorization: `Bearer ${tokens.get(role)}` });

const custom = {
  id: 'acme-mm',
  name: 'ACME meter',
  family: 'acme',
  source: { kind: 'custom' },
  measurements: [{ key: 'VAN', name: 'Voltage', address: 0, type: 'float32', unit: 'V', kind: 'instant' }],
};

test('list and get: summaries of every model; a model as an importable document', async () => {
  const list = await app.inject({ method: 'GET', url: '/api/v1/models', headers: as('viewer') });
  assert.equal(list.statusCode, 200);
  const th110 = (list.json() as Array<{ id: string }>).find((s) => s.id === 'th110');
  assert.deepEqual(th110, {
    id: 'th110',
    name: 'Easergy TH110',
    family: 'th110',
    source: 'public-register-map',
    builtIn: true,
    measurements: 30,
    references: ['EMS59440'],
    periodSeconds: 60,
  });
  const one = await app.inject({ method: 'GET', url: '/api/v1/models/th110', headers: as('operator') });
  assert.equal(one.statusCode, 200);
  const doc = one.json() as { id: string; measurements: Array<{ key: string; table: string }> };
  assert.equal(doc.id, 'th110');
  assert.deepEqual(doc.measurements[0], {
    key: 'T',
    name: 'Temperature',
    address: 4000,
    type: 'float32',
    unit: '°C',
    kind: 'instant',
    group: 'Ambient',
    table: 'holding',
    byteOrder: 'big',
    wordOrder: 'big',
  });
  const missing = await app.inject({ method: 'GET', url: '/api/v1/models/nope', headers: as('admin') });
  assert.equal(missing.statusCode, 404);
  assert.equal(missing.json().message, 'no device model "nope"');
});

test('import: 201 and audited; problems listed with their paths; id conflicts 409', async () => {
  const created = await app.inject({
    method: 'POST',
    url: '/api/v1/models',
    headers: as('admin'),
    payload: { model: custom },
  });
  assert.equal(created.statusCode, 201, created.body);
  assert.equal(created.json().id, 'acme-mm');
  assert.deepEqual(audit.at(-1), { type: 'model.imported', id: 'acme-mm', actor: 't-admin' });
  const again = await app.inject({
    method: 'POST',
    url: '/api/v1/models',
    headers: as('admin'),
    payload: { model: custom },
  });
  assert.equal(again.statusCode, 409);
  const replaced = await app.inject({
    method: 'POST',
    url: '/api/v1/models',
    headers: as('admin'),
    payload: { model: JSON.stringify({ ...custom, name: 'ACME meter v2' }), replace: true },
  });
  assert.equal(replaced.statusCode, 201);
  assert.deepEqual(audit.at(-1), { type: 'model.replaced', id: 'acme-mm', actor: 't-admin' });
  const bad = await app.inject({
    method: 'POST',
    url: '/api/v1/models',
    headers: as('admin'),
    payload: {
      model: { ...custom, id: 'x2', measurements: [{ ...custom.measurements[0], type: 'string' }] },
    },
  });
  assert.equal(bad.statusCode, 400);
  assert.deepEqual(bad.json(), {
    code: 'WG_ERR_INVALID_CONFIG',
    message:
      'invalid device model import: 2 errors: /measurements/0/registers: is required for type string; ' +
      '/measurements/0/kind: must be "text" or "setting" for type string',
    details: [
      { path: '/measurements/0/registers', message: 'is required for type string' },
      { path: '/measurements/0/kind', message: 'must be "text" or "setting" for type string' },
    ],
  });
  const text = await app.inject({
    method: 'POST',
    url: '/api/v1/models',
    headers: as('admin'),
    payload: { model: '{"id":' },
  });
  assert.equal(text.statusCode, 400);
  assert.match(text.json().message, /^invalid device model import: 1 error: \/: is not valid JSON/);
  const builtIn = await app.inject({
    method: 'POST',
    url: '/api/v1/models',
    headers: as('admin'),
    payload: { model: { ...custom, id: 'th110' } },
  });
  assert.equal(builtIn.statusCode, 409);
  const unknown = await app.inject({
    method: 'POST',
    url: '/api/v1/models',
    headers: as('admin'),
    payload: { model: custom, x: 1 },
  });
  assert.equal(unknown.statusCode, 400, 'the body is closed');
});

test('generic meter layout: created as a custom model', async () => {
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/models/generic-meter',
    headers: as('admin'),
    payload: { id: 'board-2', phases: 3, base: 100, type: 'int32-scaled', wordOrder: 'little' },
  });
  assert.equal(res.statusCode, 201, res.body);
  assert.equal(res.json().measurements, 22);
  const doc = (
    await app.inject({ method: 'GET', url: '/api/v1/models/board-2', headers: as('admin') })
  ).json() as {
    measurements: Array<{ key: string; address: number; scale?: number; wordOrder: string }>;
  };
  assert.deepEqual(doc.measurements[0], {
    ...doc.measurements[0],
    key: 'VAN',
    address: 100,
    scale: 0.1,
    wordOrder: 'little',
  });
  const tooHigh = await app.inject({
    method: 'POST',
    url: '/api/v1/models/generic-meter',
    headers: as('admin'),
    payload: { id: 'board-3', phases: 3, base: 65500 },
  });
  assert.equal(tooHigh.statusCode, 400);
  assert.equal(tooHigh.json().message, 'base must be an integer from 0 to 65484');
});

test('delete: custom only, not while in use; audited', async () => {
  const builtIn = await app.inject({ method: 'DELETE', url: '/api/v1/models/th110', headers: as('admin') });
  assert.equal(builtIn.statusCode, 409);
  inUse.set('board-2', ['incomer', 'feeder-1']);
  const used = await app.inject({ method: 'DELETE', url: '/api/v1/models/board-2', headers: as('admin') });
  assert.equal(used.statusCode, 409);
  assert.equal(used.json().message, 'device model "board-2" is used by incomer, feeder-1');
  inUse.clear();
  const ok = await app.inject({ method: 'DELETE', url: '/api/v1/models/board-2', headers: as('admin') });
  assert.equal(ok.statusCode, 204);
  assert.deepEqual(audit.at(-1), { type: 'model.deleted', id: 'board-2', actor: 't-admin' });
  const gone = await app.inject({ method: 'DELETE', url: '/api/v1/models/board-2', headers: as('admin') });
  assert.equal(gone.statusCode, 404);
});

test('roles: every role reads, only admin changes; anonymous is refused', async () => {
  for (const role of ROLES) {
    const read = await app.inject({ method: 'GET', url: '/api/v1/models', headers: as(role) });
    assert.equal(read.statusCode, 200, role);
    const write = await app.inject({
      method: 'POST',
      url: '/api/v1/models',
      headers: as(role),
      payload: { model: { ...custom, id: `r-${role}` } },
    });
    assert.equal(write.statusCode, role === 'admin' ? 201 : 403, role);
    const del = await app.inject({ method: 'DELETE', url: '/api/v1/models/acme-mm', headers: as(role) });
    if (role !== 'admin') assert.equal(del.statusCode, 403, role);
  }
  assert.equal((await app.inject({ method: 'GET', url: '/api/v1/models' })).statusCode, 401);
  for (const r of app.routeTable) {
    const expected = r.method === 'GET' ? [...ROLES] : ['admin'];
    assert.deepEqual(r.access, expected, `${r.method} ${r.url}`);
  }
});
