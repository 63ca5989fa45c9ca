/**
 * What `wattgate demo` checks before it touches a data directory (issue 13).
 * The demo writes its own configuration over whatever the directory holds, so:
 *
 * 1. it takes the directory's instance lock first (core/instance-lock.ts):
 *    a Wattgate already running there stops the demo at once (exit 2);
 * 2. a directory the demo used before carries the marker file `demo`; the
 *    demo may replace that configuration;
 * 3. a directory without the marker whose settings database holds a stored
 *    configuration (revision > 0: commissioned, or imported) is refused with
 *    exit 2 and nothing touched — it is a real installation's;
 * 4. otherwise (new or empty directory) the marker is written and the demo
 *    goes on.
 *
 * The check reads the stored revision without opening a configuration store
 * (no migrations, no write): a database from another release is refused the
 * same way rather than upgraded by a demo.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigStore } from '../config/index.js';
import { dataPath, ensureDataDir } from '../core/data-dir.js';
import { acquireInstanceLock, type InstanceLock } from '../core/instance-lock.js';
import { openDatabase, writeFileAtomic } from '../db/index.js';
import { CliError } from './cli-error.js';

const MARKER_TEXT =
  'This data directory is used by `wattgate demo`, which replaces its configuration at every start.\n' +
  'Remove this file to protect the directory from the demo.\n';

/** The stored configuration revision of the directory's settings database (0: none). */
function storedRevision(dataDir: string): number {
  const path = dataPath(dataDir, 'settingsDb');
  if (!existsSync(path)) return 0;
  const db = openDatabase({ path, profile: 'durable' });
  try {
    return ConfigStore.storedRevision(db);
  } finally {
    db.close();
  }
}

/**
 * Prepares a data directory for the demo and returns its instance lock (hand
 * it to createApp). Throws CONFLICT when another Wattgate holds the directory,
 * CliError (exit 2) when it holds a configuration the demo did not write.
 */
export function claimDemoDataDir(dataDir: string): InstanceLock {
  ensureDataDir(dataDir);
  const lock = acquireInstanceLock(dataDir, { purpose: 'demo' });
  try {
    const marker = dataPath(dataDir, 'demoMarker');
    if (!existsSync(marker)) {
      const revision = storedRevision(dataDir);
      if (revision > 0) {
        throw new CliError(
          `${resolve(dataDir)} holds a configuration (revision ${revision}) that the demo did not write; ` +
            'the demo would replace it, so it refuses. Run the demo without --data-dir (a throw-away ' +
            `directory) or with a new one; if this is a demo directory of an older release, create the file ${marker}`,
        );
      }
      writeFileAtomic(marker, MARKER_TEXT);
    }
    return lock;
  } catch (e) {
    lock.release();
    throw e;
  }
}
