/**
 * Defaults of a serial line (the schema's, config/schema.ts `SerialLineSchema`)
 * as a value, for code that builds a line without going through the
 * configuration store: tests, benchmarks, the demo. `serialLineConfig({ name,
 * path, unitIds })` gives a complete `SerialLineConfig`.
 */
import type { SerialLineConfig } from '../config/schema.js';

export const SERIAL_LINE_DEFAULTS = {
  enabled: true,
  transport: 'serial',
  path: '',
  port: 502,
  baud: 19200,
  parity: 'even',
  stopBits: 1,
  timeoutMs: 1000,
  retries: 1,
  retryWrites: false,
  pauseMs: 0,
  maxQueue: 64,
  queueTimeoutMs: 5000,
  broadcast: false,
  broadcastDelayMs: 100,
  unitIds: [],
} as const satisfies Omit<SerialLineConfig, 'name' | 'host'>;

export function serialLineConfig(
  over: Partial<SerialLineConfig> & Pick<SerialLineConfig, 'name'>,
): SerialLineConfig {
  return { ...SERIAL_LINE_DEFAULTS, unitIds: [], ...over };
}
