/**
 * Configuration version 1 → 2 (src/config/upgrade-2.ts, issue 13 "one
 * device, one place"): a version-1 document, as an older release exported it
 * or stored it, migrates to one `devices.list` entry per physical device —
 * gateway TCP devices and paired wireless devices merged into the datalogger
 * device at the same location, the others added with fresh ids — both when
 * imported and when a stored revision is opened.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ConfigStore } from '../../src/config/index.js';
import { openDatabase } from '../../src/db/index.js';

const dir = mkdtempSync(join(tmpdir(), 'wattgate-upgrade-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** What a version-1 release wrote: one device described two or three times. */
const V1 = {
  system: { name: 'Plant A' },
  modbus: {
    server: { enabled: { ETH1: true } },
    tcpDevices: [
      // the same meter as datalogger device 1 (host case and default port differ in writing only)
      { name: 'pm-incomer', host: 'METER-1.local', unitId: 1, virtualId: 10, oneInFlight: true },
      // only forwarded by the gateway
      { name: 'pm-chiller', host: '10.0.0.9', port: 5020, unitId: 3, virtualId: 11, timeoutMs: 2500 },
    ],
  },
  devices: {
    nextId: 3,
    list: [
      {
        id: 1,
        name: 'Incomer',
        model: 'wattgate-demo-meter',
        location: { kind: 'tcp', host: 'meter-1.local', port: 502, unit: 1, timeoutMs: 1000 },
        periodMinutes: 5,
      },
      {
        id: 2,
        name: 'A name far longer than a radio register holds',
        model: 'th110',
        location: { kind: 'wireless', rfId: '00124b0000000001' },
      },
    ],
  },
  wireless: {
    devices: [
      { rfId: '00124B0000000001', model: 'th110', name: 'Busbar temp', label: 'T1', virtualId: 120 },
      { rfId: '00124B0000000002', model: 'co2-sensor', name: 'Room CO2' },
    ],
  },
};

const EXPECTED_LIST = [
  {
    id: 1,
    name: 'Incomer',
    model: 'wattgate-demo-meter',
    location: { kind: 'tcp', host: 'meter-1.local', port: 502, unit: 1, timeoutMs: 1000, oneInFlight: true },
    virtualId: 10,
    periodMinutes: 5,
  },
  {
    id: 2,
    name: 'Busbar temp',
    model: 'th110',
    location: { kind: 'wireless', rfId: '00124b0000000001', label: 'T1' },
    virtualId: 120,
    periodMinutes: 15,
  },
  {
    id: 3,
    name: 'pm-chiller',
    model: undefined,
    location: { kind: 'tcp', host: '10.0.0.9', port: 5020, unit: 3, timeoutMs: 2500, oneInFlight: false },
    virtualId: 11,
    periodMinutes: 15,
  },
  {
    id: 4,
    name: 'Room CO2',
    model: 'co2-sensor',
    location: { kind: 'wireless', rfId: '00124B0000000002', label: '' },
    virtualId: undefined,
    periodMinutes: 15,
  },
];

function shape(store: ConfigStore) {
  const cfg = store.get();
  return {
    nextId: cfg.devices.nextId,
    list: cfg.devices.list.map((d) => ({
      id: d.id,
      name: d.name,
      model: d.model,
      location: d.location,
      virtualId: d.virtualId,
      periodMinutes: d.periodMinutes,
    })),
    tcpDevices: (cfg.modbus as Record<string, unknown>).tcpDevices,
    paired: (cfg.wireless as Record<string, unknown>).devices,
  };
}

test('an imported version-1 document migrates to one entry per device', () => {
  const db = openDatabase({ path: join(dir, 'import.db'), profile: 'durable' });
  try {
    const store = ConfigStore.open(db);
    const change = store.importDocument(
      { format: 'wattgate-config', version: 1, config: V1 },
      { actor: 'test' },
    );
    assert.deepEqual(change.changedSections.includes('devices'), true);
    assert.deepEqual(shape(store), {
      nextId: 5,
      list: EXPECTED_LIST,
      tcpDevices: undefined,
      paired: undefined,
    });
    assert.equal(store.exportDocument().version, 2);
  } finally {
    db.close();
  }
});

test('a stored version-1 revision is migrated when the store opens it', () => {
  const path = join(dir, 'stored.db');
  const db = openDatabase({ path, profile: 'durable' });
  ConfigStore.open(db); // creates the table
  db.prepare(
    `INSERT INTO settings_document (id, revision, schema_version, json, updated_at, actor)
     VALUES (1, 7, 1, ?, '2026-01-01T00:00:00.000Z', 'old release')`,
  ).run(JSON.stringify(V1));
  db.close();
  const again = openDatabase({ path, profile: 'durable' });
  try {
    const store = ConfigStore.open(again);
    assert.equal(store.revision, 7);
    assert.deepEqual(shape(store), {
      nextId: 5,
      list: EXPECTED_LIST,
      tcpDevices: undefined,
      paired: undefined,
    });
  } finally {
    again.close();
  }
});

test('a version-1 document whose devices cannot be merged is still reported by validation, with paths', () => {
  const db = openDatabase({ path: ':memory:', profile: 'durable' });
  try {
    const bad = { ...V1, modbus: { tcpDevices: [{ name: 'x', host: 'ok.local', virtualId: 120 }] } };
    assert.throws(
      () => ConfigStore.open(db).importDocument({ format: 'wattgate-config', version: 1, config: bad }),
      (e: { details?: Array<{ path: string; message: string }> }) =>
        e.details?.some((d) => /unit id 120 has two owners/.test(d.message)) === true,
    );
  } finally {
    db.close();
  }
});
