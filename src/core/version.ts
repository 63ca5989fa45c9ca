/** The running release's version, read once from the nearest package.json named "wattgate" above this file. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findUp } from '../db/release-files.js';

function packageVersion(dir: string): string | undefined {
  try {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
      name?: unknown;
      version?: unknown;
    };
    return pkg.name === 'wattgate' && typeof pkg.version === 'string' ? pkg.version : undefined;
  } catch {
    return undefined;
  }
}

function readVersion(): string {
  const dir = findUp(import.meta.url, (d) => packageVersion(d) !== undefined);
  return dir === undefined ? '0.0.0' : (packageVersion(dir) as string);
}

export const VERSION = readVersion();
