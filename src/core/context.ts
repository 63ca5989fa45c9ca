/**
 * The application context (ARCHITECTURE convention 8): what the composition
 * root (app.ts, parts.ts) holds and hands out in slices. A part never receives
 * it whole: it gets a context of its own with a child logger, the injected
 * clock, the live `ConfigView` of its configuration section(s)
 * (shared/config-view.ts) and an event sink typed by the events it publishes
 * (each part owns its events type, e.g. acquisition/events.ts); the root
 * creates one channel per publishing part and wires each consumer to it.
 *
 * `events` here carries only the application's own lifecycle (started,
 * stopping), which the audit log records.
 */
import type Database from 'better-sqlite3';
import type { ConfigStore } from '../config/index.js';
import type { Installation } from '../db/index.js';
import type { Clock } from '../shared/clock.js';
import type { TypedEvents } from '../shared/events.js';
import type { AppLifecycleEvents } from '../shared/lifecycle.js';
import type { Logger } from '../shared/logger.js';

export type { AppLifecycleEvents } from '../shared/lifecycle.js';

export interface AppContext {
  readonly version: string;
  readonly dataDir: string;
  readonly log: Logger;
  readonly clock: Clock;
  readonly events: TypedEvents<AppLifecycleEvents>;
  /** The settings database (durable profile). Other stores open their own files. */
  readonly db: Database.Database;
  readonly config: ConfigStore;
  /** Serial number and id of this installation (created at first start). */
  readonly installation: Installation;
}
