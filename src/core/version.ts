/** The running release's version, read once from package.json. */
import { readFileSync } from 'node:fs';

function readVersion(): string {
  const url = new URL('../../package.json', import.meta.url);
  try {
    const pkg = JSON.parse(readFileSync(url, 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}

export const VERSION = readVersion();
