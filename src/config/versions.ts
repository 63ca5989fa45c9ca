/**
 * Explicit configuration version migrations (ARCHITECTURE convention 5).
 * `UPGRADES[v]` turns a version-v configuration into version v+1; a stored
 * document or an imported file of an older version goes through every step
 * up to CONFIG_SCHEMA_VERSION before validation. Newer versions are refused:
 * this release cannot know what they mean.
 *
 * To change the schema: bump CONFIG_SCHEMA_VERSION and add `UPGRADES[old]`.
 */
import { ErrorCodes, type ErrorDetail, WattgateError } from '../shared/errors.js';
import { CONFIG_SCHEMA_VERSION } from './schema.js';
import { upgradeToVersion2 } from './upgrade-2.js';

export type ConfigUpgrade = (config: unknown) => unknown;

/** Version 1 → 2: one device, one place (upgrade-2.ts). */
export const UPGRADES: Readonly<Record<number, ConfigUpgrade>> = { 1: upgradeToVersion2 };

export const OLDEST_SUPPORTED_VERSION = 1;

/** A reason the version cannot be migrated, or undefined when it can. */
export function versionProblem(version: unknown, path: string): ErrorDetail | undefined {
  if (typeof version !== 'number' || !Number.isInteger(version)) {
    return { path, message: 'must be an integer schema version' };
  }
  if (version > CONFIG_SCHEMA_VERSION) {
    return {
      path,
      message: `version ${version} is newer than this release supports (${CONFIG_SCHEMA_VERSION})`,
    };
  }
  if (version < OLDEST_SUPPORTED_VERSION) {
    return {
      path,
      message: `version ${version} is older than the oldest supported (${OLDEST_SUPPORTED_VERSION})`,
    };
  }
  return undefined;
}

/** Upgrades a configuration from `version` to the current one (caller checked versionProblem). */
export function upgradeConfig(config: unknown, version: number, upgrades = UPGRADES): unknown {
  let out = config;
  for (let v = version; v < CONFIG_SCHEMA_VERSION; v++) {
    const step = upgrades[v];
    if (!step) throw new WattgateError(ErrorCodes.UNSUPPORTED, `no configuration upgrade from version ${v}`);
    out = step(out);
  }
  return out;
}
