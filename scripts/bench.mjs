#!/usr/bin/env node
// Benchmark dispatcher: `npm run bench NAME [args]` runs bench/NAME.ts with tsx;
// without a name it lists the benchmarks. Each benchmark prints ratios against a
// baseline measured in the same run (machines here are noisy), never absolute
// pass/fail thresholds.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';

const names = readdirSync(new URL('../bench/', import.meta.url))
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.slice(0, -3))
  .sort();
const [name, ...rest] = process.argv.slice(2);
if (!name || !names.includes(name)) {
  console.log(`usage: npm run bench <name> [-- args]\nbenchmarks: ${names.join(', ') || '(none)'}`);
  process.exit(name ? 2 : 0);
}
const child = spawn(process.execPath, ['--import', 'tsx', `bench/${name}.ts`, ...rest], { stdio: 'inherit' });
child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 1)));
