/**
 * PRODUCT W2, W4 through the HTTPS API (fastify inject, injected clock, the
 * simulator radio with the demo's sensors): the device list with status and
 * last seen, an unknown device that needs an install code, discovery opened by
 * an admin with that code (typed as on its label: dashes, lower case) pairs it
 * at the next free virtual id, the same code with one digit mistyped is
 * refused (400: its checksum; nothing opened, nothing audited), removal
 * unpairs a device; a viewer reads but cannot change anything.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DEMO_INSTALL_CODE } from '../../sim/wireless/demo-panel.js';
import { type Harness, login, makeHarness, origin } from '../fixtures/security/harness.js';

let h: Harness;
before(async () => {
  h = await makeHarness();
  await h.wireless.part.start();
});
after(() => h.close());

interface Listing {
  radioOn: boolean;
  discovery: { open: boolean };
  devices: Array<{
    rfId: string;
    virtualId: number | null;
    status: string;
    lastSeen: string | null;
    model: string;
  }>;
  unknown: Array<{ rfId: string; model: string | null; reason: string }>;
}

async function admin(method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) {
  const s = await login(h);
  return h.app.inject({
    method,
    url,
    headers: { ...origin, cookie: s.cookie, 'x-csrf-token': s.csrf },
    ...(payload ? { payload } : {}),
  });
}

test('W4: paired devices with status; W2: an install-code device joins when discovery opens with its code; removal', async () => {
  for (let i = 0; i < 130; i++) h.clock.advance(1000);
  const first = (await admin('GET', '/api/v1/wireless')).json() as Listing;
  assert.equal(first.radioOn, true);
  assert.equal(first.devices.length, 10);
  assert.ok(
    first.devices.every((d) => d.status === 'connected' && d.lastSeen !== null),
    JSON.stringify(first.devices),
  );
  assert.deepEqual(
    first.devices.map((d) => d.virtualId),
    [100, 101, 102, 103, 104, 105, 106, 107, 108, 109],
  );
  const waiting = first.unknown.find((u) => u.model?.startsWith('cl110'));
  assert.ok(waiting, `the CL110 waits for its install code: ${JSON.stringify(first.unknown)}`);

  // Issue 15 item 5: a code as printed on the label; one mistyped digit fails its checksum → 400, nothing opened.
  const label = (DEMO_INSTALL_CODE.match(/.{4}/g) ?? []).join('-').toLowerCase();
  const typo = `${label.slice(0, 10)}${label[10] === '0' ? '1' : '0'}${label.slice(11)}`;
  const refused = await admin('POST', '/api/v1/wireless/discovery', {
    durationS: 60,
    installCodes: [{ code: typo }],
  });
  assert.equal(refused.statusCode, 400, refused.body);
  const why = refused.json() as {
    code: string;
    message: string;
    details: { path: string; message: string }[];
  };
  assert.equal(why.code, 'WG_ERR_INVALID_ARGUMENT');
  assert.ok(why.message.includes(`"${typo}"`), `names the code as typed: ${why.message}`);
  assert.match(why.message, /checksum .*does not match.*typo/);
  assert.deepEqual(
    why.details.map((d) => d.path),
    ['/installCodes/0/code'],
  );
  assert.equal(((await admin('GET', '/api/v1/wireless')).json() as Listing).discovery.open, false);
  assert.equal([...h.audit.records()].filter((r) => r.event === 'wireless.discovery-opened').length, 0);

  const open = await admin('POST', '/api/v1/wireless/discovery', {
    durationS: 60,
    installCodes: [{ code: label }],
  });
  assert.equal(open.statusCode, 204, open.body);
  const opened = [...h.audit.records()].filter((r) => r.event === 'wireless.discovery-opened');
  assert.equal(opened.length, 1, 'opening discovery is audited (SECURITY D1)');
  const r = opened[0];
  assert.deepEqual([r?.actorKind, r?.actor, r?.source], ['account', 'admin', '127.0.0.1']);
  assert.deepEqual(JSON.parse(r?.details ?? '{}'), { durationS: 60, installCodes: 1 });
  assert.ok(!JSON.stringify(r).includes(DEMO_INSTALL_CODE), 'never the install code itself');
  for (let i = 0; i < 70; i++) h.clock.advance(1000);
  const joined = (await admin('GET', '/api/v1/wireless')).json() as Listing;
  const cl = joined.devices.find((d) => d.rfId === waiting.rfId);
  assert.equal(cl?.virtualId, 110, JSON.stringify(joined.devices.at(-1)));

  const gone = await admin('DELETE', `/api/v1/wireless/devices/${waiting.rfId}`);
  assert.equal(gone.statusCode, 204, gone.body);
  const after1 = (await admin('GET', '/api/v1/wireless')).json() as Listing;
  assert.equal(after1.devices.length, 10);
  assert.ok(!after1.devices.some((d) => d.rfId === waiting.rfId));
});

test('W4: a viewer reads the list but cannot open discovery or remove', async () => {
  const hash = await h.security.hasher.hash('View-only-9x');
  h.security.accounts.create('viewer2', 'viewer', hash, h.clock.now());
  const s = await login(h, 'viewer2', 'View-only-9x');
  const headers = { ...origin, cookie: s.cookie, 'x-csrf-token': s.csrf };
  assert.equal((await h.app.inject({ method: 'GET', url: '/api/v1/wireless', headers })).statusCode, 200);
  const r = await h.app.inject({ method: 'POST', url: '/api/v1/wireless/rebuild', headers });
  assert.equal(r.statusCode, 403);
});
