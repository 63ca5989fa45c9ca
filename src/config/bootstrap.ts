/**
 * The bootstrap file (ARCHITECTURE convention 16): the little that is needed
 * before the settings database opens — the data directory and the log level —
 * and nothing else. JSON with its own tiny schema, unknown properties refused.
 *
 * Where: `loadBootstrap(path)`, else $WATTGATE_BOOTSTRAP, else
 * /etc/wattgate/bootstrap.json. A missing file means "all defaults" (first
 * start); an unreadable, non-JSON or invalid file is WattgateError(INVALID_CONFIG).
 * Environment overrides (validated the same way): WATTGATE_DATA_DIR,
 * WATTGATE_LOG_LEVEL. Defaults: dataDir /var/lib/wattgate (the service's
 * StateDirectory), logLevel info. `saveBootstrap` writes atomically.
 */
import { readFileSync } from 'node:fs';
import type { Static } from 'typebox';
import Type from 'typebox';
import { Value } from 'typebox/value';
import { writeFileAtomic } from '../db/atomic-file.js';
import type { ErrorDetail } from '../shared/errors.js';
import { invalidConfig, schemaErrors } from './messages.js';

export const DEFAULT_BOOTSTRAP_PATH = '/etc/wattgate/bootstrap.json';
export const DEFAULT_DATA_DIR = '/var/lib/wattgate';
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export const BootstrapSchema = Type.Object(
  {
    /** Absolute path of the data directory (owned by the service account, 0700). */
    dataDir: Type.String({ minLength: 2, maxLength: 4096, pattern: '^/', default: DEFAULT_DATA_DIR }),
    logLevel: Type.Enum([...LOG_LEVELS], { default: 'info' }),
  },
  { additionalProperties: false },
);

export type Bootstrap = Static<typeof BootstrapSchema>;
export type BootstrapLogLevel = Bootstrap['logLevel'];

const ENV_OVERRIDES = [
  ['WATTGATE_DATA_DIR', 'dataDir'],
  ['WATTGATE_LOG_LEVEL', 'logLevel'],
] as const;

function readJson(path: string): { found: boolean; value: unknown } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { found: false, value: {} };
    throw invalidConfig(`bootstrap file ${path}`, [
      { path: '/', message: `cannot be read (${(e as Error).message})` },
    ]);
  }
  try {
    return { found: true, value: JSON.parse(text) };
  } catch (e) {
    throw invalidConfig(`bootstrap file ${path}`, [
      { path: '/', message: `must be JSON (${(e as Error).message})` },
    ]);
  }
}

function check(value: unknown, what: string, envNames: ReadonlyMap<string, string>): Bootstrap {
  const details: ErrorDetail[] = schemaErrors(BootstrapSchema, value).map((d) => {
    const env = envNames.get(d.path);
    return env ? { path: d.path, message: `${d.message} (from ${env})` } : d;
  });
  if (details.length > 0) throw invalidConfig(what, details);
  return Object.freeze(value as Bootstrap);
}

/**
 * Reads the bootstrap file, fills defaults, applies environment overrides,
 * validates. Throws WattgateError(INVALID_CONFIG) naming path and rule.
 */
export function loadBootstrap(path?: string, env: NodeJS.ProcessEnv = process.env): Bootstrap {
  const file = path ?? env.WATTGATE_BOOTSTRAP ?? DEFAULT_BOOTSTRAP_PATH;
  const { value } = readJson(file);
  const envNames = new Map<string, string>();
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const obj = value as Record<string, unknown>;
    for (const [name, key] of ENV_OVERRIDES) {
      const v = env[name];
      if (v === undefined || v === '') continue;
      obj[key] = v;
      envNames.set(`/${key}`, name);
    }
  }
  return check(Value.Default(BootstrapSchema, value), `bootstrap file ${file}`, envNames);
}

/** Validates and writes the bootstrap file atomically (temp + fsync + rename), mode 0644. */
export function saveBootstrap(path: string, value: unknown): Bootstrap {
  let copy: unknown;
  try {
    copy = value === undefined ? value : JSON.parse(JSON.stringify(value));
  } catch (e) {
    throw invalidConfig(`bootstrap for ${path}`, [
      { path: '/', message: `must be plain JSON (${(e as Error).message})` },
    ]);
  }
  const valid = check(Value.Default(BootstrapSchema, copy), `bootstrap for ${path}`, new Map());
  writeFileAtomic(path, `${JSON.stringify(valid, null, 2)}\n`, { mode: 0o644 });
  return valid;
}
