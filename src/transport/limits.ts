/**
 * Connection-level limits of the TCP server (PRODUCT G7, SECURITY H3), with
 * their defaults and validation. The reference product does not publish its
 * upstream connection limit; these numbers are ours (document them in
 * docs/operations.md):
 *
 * - maxConnections 32: connections accepted at once across every endpoint;
 * - maxConnectionsPerSource 8: per peer address (IPv4-mapped IPv6 folded to IPv4);
 * - idleTimeoutMs 120 000: no byte received for 2 minutes → closed (0 = off);
 * - writeHighWaterBytes 64 KiB: above this many unsent bytes, reading pauses;
 * - maxWriteBufferBytes 1 MiB: above this many unsent bytes, the peer is closed.
 *
 * Lowering a cap live does not close connections already accepted; it applies
 * to the next accept. Idle and write bounds apply to open connections at once.
 */
import { ErrorCodes, type ErrorDetail, WattgateError } from '../shared/errors.js';

export interface ServerLimits {
  readonly maxConnections: number;
  readonly maxConnectionsPerSource: number;
  readonly idleTimeoutMs: number;
  readonly writeHighWaterBytes: number;
  readonly maxWriteBufferBytes: number;
}

export const DEFAULT_SERVER_LIMITS: ServerLimits = {
  maxConnections: 32,
  maxConnectionsPerSource: 8,
  idleTimeoutMs: 120_000,
  writeHighWaterBytes: 64 * 1024,
  maxWriteBufferBytes: 1024 * 1024,
};

/** Inclusive ranges, so a typo cannot turn a limit off. */
const RANGES: Record<keyof ServerLimits, readonly [number, number]> = {
  maxConnections: [1, 10_000],
  maxConnectionsPerSource: [1, 10_000],
  idleTimeoutMs: [0, 24 * 3600_000],
  writeHighWaterBytes: [16 * 1024, 64 * 1024 * 1024],
  maxWriteBufferBytes: [16 * 1024, 256 * 1024 * 1024],
};

/**
 * Merges `patch` over `base` and validates the result. Throws
 * WG_ERR_INVALID_ARGUMENT with one detail per bad field.
 */
export function resolveLimits(
  patch: Partial<ServerLimits>,
  base: ServerLimits = DEFAULT_SERVER_LIMITS,
): ServerLimits {
  const merged: ServerLimits = { ...base, ...patch };
  const details: ErrorDetail[] = [];
  for (const key of Object.keys(RANGES) as Array<keyof ServerLimits>) {
    const [min, max] = RANGES[key];
    const value = merged[key];
    if (!Number.isInteger(value) || value < min || value > max) {
      details.push({ path: `/${key}`, message: `must be an integer from ${min} to ${max}` });
    }
  }
  if (merged.maxWriteBufferBytes < merged.writeHighWaterBytes) {
    details.push({ path: '/maxWriteBufferBytes', message: 'must be at least writeHighWaterBytes' });
  }
  if (details.length > 0) {
    throw new WattgateError(ErrorCodes.INVALID_ARGUMENT, 'invalid connection limits', { details });
  }
  return merged;
}
