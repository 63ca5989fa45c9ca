/**
 * The history replica (src/history/replica.ts): queries run on a connection
 * of their own to history.db, with the store's in-memory points taken from a
 * snapshot. Checked against the store itself on the same realistic data
 * (written chunks, builders still in memory, a clock step backwards), and
 * consistency when the store flushes between the snapshot and the read (no
 * point counted twice, none lost), and from a real worker thread.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Value } from 'typebox/value';
import { generateSeries, panelSeries } from '../../sim/meter-data.js';
import { HistorySchema } from '../../src/config/schema-history.js';
import { type HistorySettings, HistoryStore } from '../../src/history/index.js';
import { HistoryReplica, type HistorySource } from '../../src/history/replica.js';

const T0 = Date.UTC(2026, 2, 1);
const MIN = 60_000;
const COUNT = 20 * 1440;
const dir = mkdtempSync(join(tmpdir(), 'wattgate-replica-'));
const path = join(dir, 'history.db');
let store: HistoryStore;
let replica: HistoryReplica;
let beforeRead: () => void = () => {};
const ids: string[] = [];

const source = (): HistorySource => ({
  snapshot: async (series) => {
    const snaps = store.snapshot(series === 'all' ? undefined : series);
    beforeRead(); // what the store may do between the snapshot and the replica's read
    return structuredClone(snaps); // as across a thread boundary
  },
  status: async () => store.status(),
  readAfter: async (p, n) => store.readAfter(p, n),
});

before(() => {
  const s = Value.Default(HistorySchema, {}) as HistorySettings;
  store = HistoryStore.open({
    path,
    settings: { ...s, reserveFreeBytes: 0, chunk: { ...s.chunk, maxPoints: 500 } },
  });
  for (const p of panelSeries({ meters: 3, sensors: 1, start: T0, step: MIN, count: COUNT, seed: 5 })) {
    const g = generateSeries({ ...p.options, resetRate: 2e-4 });
    store.defineSeries(p.id, {
      device: p.device,
      unit: p.unit,
      kind: p.kind === 'active-energy' ? 'counter' : 'gauge',
      usage: 'u',
      zone: 'z',
    });
    for (let i = 0; i < g.length; i++)
      store.append(p.id, g.t[i] as number, g.v[i] as number, g.q[i] as number);
    ids.push(p.id);
    if (ids.length === 2) store.flush(); // the later series stay partly in memory
  }
  store.flush();
  // more points after the last flush: in memory only (builders), a clock step back on a counter
  const energy = ids.find((id) => /_mb_EA$/.test(id)) as string;
  for (let i = 0; i < 300; i++) store.append(energy, T0 + (COUNT - 120) * MIN + i * MIN, 1e9 + i);
  replica = HistoryReplica.open(path, source());
});

after(() => {
  replica?.close();
  store?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const RANGE = { from: T0 - MIN, to: T0 + (COUNT + 500) * MIN };

test('the replica answers every query like the store (chunks in the file + points in memory)', async () => {
  assert.deepEqual(await replica.read('all', (r) => r.listSeries()), store.reader.listSeries());
  for (const id of ids) {
    assert.deepEqual(
      await replica.read([id], (r) => r.raw(id, RANGE, 1_000_000)),
      store.reader.raw(id, RANGE, 1_000_000),
      id,
    );
    assert.deepEqual(
      await replica.read([id], (r) => r.downsample(id, RANGE, { count: 997 })),
      store.reader.downsample(id, RANGE, { count: 997 }),
    );
    assert.deepEqual(
      await replica.read([id], (r) => r.energy(id, RANGE, { unit: 'day', timeZone: 'Europe/Paris' })),
      store.reader.energy(id, RANGE, { unit: 'day', timeZone: 'Europe/Paris' }),
    );
  }
  assert.deepEqual(
    await replica.read('all', (r) => r.breakdown(RANGE, 'device', { top: 2 })),
    store.reader.breakdown(RANGE, 'device', { top: 2 }),
  );
  assert.deepEqual(await replica.status(), store.status());
});

test('a flush between the snapshot and the read: no point twice, none lost', async () => {
  const id = ids.at(-1) as string;
  for (let i = 0; i < 700; i++) store.append(id, T0 + (COUNT + i) * MIN, i); // > maxPoints: seals a builder
  const want = store.reader.raw(id, RANGE, 1_000_000);
  beforeRead = () => store.flush(); // rows written after the snapshot hold points the snapshot has in memory
  try {
    const got = await replica.read([id], (r) => r.raw(id, RANGE, 1_000_000));
    assert.equal(got.t.length, want.t.length);
    assert.deepEqual(got, want);
  } finally {
    beforeRead = () => {};
  }
  assert.deepEqual(
    await replica.read([id], (r) => r.raw(id, RANGE, 1_000_000)),
    store.reader.raw(id, RANGE, 1_000_000),
  );
});
