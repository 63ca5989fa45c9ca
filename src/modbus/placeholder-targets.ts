/**
 * Placeholder targets for paths Wattgate does not implement yet. They keep
 * the routing table honest — a unit id that belongs to a serial line is
 * owned, so it is never mistaken for "no route" — and answer exception 0x0A
 * (gateway path unavailable, PRODUCT G4) until the real target lands:
 *
 * - `SerialLinePlaceholderTarget`: one per `modbus.serialLines[i]`, serving its
 *   `unitIds`. Serial lines (RTU master, per-line queue, G5) are a later
 *   issue; replace this class in `router.ts#buildTable` then.
 * - Broadcast (unit 0, G8) writes would go to every serial line without
 *   waiting for a reply; with no serial implementation the router answers
 *   0x0A for them through `broadcastPlaceholder`.
 */
import { ErrorCodes, WattgateError } from '../shared/errors.js';
import type { TargetRequest, UnitTarget } from './target.js';

export class SerialLinePlaceholderTarget implements UnitTarget {
  readonly kind = 'serial-line';
  readonly name: string;

  constructor(lineName: string) {
    this.name = `serial-line-placeholder:${lineName}`;
  }

  handle(_req: TargetRequest): Promise<Uint8Array> {
    return Promise.reject(
      new WattgateError(ErrorCodes.UNAVAILABLE, `${this.name}: serial lines are not implemented yet`),
    );
  }
}

/** Unit 0 writes: no serial line implementation to broadcast on yet → 0x0A. */
export const broadcastPlaceholder: UnitTarget = {
  kind: 'serial-line',
  name: 'broadcast-placeholder',
  handle: () =>
    Promise.reject(
      new WattgateError(ErrorCodes.UNAVAILABLE, 'broadcast: serial lines are not implemented yet'),
    ),
};
