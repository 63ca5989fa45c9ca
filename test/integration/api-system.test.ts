/**
 * GET /api/v1/system (PRODUCT E3): any role, by session or API token, answers
 * exactly { name, serialNumber, installationId, version, timeZone, uptimeS }; the version
 * is the release's package.json version, the uptime follows the injected clock.
 * Anonymous callers get 401.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { ROLES } from '../../src/security/roles.js';
import { type Harness, makeHarness, SYSTEM } from '../fixtures/security/harness.js';

let h: Harness;
before(async () => {
  h = await makeHarness({ setAdmin: false });
});
after(() => h.close());

const version = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;

test('system identity: every role, session and token, no other field', async () => {
  const now = h.clock.now();
  for (const role of ROLES) {
    const secret = h.security.tokens.create(`sys-${role}`, role, now + 86_400_000, 'admin', now).secret;
    const res = await h.app.inject({
      method: 'GET',
      url: '/api/v1/system',
      headers: { authorization: `Bearer ${secret}` },
    });
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json() as Record<string, unknown>;
    assert.deepEqual(Object.keys(body).sort(), [
      'installationId',
      'name',
      'serialNumber',
      'timeZone',
      'uptimeS',
      'version',
    ]);
    assert.equal(body.name, SYSTEM.name);
    assert.equal(body.serialNumber, SYSTEM.serialNumber);
    assert.equal(body.installationId, SYSTEM.installationId);
    assert.equal(body.version, version);
    assert.equal(body.timeZone, SYSTEM.timeZone);
  }
  const anonymous = await h.app.inject({ method: 'GET', url: '/api/v1/system' });
  assert.equal(anonymous.statusCode, 401);
});

test('system identity: uptime in whole seconds on the injected clock', async () => {
  const secret = h.security.tokens.create(
    'sys-up',
    'viewer',
    h.clock.now() + 86_400_000,
    'admin',
    h.clock.now(),
  ).secret;
  const get = async () =>
    (
      (
        await h.app.inject({
          method: 'GET',
          url: '/api/v1/system',
          headers: { authorization: `Bearer ${secret}` },
        })
      ).json() as { uptimeS: number }
    ).uptimeS;
  const before = await get();
  h.clock.advance(90_500);
  assert.equal(await get(), before + 90);
});
