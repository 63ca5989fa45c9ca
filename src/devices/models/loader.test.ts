import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ErrorCodes, hasCode } from '../../shared/errors.js';
import { loadTemplates } from './loader.js';

const roots: string[] = [];
after(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

const m = (key: string, address: number, extra: Record<string, unknown> = {}) => ({
  key,
  name: key,
  address,
  type: 'float32',
  unit: 'V',
  kind: 'instant',
  ...extra,
});

const model = (id: string, family: string, measurements: unknown[], extra: Record<string, unknown> = {}) => ({
  id,
  name: id,
  family,
  source: { kind: 'generic' },
  measurements,
  ...extra,
});

/** A templates folder with these files (objects are written as JSON, strings as they are). */
function dir(files: Record<string, unknown>): string {
  const root = mkdtempSync(join(tmpdir(), 'wattgate-templates-'));
  roots.push(root);
  mkdirSync(join(root, 'fragments'));
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), typeof content === 'string' ? content : JSON.stringify(content));
  }
  return root;
}

function refused(files: Record<string, unknown>, message: string | RegExp): void {
  assert.throws(
    () => loadTemplates(dir(files)),
    (e: unknown) => {
      assert.ok(hasCode(e, ErrorCodes.INVALID_CONFIG), String(e));
      if (typeof message === 'string') assert.equal(e.message, message);
      else assert.match(e.message, message);
      return true;
    },
  );
}

describe('built-in template loader', () => {
  test('loads models and fragments, fills table and orders, sorts by address', () => {
    const t = loadTemplates(
      dir({
        'fragments/ident.json': { fragment: 'ident', measurements: [m('Z', 100, { unit: '' })] },
        'meter/a.json': model('a', 'meter', [m('B', 2), m('A', 0)], {
          include: ['ident'],
          defaults: { wordOrder: 'little' },
        }),
      }),
    );
    const a = t.models[0];
    assert.ok(a);
    assert.deepEqual(
      a.measurements.map((x) => [x.key, x.address, x.table, x.byteOrder, x.wordOrder]),
      [
        ['A', 0, 'holding', 'big', 'little'],
        ['B', 2, 'holding', 'big', 'little'],
        ['Z', 100, 'holding', 'big', 'little'],
      ],
    );
    assert.equal('include' in a, false);
    assert.ok(Object.isFrozen(a.measurements[0]));
    assert.equal(t.files.get('a'), 'meter/a.json');
  });

  test('bad JSON names the file', () => {
    refused(
      { 'meter/a.json': '{"id": "a",' },
      /^invalid device model templates\/meter\/a\.json: 1 error: \/: is not valid JSON \(.+\)$/,
    );
  });

  test('unknown data type, unknown property, missing field: every problem at once', () => {
    refused(
      { 'meter/a.json': model('a', 'meter', [{ ...m('A', 0), type: 'float16', colour: 1 }, { key: 'B' }]) },
      'invalid device model templates/meter/a.json: 7 errors: /measurements/0/colour: unknown property is not allowed; ' +
        '/measurements/0/type: must be one of "int16", "uint16", "int32", "uint32", "int64", "uint64", "float32", ' +
        '"float64", "string", "bitmap16", "bitmap32", "datetime"; /measurements/1/name: is required; ' +
        '/measurements/1/address: is required; /measurements/1/type: is required …',
    );
  });

  test('duplicate key, also between a measurement and a bit', () => {
    refused(
      {
        'meter/a.json': model('a', 'meter', [
          m('A', 0),
          m('A', 2),
          m('S', 4, { type: 'bitmap16', kind: 'bitmap', unit: '', bits: [{ bit: 0, key: 'A', name: 'a' }] }),
        ]),
      },
      'invalid device model templates/meter/a.json: 2 errors: /measurements/1/key: duplicate key "A" (already used at ' +
        '/measurements/0/key); /measurements/2/bits/0/key: duplicate key "A" (already used at /measurements/0/key)',
    );
  });

  test('a string without its register count', () => {
    refused(
      { 'meter/a.json': model('a', 'meter', [m('Name', 0, { type: 'string', kind: 'text', unit: '' })]) },
      'invalid device model templates/meter/a.json: 1 error: /measurements/0/registers: is required for type string',
    );
  });

  test('a register count that contradicts the type, and a value past address 65535', () => {
    refused(
      { 'meter/a.json': model('a', 'meter', [m('A', 0, { registers: 4 }), m('B', 65535)]) },
      'invalid device model templates/meter/a.json: 2 errors: /measurements/0/registers: must be 2 for type float32 ' +
        '(or left out); /measurements/1/address: registers 65535–65536 run past the last address 65535',
    );
  });

  test('bits beyond the width, twice the same bit, bits on a float', () => {
    const bits = [
      { bit: 16, key: 'X', name: 'x' },
      { bit: 3, key: 'Y', name: 'y' },
      { bit: 3, key: 'Z', name: 'z' },
    ];
    refused(
      {
        'meter/a.json': model('a', 'meter', [
          m('S', 0, { type: 'bitmap16', kind: 'bitmap', unit: '', bits }),
          m('F', 2, { bits: [{ bit: 0, key: 'W', name: 'w' }] }),
        ]),
      },
      'invalid device model templates/meter/a.json: 3 errors: /measurements/0/bits/0/bit: must be 0–15 for type ' +
        'bitmap16; /measurements/0/bits/2/bit: bit 3 is already defined at /measurements/0/bits/1; ' +
        '/measurements/1/bits: only integer types of up to 32 bits have bits (not float32)',
    );
  });

  test('scale must be finite and not 0, and only on numbers', () => {
    refused(
      {
        'meter/a.json': model('a', 'meter', [
          m('A', 0, { scale: 0 }),
          m('C', 4, { type: 'string', registers: 2, unit: '', kind: 'text', scale: 2, offset: 1 }),
        ]),
      },
      'invalid device model templates/meter/a.json: 3 errors: /measurements/0/scale: must be a finite number other ' +
        'than 0; /measurements/1/scale: does not apply to type string; /measurements/1/offset: does not apply to type string',
    );
    refused(
      {
        'meter/a.json':
          '{"id":"a","name":"a","family":"meter","source":{"kind":"generic"},"measurements":[' +
          '{"key":"B","name":"B","address":2,"type":"int32","unit":"V","kind":"instant","scale":1e999,"offset":-1e999}]}',
      },
      'invalid device model templates/meter/a.json: 2 errors: /measurements/0/scale: must be number; ' +
        '/measurements/0/offset: must be number',
    );
  });

  test('overlapping registers unless one says overlap: true', () => {
    refused(
      {
        'meter/a.json': model('a', 'meter', [
          m('A', 0, { type: 'int64', unit: 'Wh', kind: 'counter' }),
          m('B', 2),
        ]),
      },
      'invalid device model templates/meter/a.json: 1 error: /measurements/1/address: registers 2–3 (holding) overlap ' +
        '"A" (registers 0–3 at /measurements/0); set "overlap": true on one of them if this is deliberate',
    );
    const ok = loadTemplates(
      dir({
        'meter/a.json': model('a', 'meter', [
          m('A', 0, { type: 'int64', unit: 'Wh', kind: 'counter' }),
          m('B', 2, { overlap: true }),
          m('C', 2, { table: 'input' }),
        ]),
      }),
    );
    assert.equal(ok.models[0]?.measurements.length, 3);
  });

  test('kind must fit the type; input registers are read-only; marker length', () => {
    refused(
      {
        'meter/a.json': model('a', 'meter', [
          m('A', 0, { kind: 'text' }),
          m('B', 2, { table: 'input', access: 'rw' }),
          m('C', 4, { invalid: [1] }),
          m('D', 6, { type: 'string', registers: 1, kind: 'instant' }),
        ]),
      },
      'invalid device model templates/meter/a.json: 4 errors: /measurements/0/kind: "text" needs type string; ' +
        '/measurements/1/access: input registers cannot be written: use "r" or the holding table; ' +
        '/measurements/2/invalid: must be [] or 2 register value(s) for type float32; /measurements/3/kind: must be ' +
        '"text" or "setting" for type string',
    );
  });

  test('file placement: id = file name, family = folder, ids unique', () => {
    refused(
      { 'meter/a.json': model('b', 'other', [m('A', 0)]) },
      'invalid device model templates/meter/a.json: 2 errors: /id: must be "a", the file\'s name; /family: must be ' +
        '"meter", the folder the file is in',
    );
    refused(
      { 'm1/a.json': model('a', 'm1', [m('A', 0)]), 'm2/a.json': model('a', 'm2', [m('A', 0)]) },
      'invalid device model templates/m2/a.json: 1 error: /id: "a" is already used by templates/m1/a.json',
    );
  });

  test('includes: unknown, twice; fragment errors name the fragment file', () => {
    const frag = { fragment: 'f', measurements: [m('A', 10)] };
    refused(
      {
        'fragments/f.json': frag,
        'meter/a.json': model('a', 'meter', [m('A', 0)], { include: ['f', 'g', 'f'] }),
      },
      'invalid device model templates/meter/a.json: 3 errors: /include/1: no fragment named "g"; /include/2: ' +
        'fragment "f" is already included at /include/0; /measurements/0/key: duplicate key "A" (already used at ' +
        'fragments/f.json#/measurements/0/key)',
    );
    refused(
      { 'fragments/f.json': { fragment: 'g', measurements: [] } },
      'invalid device model templates/fragments/f.json: 1 error: /fragment: must be "f", the file\'s name',
    );
    refused(
      { 'fragments/f.json': { fragment: 'f', measurements: [m('A', 0, { type: 'string', kind: 'text' })] } },
      'invalid device model templates/fragments/f.json: 1 error: /measurements/0/registers: is required for type string',
    );
  });

  test('identification: the register must exist, regular expressions must compile; no empty model', () => {
    refused(
      {
        'meter/a.json': model('a', 'meter', [m('A', 0)], {
          identification: { vendorName: '(', register: { key: 'Ref', matches: '[' } },
        }),
      },
      /^invalid device model templates\/meter\/a\.json: 3 errors: \/identification\/vendorName: is not a valid regular expression \(.+\); \/identification\/register\/key: no measurement has key "Ref"; \/identification\/register\/matches: is not a valid regular expression \(.+\)$/,
    );
    refused(
      { 'meter/a.json': model('a', 'meter', []) },
      'invalid device model templates/meter/a.json: 1 error: /measurements: a model needs at least one measurement',
    );
  });
});
