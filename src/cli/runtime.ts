/**
 * What every CLI command needs before it does its work: the bootstrap file
 * (data directory, log level), command-line overrides, and a logger.
 */
import { pino } from 'pino';
import { type Bootstrap, loadBootstrap } from '../config/index.js';
import { createLogger, type LogLevel } from '../core/logging.js';
import type { Logger } from '../shared/logger.js';

export interface CommonOptions {
  bootstrap?: string;
  dataDir?: string;
  logLevel?: LogLevel;
}

export interface Runtime {
  bootstrap: Bootstrap;
  log: Logger;
}

/**
 * Reads the bootstrap file (`--bootstrap`, else WATTGATE_BOOTSTRAP, else the
 * default path), then applies command-line overrides. `toStderr` is for
 * commands whose stdout is data (config export).
 */
export function runtime(opts: CommonOptions, toStderr = false): Runtime {
  const loaded = loadBootstrap(opts.bootstrap);
  const bootstrap: Bootstrap = {
    ...loaded,
    ...(opts.dataDir === undefined ? {} : { dataDir: opts.dataDir }),
    ...(opts.logLevel === undefined ? {} : { logLevel: opts.logLevel }),
  };
  const log = createLogger({
    level: bootstrap.logLevel as LogLevel,
    ...(toStderr ? { destination: pino.destination({ dest: 2, sync: true }) } : {}),
  });
  return { bootstrap, log };
}
