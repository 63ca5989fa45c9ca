/**
 * Placeholder targets for a router built without a serial line factory
 * (`RouterOptions.createSerialLineTarget` absent: unit tests, benchmarks that
 * have no serial lines). They keep the routing table honest — a unit id that
 * belongs to a serial line is owned, so it is never mistaken for "no route" —
 * and answer exception 0x0A (gateway path unavailable, PRODUCT G4):
 *
 * - `SerialLinePlaceholderTarget`: one per `modbus.serialLines[i]`, serving its
 *   `unitIds`. The real target is serial-line-target.ts, injected through the
 *   gateway context (`createSerialLineTarget`, wired in app.ts).
 * - `broadcastPlaceholder`: unit 0 writes → 0x0A. The real one is
 *   serial-broadcast.ts.
 */
import { ErrorCodes, WattgateError } from '../shared/errors.js';
import type { Part } from '../shared/lifecycle.js';
import type { TargetRequest, UnitTarget } from './target.js';

export class SerialLinePlaceholderTarget implements UnitTarget, Part {
  readonly kind = 'serial-line';
  readonly name: string;

  constructor(lineName: string) {
    this.name = `serial-line-placeholder:${lineName}`;
  }

  start(): void {}

  stop(): void {}

  handle(_req: TargetRequest): Promise<Uint8Array> {
    return Promise.reject(
      new WattgateError(ErrorCodes.UNAVAILABLE, `${this.name}: no serial line implementation was injected`),
    );
  }
}

/** Unit 0 writes: no serial line implementation to broadcast on yet → 0x0A. */
export const broadcastPlaceholder: UnitTarget = {
  kind: 'serial-line',
  name: 'broadcast-placeholder',
  handle: () =>
    Promise.reject(
      new WattgateError(ErrorCodes.UNAVAILABLE, 'broadcast: no serial line implementation was injected'),
    ),
};
