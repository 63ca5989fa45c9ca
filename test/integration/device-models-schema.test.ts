/**
 * The template files cannot drift from the code: templates/schema.json is
 * exactly the JSON Schema generated from the TypeBox schema (rewrite it with
 * WATTGATE_WRITE_SCHEMA=1), the generic meter templates are exactly the
 * generator's output, every file under templates/ loads, and every template
 * also passes a plain JSON Schema reading of schema.json (TypeBox's
 * Value.Check on the generated document, not on the TypeBox objects).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Value } from 'typebox/value';
import {
  builtInTemplates,
  builtInTemplatesDir,
  deviceModelJsonSchemaText,
  genericMeterModel,
} from '../../src/devices/models/index.js';

const DIR = builtInTemplatesDir();
const read = (file: string) => readFileSync(join(DIR, file), 'utf8');

test('templates/schema.json equals the schema generated from model-schema.ts', () => {
  const generated = deviceModelJsonSchemaText();
  if (process.env.WATTGATE_WRITE_SCHEMA === '1') writeFileSync(join(DIR, 'schema.json'), generated);
  assert.equal(
    read('schema.json'),
    generated,
    'regenerate: WATTGATE_WRITE_SCHEMA=1 node scripts/run-tests.mjs <this file>',
  );
});

test('the generic meter templates are the generator output', () => {
  for (const [id, phases] of [
    ['generic-meter-1p', 1],
    ['generic-meter-3p', 3],
  ] as const) {
    assert.deepEqual(JSON.parse(read(`generic-meter/${id}.json`)), genericMeterModel({ id, phases }), id);
  }
});

test('every file under templates/ loads, and validates against schema.json as plain JSON Schema', () => {
  const schema = JSON.parse(read('schema.json')) as Record<string, unknown>;
  const { $defs, ...model } = schema as { $defs: { fragment: object } };
  const loaded = builtInTemplates();
  let files = 0;
  for (const folder of readdirSync(DIR, { withFileTypes: true }).filter((e) => e.isDirectory())) {
    for (const name of readdirSync(join(DIR, folder.name)).filter((n) => n.endsWith('.json'))) {
      const doc = JSON.parse(read(`${folder.name}/${name}`)) as unknown;
      const target = folder.name === 'fragments' ? $defs.fragment : model;
      assert.ok(Value.Check(target, doc), `${folder.name}/${name} against schema.json`);
      files++;
    }
  }
  assert.equal(files, loaded.models.length + loaded.fragments.size, 'every file is a model or a fragment');
  console.log(`templates: ${loaded.models.length} models, ${loaded.fragments.size} fragments`);
});
