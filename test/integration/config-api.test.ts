/**
 * Configuration sections through the API (issue 15 item 5) on the whole
 * application, through the web thread's Rpc to the main thread's store:
 * an admin reads a section, a replacement with an invalid time zone is
 * refused with the field's path and nothing is stored, a valid one is stored
 * (the revision moves, the web thread's own copy follows: GET /api/v1/system),
 * the change is in the audit log with who made it and from where; switching
 * the radio off through the `wireless` section turns the radio off; a viewer
 * is refused; the JSON Schema for the forms is served.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { https } from '../support/https.js';
import { loopback, startWholeApp } from '../support/whole-app.js';

const PASSWORD = 'Config-Api-Passw0rd!';
const json = <T>(body: string) => JSON.parse(body) as T;

interface Section {
  section: string;
  revision: number;
  value: Record<string, unknown>;
}

test('config sections: read, refused with paths, stored and audited, radio off, admin only', {
  timeout: 120_000,
}, async () => {
  const w = await startWholeApp({
    prefix: 'wattgate-config-api-',
    password: PASSWORD,
    configure: (base) => loopback(base, { modbus: false }),
  });
  const { app, port, admin } = w;
  try {
    const read = await https(port, 'GET', '/api/v1/config/system', undefined, admin);
    assert.equal(read.status, 200, read.body);
    const system = json<Section>(read.body);
    assert.equal(system.value.timezone, 'UTC');
    const rev0 = system.revision;

    const bad = await https(
      port,
      'PUT',
      '/api/v1/config/system',
      { ...system.value, timezone: 'Mars/Olympus' },
      admin,
    );
    assert.equal(bad.status, 400, bad.body);
    const problem = json<{ code: string; details: { path: string; message: string }[] }>(bad.body);
    assert.equal(problem.code, 'WG_ERR_INVALID_CONFIG');
    assert.ok(
      problem.details.some((d) => d.path === '/system/timezone'),
      `the field is named: ${bad.body}`,
    );
    const unchanged = json<Section>(
      (await https(port, 'GET', '/api/v1/config/system', undefined, admin)).body,
    );
    assert.deepEqual([unchanged.revision, unchanged.value.timezone], [rev0, 'UTC'], 'nothing stored');

    // Dry run: the same problems for the same input, a valid one answered with defaults filled; nothing stored.
    const dryBad = await https(
      port,
      'PUT',
      '/api/v1/config/system?dryRun=true',
      { ...system.value, timezone: 'Mars/Olympus' },
      admin,
    );
    assert.equal(dryBad.status, 400, dryBad.body);
    assert.deepEqual(json<{ details: unknown }>(dryBad.body).details, problem.details);
    const dryGood = await https(port, 'PUT', '/api/v1/config/system?dryRun=true', { name: 'Dry' }, admin);
    assert.equal(dryGood.status, 200, dryGood.body);
    assert.deepEqual(json<Section>(dryGood.body).value, { name: 'Dry', location: '', timezone: 'UTC' });
    const stillUnchanged = json<Section>(
      (await https(port, 'GET', '/api/v1/config/system', undefined, admin)).body,
    );
    assert.deepEqual(
      [stillUnchanged.revision, stillUnchanged.value.name],
      [rev0, 'Wattgate'],
      'dry run stores nothing',
    );

    const good = await https(
      port,
      'PUT',
      '/api/v1/config/system',
      { ...system.value, name: 'Plant 7', timezone: 'Europe/Paris' },
      admin,
    );
    assert.equal(good.status, 200, good.body);
    const stored = json<Section>(good.body);
    assert.equal(stored.revision, rev0 + 1);
    assert.deepEqual([stored.value.name, stored.value.timezone], ['Plant 7', 'Europe/Paris']);
    assert.equal(app.ctx.config.get().system.name, 'Plant 7', 'the main thread stored it');
    let identity = { name: '', timeZone: '' };
    for (let i = 0; i < 50 && identity.name !== 'Plant 7'; i++) {
      identity = json((await https(port, 'GET', '/api/v1/system', undefined, admin)).body);
      if (identity.name !== 'Plant 7') await new Promise((r) => setTimeout(r, 100));
    }
    assert.deepEqual(identity.name, 'Plant 7', 'the web thread follows');
    assert.equal(identity.timeZone, 'Europe/Paris');

    const audit = json<{
      records: { event: string; actor: string; source: string | null; details: unknown }[];
    }>((await https(port, 'GET', '/api/v1/audit?category=config', undefined, admin)).body);
    const changed = audit.records.filter((r) => r.event === 'config.changed');
    const mine = changed.at(-1);
    assert.ok(mine, JSON.stringify(audit));
    assert.deepEqual([mine.actor, mine.source], [{ kind: 'account', name: 'admin' }, '127.0.0.1']);
    assert.match(JSON.stringify(mine.details), /system/);

    const wireless = json<Section>(
      (await https(port, 'GET', '/api/v1/config/wireless', undefined, admin)).body,
    );
    assert.equal(wireless.value.enabled, true);
    const off = await https(
      port,
      'PUT',
      '/api/v1/config/wireless',
      { ...wireless.value, enabled: false },
      admin,
    );
    assert.equal(off.status, 200, off.body);
    const radio = json<{ radioOn: boolean }>(
      (await https(port, 'GET', '/api/v1/wireless', undefined, admin)).body,
    );
    assert.equal(radio.radioOn, false, 'the radio is off');
    // W5 through the API: permanently disabled stays so (the rule was tested alone, and not enforced by the store).
    const perm = await https(
      port,
      'PUT',
      '/api/v1/config/wireless',
      { ...wireless.value, enabled: false, permanentlyDisabled: true },
      admin,
    );
    assert.equal(perm.status, 200, perm.body);
    for (const dry of ['?dryRun=true', '']) {
      const back = await https(
        port,
        'PUT',
        `/api/v1/config/wireless${dry}`,
        { ...wireless.value, enabled: false, permanentlyDisabled: false },
        admin,
      );
      assert.equal(back.status, 400, back.body);
      assert.deepEqual(
        json<{ details: { path: string }[] }>(back.body).details.map((d) => d.path),
        ['/wireless/permanentlyDisabled'],
      );
    }
    assert.equal(app.ctx.config.get().wireless.permanentlyDisabled, true);

    const schema = json<{ properties: Record<string, unknown> }>(
      (await https(port, 'GET', '/api/v1/config/schema', undefined, admin)).body,
    );
    assert.deepEqual(Object.keys(schema.properties).sort(), Object.keys(app.ctx.config.get()).sort());

    const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
    const made = await https(
      port,
      'POST',
      '/api/v1/tokens',
      { name: 'viewer', role: 'viewer', expiresAt },
      admin,
    );
    assert.equal(made.status, 201, made.body);
    const viewer = { authorization: `Bearer ${json<{ token: string }>(made.body).token}` };
    assert.equal((await https(port, 'GET', '/api/v1/config/system', undefined, viewer)).status, 403);
    assert.equal((await https(port, 'PUT', '/api/v1/config/system', system.value, viewer)).status, 403);
    assert.equal((await https(port, 'GET', '/api/v1/config/nonsense', undefined, admin)).status, 400);
  } finally {
    await w.stop();
  }
});
