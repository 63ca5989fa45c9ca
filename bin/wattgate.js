#!/usr/bin/env node
// Launcher. In a development checkout (src/ present) it runs the TypeScript
// sources through tsx, so a stale dist/ is never used by mistake; a release
// install ships only dist/ (see docs/operations.md) and runs the compiled code.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const src = new URL('../src/main.ts', import.meta.url);
if (existsSync(fileURLToPath(src))) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(src.href);
} else {
  await import(new URL('../dist/src/main.js', import.meta.url).href);
}
