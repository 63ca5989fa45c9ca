#!/usr/bin/env -S npx tsx
/**
 * Writes the OpenAPI document of the JSON API (PRODUCT E3) to
 * docs/api/openapi.json, generated from the route table (src/api/openapi.ts).
 * Usage: npx tsx scripts/openapi.ts          write the file
 *        npx tsx scripts/openapi.ts --check  exit 1 when the file is stale
 * test/integration/api-openapi.test.ts fails whenever the committed file
 * differs from what the code generates.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateOpenApi } from '../src/api/openapi-app.js';

const file = join(dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'api', 'openapi.json');
const text = await generateOpenApi();
if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(file, 'utf8');
  } catch {
    // missing: stale
  }
  if (current !== text) {
    console.error(`${file} is stale: run npx tsx scripts/openapi.ts`);
    process.exit(1);
  }
  console.log(`${file} is up to date`);
} else {
  writeFileSync(file, text);
  console.log(`wrote ${file}`);
}
