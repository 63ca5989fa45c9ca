/**
 * The devices API plugin (src/api/routes/devices.ts) on its own Fastify
 * instance with the real auth and error plugins (security harness), over an
 * acquisition part polling the TCP simulator: admin adds, edits, removes
 * devices (ids never reused, series ids kept on rename, errors with the
 * device field's path), any role reads the list, status and live values and
 * holds watch leases, admin runs discovery; the roles are enforced per route.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import cookie from '@fastify/cookie';
import { TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance } from 'fastify';
import { startTcpSlave, type TcpSlave } from '../../sim/modbus/tcp-slave.js';
import { authPlugin } from '../../src/api/plugins/auth.js';
import { errorsPlugin } from '../../src/api/plugins/errors.js';
import { deviceRoutes } from '../../src/api/routes/devices.js';
import type { Role } from '../../src/security/roles.js';
import { silentLogger } from '../../src/shared/logger.js';
import { type Harness, makeHarness } from '../fixtures/security/harness.js';
import { type AcquisitionHarness, acquisitionHarness } from '../support/acquisition-harness.js';
import { modelList, registersFor, TEST_METER } from '../support/models.js';

let h: Harness;
let sim: TcpSlave;
let acq: AcquisitionHarness;
let app: FastifyInstance;
const tokens = new Map<Role, string>();

before(async () => {
  h = await makeHarness({ setAdmin: false });
  const now = h.clock.now();
  for (const role of ['admin', 'viewer'] as const) {
    tokens.set(role, h.security.tokens.create(`t-${role}`, role, now + 86_400_000, 'admin', now).secret);
  }
  sim = await startTcpSlave({ units: [1, 2] });
  for (const w of registersFor(TEST_METER, { VAB: 400.5, EAct: 12_345_678_901_234n })) {
    sim.bank(1).setRegisters(w.table, w.address, w.words);
  }
  sim.bank(1).setIdentity({ vendorName: 'Wattgate Test', productCode: 'TM-3' });
  acq = acquisitionHarness({ clock: h.clock, models: modelList([TEST_METER]) });
  acq.part.start();
  app = Fastify({ logger: false });
  app.setValidatorCompiler(TypeBoxValidatorCompiler);
  await app.register(errorsPlugin, { log: silentLogger });
  await app.register(cookie);
  const { sessions, tokens: tokenStore, timeouts, emit } = h.security;
  await app.register(authPlugin, { sessions, tokens: tokenStore, clock: h.clock, timeouts, emit });
  await app.register(deviceRoutes, { devices: acq.part });
  await app.ready();
});
after(async () => {
  await app?.close();
  await acq?.part.stop();
  await sim?.close();
  await h?.close();
});

function call(
  role: Role,
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
  url: string,
  payload?: unknown,
) {
  return app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${tokens.get(role)}` },
    ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
  });
}

const meter = (name: string, unit: number) => ({
  name,
  model: 'test-meter',
  location: { kind: 'tcp', host: '127.0.0.1', port: sim.port, unit },
  usage: 'lighting',
  zone: 'Floor 2',
  periodMinutes: 15,
});

test('admin adds, edits and removes devices; ids are never reused; renames keep series ids', async () => {
  const add = await call('admin', 'POST', '/api/v1/devices', meter('Lights', 1));
  assert.equal(add.statusCode, 201, add.body);
  const created = add.json();
  assert.equal(created.device.id, 1);
  assert.deepEqual(created.device.location, {
    kind: 'tcp',
    host: '127.0.0.1',
    port: sim.port,
    unit: 1,
    timeoutMs: 1000,
    oneInFlight: false,
  });
  assert.equal(created.device.commodity, 'electricity');
  assert.equal(created.series.VAB, 'modbus:1_mb_VAB');
  assert.deepEqual(created.model, { id: 'test-meter', name: 'Test three-phase meter' });

  const renamed = await call('admin', 'PATCH', '/api/v1/devices/1', {
    name: 'Lighting',
    measurements: ['VAB', 'EAct'],
  });
  assert.equal(renamed.statusCode, 200, renamed.body);
  assert.deepEqual(renamed.json().series, { VAB: 'modbus:1_mb_VAB', EAct: 'modbus:1_mb_EAct' });

  const second = await call('admin', 'POST', '/api/v1/devices', meter('Spare', 2));
  assert.equal(second.json().device.id, 2);
  assert.equal((await call('admin', 'DELETE', '/api/v1/devices/2')).statusCode, 204);
  const third = await call('admin', 'POST', '/api/v1/devices', meter('Heating', 2));
  assert.equal(third.json().device.id, 3, 'id 2 is not given again');
  assert.equal((await call('admin', 'DELETE', '/api/v1/devices/3')).statusCode, 204);
  assert.equal((await call('admin', 'GET', '/api/v1/devices/3')).statusCode, 404);
});

test('SEC-D2: a change made through the API names who made it, how, and from where', async () => {
  const res = await app.inject({
    method: 'PATCH',
    url: '/api/v1/devices/1',
    headers: { authorization: `Bearer ${tokens.get('admin')}` },
    payload: { zone: 'Floor 3' },
    remoteAddress: '192.0.2.7',
  });
  assert.equal(res.statusCode, 200, res.body);
  assert.deepEqual(acq.saves.at(-1), { actor: 't-admin', actorKind: 'token', source: '192.0.2.7' });
});

test('refusals name the field: unknown model, unknown key, duplicate name or place, bad body', async () => {
  const unknownModel = await call('admin', 'POST', '/api/v1/devices', { ...meter('X', 5), model: 'no-such' });
  assert.equal(unknownModel.statusCode, 400);
  assert.equal(unknownModel.json().details[0].path, '/model');
  const badKey = await call('admin', 'PATCH', '/api/v1/devices/1', { measurements: ['Nope'] });
  assert.equal(badKey.statusCode, 400);
  assert.equal(badKey.json().details[0].path, '/measurements/0');
  const dupName = await call('admin', 'POST', '/api/v1/devices', meter('Lighting', 5));
  assert.equal(dupName.statusCode, 400);
  assert.deepEqual(
    dupName.json().details.map((d: { path: string }) => d.path),
    ['/name'],
  );
  const dupPlace = await call('admin', 'POST', '/api/v1/devices', meter('Other', 1));
  assert.deepEqual(
    dupPlace.json().details.map((d: { path: string }) => d.path),
    ['/location'],
  );
  const extra = await call('admin', 'POST', '/api/v1/devices', { ...meter('Y', 6), colour: 'red' });
  assert.equal(extra.statusCode, 400);
  assert.deepEqual(extra.json().details, [{ path: '/colour', message: 'unknown property is not allowed' }]);
  // The request schema's own refusals, in the user's terms: the union branch the body chose, allowed values listed.
  const details = async (body: unknown) =>
    (await call('admin', 'POST', '/api/v1/devices', body)).json().details;
  const base = meter('Z', 7);
  assert.deepEqual(await details({ ...base, location: { kind: 'tcp', host: '127.0.0.1', port: 70000 } }), [
    { path: '/location/port', message: 'must be <= 65535' },
  ]);
  assert.deepEqual(await details({ ...base, location: { kind: 'modem', host: 'x' } }), [
    { path: '/location/kind', message: 'must be one of "serial", "tcp", "wireless"' },
  ]);
  assert.deepEqual(await details({ ...base, periodMinutes: 7 }), [
    { path: '/periodMinutes', message: 'must be one of 1, 5, 10, 15, 20, 30, 60' },
  ]);
  assert.deepEqual(await details({ ...base, name: '', location: { kind: 'serial', line: 'L1' } }), [
    { path: '/name', message: 'must not be empty' },
    { path: '/location/slave', message: 'is required' },
  ]);
  const msg = (await call('admin', 'POST', '/api/v1/devices', { ...base, periodMinutes: 7 })).json().message;
  assert.equal(msg, 'invalid body: /periodMinutes: must be one of 1, 5, 10, 15, 20, 30, 60');
  const list = await call('admin', 'GET', '/api/v1/devices');
  assert.deepEqual(
    list.json().map((v: { device: { id: number } }) => v.device.id),
    [1],
  );
});

test('any role reads list, status and live values; 64-bit values as strings, times ISO', async () => {
  await waitFor(() => sim.stats().connections >= 1);
  const lease = await call('viewer', 'POST', '/api/v1/devices/watch', { deviceIds: [1] });
  assert.equal(lease.statusCode, 201, lease.body);
  const { id } = lease.json();
  h.clock.advance(2000); // the live interval
  await acq.next('live');
  const values = await call('viewer', 'GET', '/api/v1/devices/1/values');
  assert.equal(values.statusCode, 200);
  const by = Object.fromEntries(values.json().readings.map((r: { key: string }) => [r.key, r]));
  assert.equal(by.VAB.value, 400.5);
  assert.equal(by.EAct.value, '12345678901234');
  assert.equal(by.EAct.seriesId, 'modbus:1_mb_EAct');
  assert.match(by.VAB.t, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  const status = await call('viewer', 'GET', '/api/v1/devices/1/status');
  assert.equal(status.json().state, 'ok');
  assert.match(status.json().lastSuccessAt, /Z$/);
  assert.equal((await call('viewer', 'PUT', `/api/v1/devices/watch/${id}`)).statusCode, 200);
  assert.equal((await call('viewer', 'DELETE', `/api/v1/devices/watch/${id}`)).statusCode, 204);
  assert.equal((await call('viewer', 'PUT', `/api/v1/devices/watch/${id}`)).statusCode, 404);
  assert.equal((await call('viewer', 'GET', '/api/v1/devices')).statusCode, 200);
});

test('roles: a viewer cannot add, edit, remove or discover', async () => {
  assert.equal((await call('viewer', 'POST', '/api/v1/devices', meter('V', 9))).statusCode, 403);
  assert.equal((await call('viewer', 'PATCH', '/api/v1/devices/1', { name: 'V' })).statusCode, 403);
  assert.equal((await call('viewer', 'DELETE', '/api/v1/devices/1')).statusCode, 403);
  assert.equal(
    (await call('viewer', 'POST', '/api/v1/devices/discovery', { kind: 'serial', line: 'x' })).statusCode,
    403,
  );
  assert.equal((await call('viewer', 'GET', '/api/v1/devices/discovery')).statusCode, 403);
  const anonymous = await app.inject({ method: 'GET', url: '/api/v1/devices' });
  assert.equal(anonymous.statusCode, 401);
});

test('admin runs a TCP discovery and reads its progress and results', async () => {
  assert.equal((await call('admin', 'GET', '/api/v1/devices/discovery')).statusCode, 404);
  const targets = [{ host: '127.0.0.1', port: sim.port, unit: 1 }];
  const start = await call('admin', 'POST', '/api/v1/devices/discovery', {
    kind: 'tcp',
    targets,
    timeoutMs: 300,
  });
  assert.equal(start.statusCode, 202, start.body);
  assert.equal(start.json().total, 1);
  let state = start.json();
  for (let i = 0; i < 200 && state.state === 'running'; i++) {
    await new Promise((r) => setTimeout(r, 10));
    state = (await call('admin', 'GET', '/api/v1/devices/discovery')).json();
  }
  assert.equal(state.state, 'done');
  assert.deepEqual(state.results[0].models, ['test-meter']);
  assert.equal(state.results[0].deviceId, 1, 'already configured there');
  assert.equal((await call('admin', 'DELETE', '/api/v1/devices/discovery')).statusCode, 204);
});

async function waitFor(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
