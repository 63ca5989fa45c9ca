/**
 * Where the built-in templates are: `templates/` at the repository root when
 * running from source (tsx), `dist/templates/` in a build (scripts/copy-assets.mjs
 * copies it), else the repository's folder next to `dist/`.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ErrorCodes, WattgateError } from '../../shared/errors.js';

const CANDIDATES = ['../../../templates/', '../../../../templates/'];

export function builtInTemplatesDir(): string {
  for (const rel of CANDIDATES) {
    const dir = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(`${dir}schema.json`)) return dir;
  }
  throw new WattgateError(
    ErrorCodes.NOT_FOUND,
    'the built-in device templates folder (templates/) is missing',
  );
}
