/** The running release's version, read once from package.json. */
import { readFileSync } from 'node:fs';

/** src/core/version.ts in a checkout, dist/src/core/version.js in a build: package.json is 2 or 3 levels up. */
function readVersion(): string {
  for (const rel of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as {
        name?: unknown;
        version?: unknown;
      };
      if (pkg.name === 'wattgate' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // not at this level
    }
  }
  return '0.0.0';
}

export const VERSION = readVersion();
