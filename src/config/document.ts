/**
 * The import/export document (provisioning, backup): the whole configuration
 * wrapped with its format name and schema version,
 * `{ format: 'wattgate-config', version, exportedAt, config }`.
 * `parseDocument` checks the envelope, refuses unknown formats and newer
 * versions, and upgrades older ones explicitly (versions.ts); the inner
 * `config` is then validated by the one schema like any other write.
 */
import Type from 'typebox';
import { ErrorCodes, hasCode } from '../shared/errors.js';
import { invalidConfig, schemaErrors } from './messages.js';
import { CONFIG_SCHEMA_VERSION, type Config } from './schema.js';
import { upgradeConfig, versionProblem } from './versions.js';

export const CONFIG_DOCUMENT_FORMAT = 'wattgate-config' as const;

export const ConfigDocumentEnvelope = Type.Object(
  {
    format: Type.Literal(CONFIG_DOCUMENT_FORMAT),
    version: Type.Integer({ minimum: 1 }),
    exportedAt: Type.Optional(Type.String({ maxLength: 64 })),
    config: Type.Unknown(),
  },
  { additionalProperties: false },
);

export interface ConfigDocument {
  format: typeof CONFIG_DOCUMENT_FORMAT;
  version: number;
  /** UTC ISO-8601 time of the export. */
  exportedAt: string;
  config: Config;
}

export function makeDocument(config: Config, exportedAtMs: number): ConfigDocument {
  return {
    format: CONFIG_DOCUMENT_FORMAT,
    version: CONFIG_SCHEMA_VERSION,
    exportedAt: new Date(exportedAtMs).toISOString(),
    config,
  };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Checks the envelope and returns the inner configuration upgraded to the
 * current version (still unvalidated). Throws WattgateError(INVALID_CONFIG).
 */
export function parseDocument(doc: unknown): unknown {
  const what = 'invalid configuration document';
  if (isRecord(doc) && doc.format !== CONFIG_DOCUMENT_FORMAT) {
    throw invalidConfig(what, [{ path: '/format', message: `must be "${CONFIG_DOCUMENT_FORMAT}"` }]);
  }
  const version = isRecord(doc) ? versionProblem(doc.version, '/version') : undefined;
  if (version) throw invalidConfig(what, [version]);
  const envelope = schemaErrors(ConfigDocumentEnvelope, doc);
  if (envelope.length > 0) throw invalidConfig(what, envelope);
  const { version: v, config } = doc as { version: number; config: unknown };
  try {
    return upgradeConfig(config, v);
  } catch (e) {
    if (hasCode(e, ErrorCodes.INVALID_CONFIG)) throw e;
    throw invalidConfig(what, [
      { path: '/config', message: `cannot be upgraded from version ${v}: ${(e as Error).message}` },
    ]);
  }
}
