/**
 * `wattgate config export|import|validate`: the whole configuration through the
 * one schema. Import validates everything first and applies nothing when any
 * rule fails, printing every failing path and rule. An import into the data
 * directory of a running Wattgate is applied by that process within about a
 * second (it watches the settings database, ConfigStore.refresh); the command
 * says so, naming the process from the instance lock.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { ConfigStore } from '../config/index.js';
import { dataPath, ensureDataDir } from '../core/data-dir.js';
import { describeHolder, instanceHolder } from '../core/instance-lock.js';
import { openDatabase } from '../db/index.js';
import { auditFromConfig } from '../security/audit/from-app.js';
import { isWattgateError } from '../shared/errors.js';
import { hostAudit } from './audit-commands.js';
import { CliError } from './cli-error.js';
import { type CommonOptions, runtime } from './runtime.js';

function withStore<T>(opts: CommonOptions, fn: (store: ConfigStore, dataDir: string) => T): T {
  const { bootstrap } = runtime(opts, true);
  ensureDataDir(bootstrap.dataDir);
  const db = openDatabase({ path: dataPath(bootstrap.dataDir, 'settingsDb'), profile: 'durable' });
  try {
    return fn(ConfigStore.open(db), bootstrap.dataDir);
  } finally {
    db.close();
  }
}

function readJsonFile(file: string): unknown {
  const text = file === '-' ? readFileSync(0, 'utf8') : readFileSync(file, 'utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new CliError(`${file}: not valid JSON (${(e as Error).message})`);
  }
}

/** Prints a WattgateError with every detail line, or rethrows anything else. */
export function explain(e: unknown): string {
  if (isWattgateError(e)) {
    if (e.details.length === 0) return `${e.code}: ${e.message}`;
    const head = `${e.code}: ${e.details.length} problem${e.details.length === 1 ? '' : 's'}, nothing applied`;
    return [head, ...e.details.map((d) => `  ${d.path || '/'}: ${d.message}`)].join('\n');
  }
  if (e instanceof CliError) return e.message;
  throw e;
}

export function exportConfig(opts: CommonOptions & { out?: string }): void {
  const doc = withStore(opts, (store) => store.exportDocument());
  const text = `${JSON.stringify(doc, null, 2)}\n`;
  if (opts.out) writeFileSync(opts.out, text, { mode: 0o600 });
  else process.stdout.write(text);
}

export function importConfig(file: string, opts: CommonOptions & { dryRun?: boolean }): string {
  const doc = readJsonFile(file);
  if (opts.dryRun) {
    // Validate by importing into a throw-away in-memory store: same code path, nothing touched.
    const mem = openDatabase({ path: ':memory:', profile: 'durable' });
    try {
      ConfigStore.open(mem).importDocument(doc, { actor: 'cli' });
    } finally {
      mem.close();
    }
    return `${file}: valid (nothing applied, --dry-run)`;
  }
  return withStore(opts, (store, dataDir) => {
    const change = store.importDocument(doc, { actor: 'cli', actorKind: 'host' });
    for (const entry of auditFromConfig(change, { actor: 'cli', actorKind: 'host' })) hostAudit(opts, entry);
    const sections = change.changedSections.join(', ') || 'none';
    const done = `${file}: imported as revision ${change.revision}; sections changed: ${sections}`;
    const running = change.changedSections.length > 0 ? instanceHolder(dataDir) : undefined;
    return running === undefined
      ? done
      : `${done}\nthe running Wattgate (${describeHolder(running)}) applies it within about a second`;
  });
}
