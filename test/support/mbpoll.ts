/**
 * Debian's mbpoll as a real Modbus TCP master in tests: one poll (`-1`) of
 * holding registers, or a write of `writes` starting at `ref`. References are
 * 1-based unless `zeroBased` (mbpoll's `-0`). Run with async execFile so the
 * in-process server under test keeps answering.
 */
import assert from 'node:assert/strict';
import { execFileAsync } from './peers.js';

export interface MbpollOptions {
  readonly port: number;
  /** mbpoll's response timeout, seconds (`-o`); default 2. */
  readonly timeoutS?: number;
  readonly zeroBased?: boolean;
}

/** Reads `count` holding registers from `ref`, or writes `writes` there (then resolves []). */
export async function mbpollTcp(
  opts: MbpollOptions,
  unit: number,
  ref: number,
  count: number,
  writes: readonly number[] = [],
): Promise<number[]> {
  const args = ['-m', 'tcp', '-p', String(opts.port), '-a', String(unit), '-r', String(ref), '-1'];
  args.push('-o', String(opts.timeoutS ?? 2));
  if (opts.zeroBased) args.push('-0');
  if (writes.length === 0) args.push('-c', String(count));
  const { stdout } = await execFileAsync('mbpoll', [...args, '127.0.0.1', ...writes.map(String)], {
    timeout: 20_000,
  });
  if (writes.length > 0) {
    assert.match(stdout, new RegExp(`Written ${writes.length} reference`));
    return [];
  }
  return [...stdout.matchAll(/^\[(\d+)\]:\s+(-?\d+)/gm)].map((m) => Number(m[2]));
}
