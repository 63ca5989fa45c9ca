/**
 * pino logging (ARCHITECTURE convention 12): one root logger, a child per
 * component (`component` binding), secrets redacted by configuration so a
 * password, token, private key or device code never reaches a log line even
 * when a whole object is logged. The audit log is a separate store, not this.
 */

import type { DestinationStream, LevelWithSilent, Logger as PinoLogger } from 'pino';
import { pino } from 'pino';
import type { Logger } from '../shared/logger.js';

/** Property names whose values are never written to the log. */
export const SECRET_KEYS = [
  'password',
  'newPassword',
  'currentPassword',
  'secret',
  'token',
  'apiToken',
  'privateKey',
  'passphrase',
  'deviceCode',
  'cookie',
  'authorization',
] as const;

/** pino redact paths: the secret names at the top level and up to three levels deep. */
export function redactPaths(): string[] {
  const paths: string[] = [];
  for (const k of SECRET_KEYS) {
    paths.push(k, `*.${k}`, `*.*.${k}`, `*.*.*.${k}`);
  }
  paths.push('req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]');
  return paths;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LoggingOptions {
  level: LogLevel;
  /** Where lines go; stdout by default, written synchronously so nothing is lost at exit (journald captures it). */
  destination?: DestinationStream;
}

/**
 * Wraps pino so that nested components form one path ("modbus/modbus-gateway/tcp")
 * instead of repeating the `component` key once per level, which pino would do.
 */
function wrap(root: PinoLogger, bindings: Record<string, unknown>): Logger {
  const p = Object.keys(bindings).length > 0 ? root.child(bindings) : root;
  return {
    error: p.error.bind(p) as Logger['error'],
    warn: p.warn.bind(p) as Logger['warn'],
    info: p.info.bind(p) as Logger['info'],
    debug: p.debug.bind(p) as Logger['debug'],
    trace: p.trace.bind(p) as Logger['trace'],
    child(more) {
      const next = { ...bindings, ...more };
      if (typeof more.component === 'string' && typeof bindings.component === 'string') {
        next.component = `${bindings.component}/${more.component}`;
      }
      return wrap(root, next);
    },
  };
}

export function createLogger(opts: LoggingOptions): Logger {
  const root = pino(
    {
      level: opts.level as LevelWithSilent,
      base: { service: 'wattgate' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: redactPaths(), censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
    },
    opts.destination ?? pino.destination({ dest: 1, sync: true }),
  );
  return wrap(root, {});
}

/** A child logger for one component; every line carries `component`. */
export function componentLogger(root: Logger, component: string): Logger {
  return root.child({ component });
}
