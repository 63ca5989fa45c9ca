#!/usr/bin/env node
// Copies the non-TypeScript files the release needs next to the compiled code:
// every store's SQL migrations (src/**/migrations, found beside their owner by
// migrationsDir(import.meta.url)), security data (the common-password
// blocklist) and the built-in device templates (templates/ → dist/templates,
// found by src/devices/models/paths.ts walking up from dist/src/devices/models/).
import { cpSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const migrationDirs = (dir) =>
  readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .flatMap((e) => (e.name === 'migrations' ? [join(dir, e.name)] : migrationDirs(join(dir, e.name))));

const ASSETS = [...migrationDirs('src'), 'src/security/data', 'templates'];
for (const dir of ASSETS) {
  rmSync(`dist/${dir}`, { recursive: true, force: true });
  cpSync(dir, `dist/${dir}`, { recursive: true });
}
console.log(`copied ${ASSETS.join(', ')} to dist/`);
