/**
 * What the main thread and the web worker say to each other (issue 14: the
 * HTTPS server runs in its own thread, so the Modbus path never waits behind
 * web work). Every call goes through Rpc (shared/rpc.ts: bounded, with
 * timeouts); these are its names and the data the worker starts with.
 *
 * Main answers (handlers.ts): the devices service, the wireless part, the
 * model catalog, the history store's in-memory snapshot/status/cursor, the
 * health board, the Modbus diagnostics.
 * Main tells (notify): a configuration section the worker follows changed.
 * The worker answers: `web.stop`, `web.addresses`; it tells `log` lines.
 */
import type { Config } from '../config/schema.js';
import type { Installation } from '../db/index.js';

/** The configuration sections the worker follows (its memory views, updated by `config.section`). */
export const WORKER_SECTIONS = ['web', 'networks', 'system', 'audit'] as const;
export type WorkerSection = (typeof WORKER_SECTIONS)[number];

export interface WebWorkerData {
  readonly dataDir: string;
  readonly version: string;
  readonly installation: Installation;
  /** The worker logs at this level and above (forwarded to main's logger). */
  readonly logLevel: string;
  /** Niceness of the worker thread (the Modbus path keeps its priority). */
  readonly nice: number;
  readonly sections: Pick<Config, WorkerSection>;
  readonly portOverride?: number;
  readonly hostsOverride?: readonly string[];
}

/** Calls main answers. */
export const MAIN_CALLS = {
  devices: [
    'list',
    'get',
    'add',
    'update',
    'remove',
    'latest',
    'latestAll',
    'watch',
    'renewWatch',
    'endWatch',
    'discover',
    'discovery',
    'cancelDiscovery',
  ],
  wireless: ['overview', 'permitJoin', 'remove', 'rebuildNetwork'],
  models: ['summaries', 'require', 'isBuiltIn', 'isCustom', 'importCustom', 'removeCustom', 'usedBy'],
  history: ['snapshot', 'status', 'readAfter'],
  health: ['report'],
  modbus: ['diagnostics'],
  config: ['sections', 'read', 'write', 'check'],
  process: ['stats'],
  system: ['restart'],
} as const;

export type Service = keyof typeof MAIN_CALLS;

/** The rpc name of a service's method: `devices.list`. */
export const callName = (service: Service, method: string): string => `${service}.${method}`;

export interface LogLine {
  readonly level: 'error' | 'warn' | 'info' | 'debug' | 'trace';
  readonly bindings: Record<string, unknown>;
  readonly obj: unknown;
  readonly msg: string | undefined;
}

export interface SectionChange {
  readonly section: WorkerSection;
  readonly value: unknown;
}
