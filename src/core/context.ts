/**
 * The context objects (ARCHITECTURE convention 8). The composition root builds
 * one `AppContext`; each part receives a `PartContext` for its own slice of the
 * configuration: a child logger, the injected clock, the event bus, and a live
 * view of its configuration section that it subscribes to for live changes
 * (convention 17) instead of long positional parameter lists.
 */
import type Database from 'better-sqlite3';
import type { AcquisitionEvents } from '../acquisition/events.js';
import type { Config, ConfigStore } from '../config/index.js';
import type { Installation } from '../db/index.js';
import type { HistoryEvents } from '../history/part.js';
import type { InputsEvents } from '../inputs/events.js';
import type { ModbusEvents } from '../modbus/events.js';
import type { Clock } from '../shared/clock.js';
import type { TypedEvents } from '../shared/events.js';
import type { Logger } from '../shared/logger.js';
import type { WirelessEvents } from '../wireless/events.js';

/** Events every part may publish or observe. Later capabilities add theirs here. */
export interface AppEvents
  extends Record<string, unknown>,
    ModbusEvents,
    WirelessEvents,
    InputsEvents,
    AcquisitionEvents,
    HistoryEvents {
  'app.started': { version: string };
  'app.stopping': { reason: string };
}

export interface AppContext {
  readonly version: string;
  readonly dataDir: string;
  readonly log: Logger;
  readonly clock: Clock;
  readonly events: TypedEvents<AppEvents>;
  /** The settings database (durable profile). Other stores open their own files. */
  readonly db: Database.Database;
  readonly config: ConfigStore;
  /** Serial number and id of this installation (created at first start). */
  readonly installation: Installation;
}

export interface ConfigView<S> {
  get(): S;
  /** Called with the new and previous slice when this section changes; returns an unsubscribe. */
  subscribe(fn: (next: S, prev: S) => void | Promise<void>): () => void;
}

export interface PartContext<K extends keyof Config> {
  readonly log: Logger;
  readonly clock: Clock;
  readonly events: TypedEvents<AppEvents>;
  readonly config: ConfigView<Config[K]>;
  readonly dataDir: string;
}

/** A live view of one configuration section. */
export function configView<K extends keyof Config>(app: AppContext, section: K): ConfigView<Config[K]> {
  return {
    get: () => app.config.section(section),
    subscribe: (fn) => app.config.subscribe(section, fn),
  };
}

export function partContext<K extends keyof Config>(
  app: AppContext,
  component: string,
  section: K,
): PartContext<K> {
  return {
    log: app.log.child({ component }),
    clock: app.clock,
    events: app.events,
    dataDir: app.dataDir,
    config: configView(app, section),
  };
}
