/**
 * The logger shape every part receives (a subset of pino's, so tests can pass a
 * collecting logger without importing pino). The concrete pino logger is built
 * in src/core/logging.ts.
 */

export interface LogFn {
  (msg: string): void;
  (obj: object, msg?: string): void;
}

export interface Logger {
  error: LogFn;
  warn: LogFn;
  info: LogFn;
  debug: LogFn;
  trace: LogFn;
  child(bindings: Record<string, unknown>): Logger;
}

/** A logger that drops everything: for tests that do not look at logs. */
export const silentLogger: Logger = {
  error: () => {},
  warn: () => {},
  info: () => {},
  debug: () => {},
  trace: () => {},
  child: () => silentLogger,
};
