import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ErrorCodes, hasCode } from '../../shared/errors.js';
import type { ModelMatcher } from '../model-source.js';
import { ModelCatalog, type ModelChange } from './catalog.js';
import { MemoryModelStore } from './custom-store.js';
import { genericMeterModel } from './generic-meter.js';

const roots: string[] = [];
after(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'wattgate-models-'));
  roots.push(d);
  return d;
};

const custom = (over: Record<string, unknown> = {}) => ({
  id: 'my-meter',
  name: 'My meter',
  family: 'my-meters',
  source: { kind: 'custom' },
  measurements: [
    { key: 'VAN', name: 'Voltage A-N', address: 0, type: 'float32', unit: 'V', kind: 'instant' },
    { key: 'Ref', name: 'Reference', address: 10, type: 'string', registers: 8, unit: '', kind: 'text' },
  ],
  identification: { vendorName: '^ACME$', productCode: '^MM-\\d+$' },
  ...over,
});

function refused(fn: () => unknown, code: string, message: string | RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(hasCode(e, code as never), String(e));
    if (typeof message === 'string') assert.equal(e.message, message);
    else assert.match(e.message, message);
    return true;
  });
}

describe('model catalog', () => {
  test('built-ins: get, require, list, match by FC 43/14 objects and by commercial reference', () => {
    const c = ModelCatalog.open();
    assert.equal(c.get('th110')?.name, 'Easergy TH110');
    assert.equal(c.isBuiltIn('th110'), true);
    refused(() => c.require('nope'), ErrorCodes.NOT_FOUND, 'no device model "nope"');
    assert.ok(c.list().length >= 20);
    assert.deepEqual(c.matchDetails({ productCode: ' A9MEM1541 ' }), [
      { id: 'pte63-powertag-a9', score: 3, by: ['productCode', 'reference'] },
    ]);
    assert.deepEqual(c.match({ productCode: 'EMS59440', revision: '1.2' }), ['th110']);
    assert.deepEqual(c.match({ vendorName: 'Wattgate', productCode: 'WG-SIM-TCP' }), ['wattgate-demo-meter']);
    assert.deepEqual(c.match({ vendorName: 'Wattgate' }), []);
    assert.deepEqual(c.matchReference('PLTR10003P'), ['pte-rope-powerlogic-tag-rope']);
    const matcher: ModelMatcher = c; // the seam the registry, acquisition and discovery use
    assert.equal(matcher.get('th110'), c.get('th110'));
    const summary = c.summaries().find((s) => s.id === 'th110');
    assert.deepEqual(summary, {
      id: 'th110',
      name: 'Easergy TH110',
      family: 'th110',
      source: 'public-register-map',
      builtIn: true,
      measurements: 30,
      references: ['EMS59440'],
      periodSeconds: 60,
    });
  });

  test('import: saved to the folder (0600, self-contained), loaded again by a new catalog', () => {
    const dir = tmp();
    const c = ModelCatalog.open({ customDir: dir });
    const changes: ModelChange[] = [];
    c.onChange((x) => changes.push(x));
    const m = c.importCustom(JSON.stringify(custom({ include: ['wireless-link'] })));
    assert.equal(m.measurements.length, 10);
    assert.equal(c.isCustom('my-meter'), true);
    assert.deepEqual(changes, [{ type: 'added', id: 'my-meter' }]);
    assert.equal(statSync(join(dir, 'my-meter.json')).mode & 0o777, 0o600);
    const saved = JSON.parse(readFileSync(join(dir, 'my-meter.json'), 'utf8')) as Record<string, unknown>;
    assert.equal(saved.include, undefined, 'fragments merged in the saved file');
    const again = ModelCatalog.open({ customDir: dir });
    assert.deepEqual(again.get('my-meter'), m);
    assert.deepEqual(again.matchDetails({ vendorName: 'ACME', productCode: 'MM-42' }), [
      { id: 'my-meter', score: 4, by: ['vendorName', 'productCode'] },
    ]);
    assert.equal(again.removeCustom('my-meter'), true);
    assert.equal(again.removeCustom('my-meter'), false);
    assert.equal(ModelCatalog.open({ customDir: dir }).get('my-meter'), undefined);
  });

  test('import refusals, with exact messages', () => {
    const c = ModelCatalog.open({ store: new MemoryModelStore() });
    refused(
      () => c.importCustom('{"id": '),
      ErrorCodes.INVALID_CONFIG,
      /^invalid device model import: 1 error: \/: is not valid JSON \(.+\)$/,
    );
    refused(
      () => c.importCustom('[]'),
      ErrorCodes.INVALID_CONFIG,
      'invalid device model import: 1 error: /: must be object',
    );
    const bad = custom();
    (bad.measurements[0] as Record<string, unknown>).type = 'float';
    refused(
      () => c.importCustom(bad),
      ErrorCodes.INVALID_CONFIG,
      'invalid device model import: 1 error: /measurements/0/type: must be one of "int16", "uint16", "int32", ' +
        '"uint32", "int64", "uint64", "float32", "float64", "string", "bitmap16", "bitmap32", "datetime"',
    );
    const dup = custom();
    (dup.measurements[1] as Record<string, unknown>).key = 'VAN';
    refused(
      () => c.importCustom(dup),
      ErrorCodes.INVALID_CONFIG,
      'invalid device model import: 1 error: /measurements/1/key: duplicate key "VAN" (already used at /measurements/0/key)',
    );
    const noLength = custom();
    delete (noLength.measurements[1] as Record<string, unknown>).registers;
    refused(
      () => c.importCustom(noLength),
      ErrorCodes.INVALID_CONFIG,
      'invalid device model import: 1 error: /measurements/1/registers: is required for type string',
    );
    refused(
      () => c.importCustom(custom({ source: { kind: 'public-register-map', document: 'x.tsv' } })),
      ErrorCodes.INVALID_CONFIG,
      'invalid device model import: 1 error: /source/kind: must be "custom" or "generic" for an imported model',
    );
    refused(
      () => c.importCustom(custom({ id: 'th110' })),
      ErrorCodes.CONFLICT,
      'invalid device model import: 1 error: /id: "th110" is the id of a built-in model: choose another id',
    );
    refused(
      () => c.importCustom(custom({ include: ['nope'] })),
      ErrorCodes.INVALID_CONFIG,
      'invalid device model import: 1 error: /include/0: no fragment named "nope"',
    );
    assert.equal(
      c.list().some((m) => m.id === 'my-meter'),
      false,
      'nothing was imported',
    );
  });

  test('an existing custom id needs replace; built-ins cannot be deleted', () => {
    const c = ModelCatalog.open({ store: new MemoryModelStore() });
    const changes: ModelChange[] = [];
    c.onChange((x) => changes.push(x));
    c.importCustom(custom());
    refused(
      () => c.importCustom(custom({ name: 'Renamed' })),
      ErrorCodes.CONFLICT,
      'invalid device model import: 1 error: /id: a custom model "my-meter" already exists: import with replace to overwrite it',
    );
    assert.equal(c.importCustom(custom({ name: 'Renamed' }), { replace: true }).name, 'Renamed');
    assert.deepEqual(changes, [
      { type: 'added', id: 'my-meter' },
      { type: 'replaced', id: 'my-meter' },
    ]);
    refused(
      () => c.removeCustom('th110'),
      ErrorCodes.CONFLICT,
      '"th110" is a built-in model and cannot be deleted',
    );
  });

  test('a generated generic meter imports as a custom model', () => {
    const c = ModelCatalog.open({ store: new MemoryModelStore() });
    const m = c.importCustom(
      genericMeterModel({ id: 'panel-3', phases: 3, type: 'int32-scaled', base: 3000 }),
    );
    assert.equal(m.source.kind, 'generic');
    assert.equal(m.measurements[0]?.address, 3000);
  });

  test('a stored file that no longer loads is skipped and reported, the others load', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'broken.json'), '{');
    writeFileSync(join(dir, 'th110.json'), JSON.stringify(custom({ id: 'th110' })));
    writeFileSync(join(dir, 'my-meter.json'), JSON.stringify(custom()));
    const warnings: unknown[] = [];
    const log = { warn: (o: unknown) => warnings.push(o) } as never;
    const c = ModelCatalog.open({ customDir: dir, log });
    assert.equal(c.isCustom('my-meter'), true);
    assert.equal(c.get('th110')?.source.kind, 'public-register-map');
    const [broken, th110] = c.problems.map((e) => e.message);
    assert.match(
      broken ?? '',
      /^invalid device model models\/broken\.json: 1 error: \/: is not valid JSON \(.+\)$/,
    );
    assert.equal(
      th110,
      'invalid device model models/th110.json: 1 error: /id: "th110" is the id of a built-in model: choose another id',
    );
    assert.equal(warnings.length, 2);
  });
});
