/**
 * Where the built-in templates are: the nearest `templates/` above this file —
 * `dist/templates/` in a build (scripts/copy-assets.mjs copies it), the
 * repository's `templates/` when running from source (tsx).
 */
import { dirname, join } from 'node:path';
import { findUpPath } from '../../db/release-files.js';
import { ErrorCodes, WattgateError } from '../../shared/errors.js';

export function builtInTemplatesDir(): string {
  const schema = findUpPath(import.meta.url, join('templates', 'schema.json'));
  if (schema !== undefined) return `${dirname(schema)}/`;
  throw new WattgateError(
    ErrorCodes.NOT_FOUND,
    'the built-in device templates folder (templates/) is missing',
  );
}
