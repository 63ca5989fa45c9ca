/**
 * The publication cursor (PRODUCT P3; docs/history.md, "Publication"). A
 * position is a flush commit number: monotonic, never reused, independent of
 * timestamps. `readAfter(p)` returns the points of the commits after p from
 * the staging log, in commit order (within a commit: series after series,
 * each in insertion order), cut after whole commits once `maxPoints` is
 * reached. A publisher publishes them, then acknowledges `next`; the store
 * keeps every point a registered publisher has not acknowledged (up to the
 * backlog limit, whose overflow raises `unpublished-dropped` before dropping).
 */
import { ErrorCodes, WattgateError } from '../shared/errors.js';
import { decodeBatch } from './codec/batch-codec.js';
import type { Statements } from './statements.js';
import type { CursorPoint, CursorRead, PublisherInfo } from './types.js';

export const PUBLISHER_NAME_PATTERN = '^[a-z0-9][a-z0-9_.-]{0,63}$';
const NAME_RE = new RegExp(PUBLISHER_NAME_PATTERN);

export function checkPublisherName(name: string): void {
  if (!NAME_RE.test(name)) {
    throw new WattgateError(
      ErrorCodes.INVALID_ARGUMENT,
      `invalid publisher name (expected ${PUBLISHER_NAME_PATTERN})`,
    );
  }
}

/** Registered publishers and their acknowledged positions (memory mirrors the table). */
export class PublisherRegistry {
  readonly #st: Statements;
  readonly #acks = new Map<string, number>();

  constructor(st: Statements) {
    this.#st = st;
    for (const p of this.list()) this.#acks.set(p.name, p.acked);
  }

  get acks(): ReadonlyMap<string, number> {
    return this.#acks;
  }

  /** Registers `name` at `start` unless it exists; returns its acknowledged position. */
  register(name: string, start: number, now: number): number {
    checkPublisherName(name);
    const existing = this.#acks.get(name);
    if (existing !== undefined) return existing;
    this.#st.upsertPublisher.run(name, start, now);
    this.#acks.set(name, start);
    return start;
  }

  remove(name: string): boolean {
    this.#st.deletePublisher.run(name);
    return this.#acks.delete(name);
  }

  /** Moves the acknowledged position forward (never back, never past `commit`); true when it moved. */
  ack(name: string, position: number, commit: number): boolean {
    const acked = this.#acks.get(name);
    if (acked === undefined) throw new WattgateError(ErrorCodes.NOT_FOUND, `no publisher named ${name}`);
    if (!Number.isInteger(position))
      throw new WattgateError(ErrorCodes.INVALID_ARGUMENT, 'position must be an integer');
    const next = Math.min(Math.max(acked, position), commit);
    if (next === acked) return false;
    this.#st.ackPublisher.run(next, name);
    this.#acks.set(name, next);
    return true;
  }

  list(): PublisherInfo[] {
    return this.#st.publishers.all() as PublisherInfo[];
  }
}

export interface CursorContext {
  st: Statements;
  /** Series id by key. */
  idOf: (key: number) => string | undefined;
  /** Last commit written. */
  commit: number;
  /** Highest commit whose staging row is gone (pruned or dropped). */
  prunedThrough: number;
}

export function readAfter(ctx: CursorContext, position: number, maxPoints: number): CursorRead {
  if (!(Number.isInteger(position) && position >= 0)) {
    throw new WattgateError(ErrorCodes.INVALID_ARGUMENT, 'position must be an integer ≥ 0');
  }
  const limit = Math.max(1, Math.floor(maxPoints));
  const gap = position < ctx.prunedThrough ? { from: position + 1, to: ctx.prunedThrough } : null;
  const points: CursorPoint[] = [];
  let next = Math.max(position, gap ? gap.to : position);
  let more = false;
  const rows = ctx.st.stagingAfter.iterate(position) as Iterable<{ commitNo: number; data: Uint8Array }>;
  for (const row of rows) {
    if (points.length >= limit) {
      more = true;
      break;
    }
    for (const g of decodeBatch(row.data)) {
      const series = ctx.idOf(g.key) ?? `#${g.key}`;
      for (let i = 0; i < g.cols.n; i++) {
        points.push({
          position: row.commitNo,
          series,
          t: g.cols.t[i] as number,
          value: g.cols.v[i] as number,
          quality: g.cols.q[i] as number,
        });
      }
    }
    next = row.commitNo;
  }
  if (!more) next = Math.max(next, ctx.commit);
  return { points, next, more, gap };
}
