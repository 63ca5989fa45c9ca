#!/usr/bin/env node
// Launcher: runs the compiled release (dist/) when present, else the TypeScript
// sources through tsx (development checkout).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dist = fileURLToPath(new URL('../dist/main.js', import.meta.url));
if (existsSync(dist)) {
  await import(dist);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('../src/main.ts', import.meta.url).href);
}
