/**
 * Unit 0, broadcast (PRODUCT G8), as a UnitTarget over the serial lines.
 *
 * The router answers non-write codes to unit 0 with 01 before they get here.
 * A write goes to every enabled line with `broadcast: true` (default false: a
 * stray unit-0 write from a SCADA must not reach every slave of a panel
 * unless the operator asked for it), through each line's queue like any
 * request, without waiting for a reply (slaves never answer a broadcast).
 * Once the frame has left the wire of at least one line, the TCP client gets
 * the normal write echo: FC 5, 6, 21 and 22 echo the request PDU, FC 15 and
 * 16 answer function code + address + quantity. Each line then stays silent
 * `broadcastDelayMs` (default 100 ms) so that slaves act before the next
 * frame. FC 23 (read/write) has nothing to read back from a broadcast → 01.
 * No line with broadcast on → 0x0A; every line failing → the first error.
 */
import { ExceptionCodes, encodeException } from '../protocol/modbus/index.js';
import { ErrorCodes, WattgateError } from '../shared/errors.js';
import type { SerialLineTarget } from './serial-line-target.js';
import type { TargetRequest, UnitTarget } from './target.js';

/** The normal response to a write request PDU, or undefined when it has none for a broadcast. */
export function broadcastEcho(pdu: Uint8Array): Uint8Array | undefined {
  const fc = pdu[0] ?? 0;
  if (fc === 5 || fc === 6 || fc === 21 || fc === 22) return pdu.slice();
  if (fc === 15 || fc === 16) return pdu.slice(0, 5);
  return undefined;
}

export class SerialBroadcastTarget implements UnitTarget {
  readonly kind = 'serial-line' as const;
  readonly name = 'broadcast';
  readonly #lines: () => readonly SerialLineTarget[];

  /** `lines`: the current serial line targets (the routing table's). */
  constructor(lines: () => readonly SerialLineTarget[]) {
    this.#lines = lines;
  }

  async handle(req: TargetRequest): Promise<Uint8Array> {
    const fc = req.pdu[0] ?? 0;
    const echo = broadcastEcho(req.pdu);
    if (echo === undefined) return encodeException(fc, ExceptionCodes.ILLEGAL_FUNCTION);
    const lines = this.#lines().filter((l) => l.config.broadcast && l.config.enabled);
    if (lines.length === 0) {
      throw new WattgateError(ErrorCodes.UNAVAILABLE, 'broadcast: no serial line has broadcast enabled');
    }
    const results = await Promise.allSettled(lines.map((l) => l.broadcast(req.pdu, { signal: req.signal })));
    if (results.some((r) => r.status === 'fulfilled')) return echo;
    throw (results[0] as PromiseRejectedResult).reason;
  }
}
