/**
 * Property test: whatever JSON reaches the configuration boundary — random
 * documents, or a valid configuration with one random value planted at a
 * random path — the store either accepts a valid configuration or throws
 * WattgateError(INVALID_CONFIG) and persists nothing. Never another error.
 * WATTGATE_FUZZ_RUNS sets the number of runs (default 300).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { ConfigStore } from '../../src/config/store.js';
import { defaultConfig, validateConfig } from '../../src/config/validate.js';
import { openDatabase } from '../../src/db/database.js';
import { ErrorCodes, hasCode } from '../../src/shared/errors.js';

const RUNS = Math.min(Number(process.env.WATTGATE_FUZZ_RUNS ?? 300), 20_000);
const dir = mkdtempSync(join(tmpdir(), 'wattgate-fuzz-'));
const db = openDatabase({ path: join(dir, 'settings.db'), profile: 'history' }); // speed; durability is not under test
const store = ConfigStore.open(db);
after(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const SAMPLE = {
  networks: { ETH1: { addresses: ['0.0.0.0'] }, ETH2: { addresses: ['10.0.0.1'] } },
  modbus: {
    server: { enabled: { ETH1: true }, allowList: { ETH2: ['10.0.0.0/8'] }, readOnlyUnits: [1] },
    serialLines: [{ name: 'L1', path: '/dev/ttyS0', unitIds: [1, 2] }],
  },
  web: { enabled: { ETH1: true } },
  devices: {
    nextId: 3,
    list: [
      {
        id: 1,
        name: 'pm',
        model: 'wattgate-demo-meter',
        location: { kind: 'tcp', host: 'pm.local' },
        virtualId: 10,
      },
      { id: 2, name: 'temp', model: 'th110', location: { kind: 'wireless', rfId: '00124B0000000001' } },
    ],
  },
};

/** Every path (as key lists) inside a full sample configuration. */
function paths(v: unknown, prefix: string[] = []): string[][] {
  if (typeof v !== 'object' || v === null) return [prefix];
  const keys = Object.keys(v);
  return [prefix, ...keys.flatMap((k) => paths((v as Record<string, unknown>)[k], [...prefix, k]))];
}
const BASE = JSON.parse(JSON.stringify(validateConfig(SAMPLE))) as Record<string, unknown>;
const PATHS = paths(BASE).filter((p) => p.length > 0);

function plant(path: readonly string[], value: unknown, extraKey: string | null): unknown {
  const copy = JSON.parse(JSON.stringify(BASE)) as Record<string, unknown>;
  let node: Record<string, unknown> = copy;
  for (const k of path.slice(0, -1)) node = node[k] as Record<string, unknown>;
  const last = path.at(-1) as string;
  if (extraKey === null) node[last] = value;
  else node[extraKey] = value;
  return copy;
}

const randomJson = fc.jsonValue({ maxDepth: 4 });
const planted = fc
  .tuple(fc.constantFrom(...PATHS), randomJson, fc.option(fc.string({ maxLength: 12 }), { freq: 4 }))
  .map(([p, v, extra]) => plant(p, v, extra));
const input = fc.oneof(randomJson, planted, fc.record({ system: randomJson, modbus: randomJson }));

function snapshot(): unknown {
  return db.prepare('SELECT revision, json FROM settings_document').all();
}

test(`random JSON never throws anything but INVALID_CONFIG and is never persisted when invalid (${RUNS} runs)`, () => {
  let accepted = 0;
  fc.assert(
    fc.property(input, (value) => {
      const before = { revision: store.revision, row: snapshot() };
      try {
        store.replace(value, { actor: 'fuzz' });
      } catch (e) {
        assert.ok(hasCode(e, ErrorCodes.INVALID_CONFIG), `unexpected error: ${String(e)}`);
        assert.ok(e.details.length > 0, 'an INVALID_CONFIG error lists its details');
        assert.equal(store.revision, before.revision);
        assert.deepEqual(snapshot(), before.row);
        return;
      }
      accepted++;
      assert.deepEqual(validateConfig(store.get()), store.get());
    }),
    { numRuns: RUNS },
  );
  assert.ok(defaultConfig());
  console.log(`fuzz: ${RUNS} inputs, ${accepted} valid ones accepted`);
});
