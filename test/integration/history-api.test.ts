/**
 * The history API (src/api/routes/history.ts) on its own Fastify instance
 * built like the real one (errors + cookie + auth, TypeBox validator without
 * coercion): every route is readable by all four roles with a session or an
 * API token and refused without credentials (SEC-B5 style), answers match
 * the store's queries, bad input is 400, unknown series 404, and the CSV
 * export streams text/csv.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import cookie from '@fastify/cookie';
import { TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance } from 'fastify';
import { Value } from 'typebox/value';
import { authPlugin } from '../../src/api/plugins/auth.js';
import { errorsPlugin } from '../../src/api/plugins/errors.js';
import { historyRoutes } from '../../src/api/routes/history.js';
import { HistorySchema } from '../../src/config/schema-history.js';
import { type HistorySettings, HistoryStore } from '../../src/history/index.js';
import { ANY_ROLE, ROLES, type Role } from '../../src/security/roles.js';
import { silentLogger } from '../../src/shared/logger.js';
import { type Harness, makeHarness, origin } from '../fixtures/security/harness.js';

const T0 = Date.UTC(2026, 0, 5); // a Monday
const MIN = 60_000;
const DAY = 86_400_000;
let h: Harness;
let app: FastifyInstance;
let store: HistoryStore;
const tokens = new Map<Role, string>();
const sessions = new Map<Role, Record<string, string>>();

before(async () => {
  h = await makeHarness();
  const now = h.clock.now();
  for (const role of ROLES) {
    const id = h.security.accounts.create(
      `h-${role}`,
      role,
      await h.security.hasher.hash('Qzxv-7mkp!'),
      now,
    ).id;
    const s = h.security.sessions.create(id, now);
    sessions.set(role, { ...origin, cookie: `__Host-wg_session=${s.token}`, 'x-csrf-token': s.csrfToken });
    tokens.set(role, h.security.tokens.create(`ht-${role}`, role, now + DAY, 'admin', now).secret);
  }
  const settings = Value.Default(HistorySchema, {}) as HistorySettings;
  store = HistoryStore.open({ path: ':memory:', settings: { ...settings, reserveFreeBytes: 0 } });
  for (const [m, usage] of [
    [1, 'lighting'],
    [2, 'hvac'],
    [3, 'lighting'],
  ] as const) {
    store.defineSeries(`modbus:${m}_mb_EA`, {
      device: `meter-${m}`,
      kind: 'counter',
      unit: 'Wh',
      usage,
      zone: 'z1',
    });
    for (let i = 0; i < 14 * 1440; i++) store.append(`modbus:${m}_mb_EA`, T0 + i * MIN, 1000 + i * m);
  }
  for (let i = 0; i < 1440; i++)
    store.append(
      'modbus:1_mb_VAN',
      T0 + i * MIN,
      i === 5 ? Number.NaN : 230 + (i % 10) / 10,
      i === 5 ? 1 : 0,
    );
  store.flush();
  app = Fastify({ logger: false });
  app.setValidatorCompiler(TypeBoxValidatorCompiler);
  await app.register(errorsPlugin, { log: silentLogger });
  await app.register(cookie);
  const { sessions: ss, tokens: ts, timeouts, emit } = h.security;
  await app.register(authPlugin, { sessions: ss, tokens: ts, clock: h.clock, timeouts, emit });
  await app.register(historyRoutes, { history: store, timeZone: () => 'Europe/Paris' });
  await app.ready();
});
after(async () => {
  await app.close();
  store.stop();
  await h.close();
});

const get = (url: string, role: Role = 'viewer', via: 'session' | 'token' = 'session') =>
  app.inject({
    method: 'GET',
    url,
    headers:
      via === 'token'
        ? { authorization: `Bearer ${tokens.get(role)}` }
        : (sessions.get(role) as Record<string, string>),
  });

const range = `from=${T0}&to=${T0 + DAY}`;
const SAMPLE_URLS: Record<string, string> = {
  '/api/v1/history/series': '/api/v1/history/series',
  '/api/v1/history/status': '/api/v1/history/status',
  '/api/v1/history/raw': `/api/v1/history/raw?series=modbus:1_mb_VAN&${range}&limit=10`,
  '/api/v1/history/downsample': `/api/v1/history/downsample?series=modbus:1_mb_VAN&${range}&buckets=24`,
  '/api/v1/history/energy': `/api/v1/history/energy?series=modbus:2_mb_EA&from=${T0}&to=${T0 + 7 * DAY}`,
  '/api/v1/history/compare': `/api/v1/history/compare?series=modbus:2_mb_EA&from=${T0 + 7 * DAY}&to=${T0 + 14 * DAY}&compareFrom=${T0}`,
  '/api/v1/history/breakdown': `/api/v1/history/breakdown?from=${T0}&to=${T0 + 7 * DAY}&by=usage`,
  '/api/v1/history/export.csv': `/api/v1/history/export.csv?series=modbus:1_mb_VAN&${range}`,
  '/api/v1/history/changes': '/api/v1/history/changes?after=0&limit=5',
};

describe('access', () => {
  test('every history route: all four roles, session or token; nobody without credentials', async () => {
    const routes = app.routeTable.filter((r) => r.url.startsWith('/api/v1/history/'));
    assert.deepEqual(routes.map((r) => r.url).sort(), Object.keys(SAMPLE_URLS).sort());
    for (const r of routes) {
      assert.equal(r.method, 'GET');
      assert.deepEqual(r.access, ANY_ROLE);
      assert.equal(r.sessionOnly, false);
      const url = SAMPLE_URLS[r.url] as string;
      for (const role of ROLES) {
        for (const via of ['session', 'token'] as const) {
          const res = await get(url, role, via);
          assert.equal(res.statusCode, 200, `${via} ${role} ${url}: ${res.body.slice(0, 200)}`);
        }
      }
      assert.equal((await app.inject({ method: 'GET', url })).statusCode, 401);
    }
  });
});

describe('answers', () => {
  test('raw: ISO or epoch times; NaN becomes null with its quality flag', async () => {
    const iso = new Date(T0).toISOString();
    const res = await get(`/api/v1/history/raw?series=modbus:1_mb_VAN&from=${iso}&to=${T0 + 10 * MIN}`);
    const body = res.json() as { t: number[]; v: Array<number | null>; q: number[]; truncated: boolean };
    assert.equal(body.t.length, 10);
    assert.equal(body.v[5], null);
    assert.equal(body.q[5], 1);
    assert.equal(body.v[3], 230.3);
    assert.equal(body.truncated, false);
  });
  test('downsample and energy agree with the store', async () => {
    const d = (await get(`/api/v1/history/downsample?series=modbus:1_mb_VAN&${range}&buckets=24`)).json() as {
      buckets: Array<{ count: number; min: number; max: number }>;
    };
    assert.equal(d.buckets.length, 24);
    assert.equal(
      d.buckets.reduce((a, b) => a + b.count, 0),
      1439,
    );
    const e = (
      await get(`/api/v1/history/energy?series=modbus:2_mb_EA&from=${T0}&to=${T0 + 7 * DAY}&unit=day&tz=UTC`)
    ).json() as {
      total: number;
      buckets: Array<{ energy: number }>;
    };
    assert.equal(e.buckets.length, 7);
    assert.equal(e.total, 2 * (7 * 1440 - 1));
    const paris = (
      await get(`/api/v1/history/energy?series=modbus:2_mb_EA&from=${T0}&to=${T0 + 7 * DAY}`)
    ).json() as {
      buckets: Array<{ start: number }>;
    };
    assert.equal(paris.buckets[1]?.start, T0 + DAY - 3_600_000, 'default zone: Paris midnight');
  });
  test('compare and breakdown', async () => {
    const c = (await get(SAMPLE_URLS['/api/v1/history/compare'] as string)).json() as {
      rows: Array<{ a: { value: number }; b: { value: number } }>;
    };
    assert.ok(c.rows.length >= 7);
    const b = (
      await get(`/api/v1/history/breakdown?from=${T0}&to=${T0 + 7 * DAY}&by=usage&top=1`)
    ).json() as {
      top: Array<{ group: string; series: number }>;
      others: { series: number } | null;
    };
    assert.deepEqual(
      b.top.map((r) => [r.group, r.series]),
      [['lighting', 2]],
    );
    assert.equal(b.others?.series, 1);
  });
  test('CSV export streams text/csv with one line per point', async () => {
    const res = await get(
      `/api/v1/history/export.csv?series=modbus:1_mb_VAN,modbus:1_mb_EA&from=${T0}&to=${T0 + 3 * MIN}`,
    );
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^text\/csv/);
    assert.match(String(res.headers['content-disposition']), /attachment/);
    const lines = res.body.trimEnd().split('\r\n');
    assert.equal(lines.length, 7);
    assert.equal(lines[1], `${new Date(T0).toISOString()},${T0},modbus:1_mb_VAN,230,0`);
  });
  test('changes: the cursor pages through everything written', async () => {
    const first = (await get('/api/v1/history/changes?after=0&limit=5')).json() as {
      next: number;
      points: unknown[];
    };
    assert.ok(first.points.length > 0);
    assert.ok(first.next >= 1);
  });
  test('bad input is 400, unknown series 404', async () => {
    for (const url of [
      `/api/v1/history/raw?series=modbus:1_mb_VAN&from=${T0 + DAY}&to=${T0}`,
      `/api/v1/history/raw?series=modbus:1_mb_VAN&from=yesterday&to=${T0}`,
      `/api/v1/history/raw?series=%3Dcmd&${range}`,
      `/api/v1/history/downsample?series=modbus:1_mb_VAN&${range}&buckets=0`,
      `/api/v1/history/energy?series=modbus:2_mb_EA&from=0&to=${T0}&stepMs=1`,
      `/api/v1/history/energy?series=modbus:2_mb_EA&${range}&unit=day&tz=Mars/Olympus`,
      `/api/v1/history/raw?series=modbus:1_mb_VAN&${range}&extra=1`,
    ]) {
      const res = await get(url);
      assert.equal(res.statusCode, 400, `${url}: ${res.body}`);
    }
    assert.equal((await get(`/api/v1/history/raw?series=modbus:9_mb_X&${range}`)).statusCode, 404);
    assert.equal((await get(`/api/v1/history/export.csv?series=modbus:9_mb_X&${range}`)).statusCode, 404);
  });
});
