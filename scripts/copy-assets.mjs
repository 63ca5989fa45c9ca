#!/usr/bin/env node
// Copies the non-TypeScript files the release needs next to the compiled code:
// SQL migrations and security data (the common-password blocklist).
import { cpSync, rmSync } from 'node:fs';

const ASSETS = ['src/storage/migrations', 'src/security/data'];
for (const dir of ASSETS) {
  rmSync(`dist/${dir}`, { recursive: true, force: true });
  cpSync(dir, `dist/${dir}`, { recursive: true });
}
console.log(`copied ${ASSETS.join(', ')} to dist/`);
