#!/usr/bin/env node
// Copies the non-TypeScript files the release needs next to the compiled code:
// SQL migrations, security data (the common-password blocklist) and the
// built-in device templates (templates/ → dist/templates, found by
// src/devices/models/paths.ts from dist/src/devices/models/).
import { cpSync, rmSync } from 'node:fs';

const ASSETS = ['src/storage/migrations', 'src/security/data', 'templates'];
for (const dir of ASSETS) {
  rmSync(`dist/${dir}`, { recursive: true, force: true });
  cpSync(dir, `dist/${dir}`, { recursive: true });
}
console.log(`copied ${ASSETS.join(', ')} to dist/`);
