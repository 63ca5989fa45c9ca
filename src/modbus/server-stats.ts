/**
 * Counters of the Modbus TCP server (later Prometheus metrics, PRODUCT X2):
 * requests, answers, exceptions by code, per-unit counts and framing drops.
 * Plain objects; `snapshot()` returns copies.
 */

export interface UnitCounters {
  /** Requests addressed to this unit id. */
  requests: number;
  /** Exception responses sent for it (local or from its target). */
  exceptions: number;
}

export interface ModbusServerStats {
  /** Request ADUs parsed (protocol id 0), whatever became of them. */
  requests: number;
  /** Response ADUs sent (normal or exception). */
  responses: number;
  /** Exception responses sent, by exception code (1 = illegal function … 0x0B). */
  exceptions: Record<number, number>;
  /** Requests answered with nothing: the client went away, or the target aborted. */
  unanswered: number;
  /** Requests refused with 0x06 because the connection had `maxPendingPerConnection` in flight. */
  pendingCapRejected: number;
  /** Frames skipped because their protocol id was not 0 (nothing sent). */
  protocolIdDropped: number;
  /** Connections closed for a fatal MBAP length (0, 1, > 254). */
  badLengthClosed: number;
  /** Per unit id. */
  units: Record<number, UnitCounters>;
}

export class ModbusStatsRecorder {
  readonly #s: ModbusServerStats = {
    requests: 0,
    responses: 0,
    exceptions: {},
    unanswered: 0,
    pendingCapRejected: 0,
    protocolIdDropped: 0,
    badLengthClosed: 0,
    units: {},
  };

  #unit(unitId: number): UnitCounters {
    let u = this.#s.units[unitId];
    if (u === undefined) {
      u = { requests: 0, exceptions: 0 };
      this.#s.units[unitId] = u;
    }
    return u;
  }

  request(unitId: number): void {
    this.#s.requests++;
    this.#unit(unitId).requests++;
  }

  /** Counts one sent response PDU (an exception when the function code has 0x80). */
  response(unitId: number, pdu: Uint8Array): void {
    this.#s.responses++;
    const fc = pdu[0] ?? 0;
    if ((fc & 0x80) === 0 || pdu.length !== 2) return;
    const code = pdu[1] ?? 0;
    this.#s.exceptions[code] = (this.#s.exceptions[code] ?? 0) + 1;
    this.#unit(unitId).exceptions++;
  }

  unanswered(): void {
    this.#s.unanswered++;
  }

  pendingCapRejected(): void {
    this.#s.pendingCapRejected++;
  }

  protocolIdDropped(): void {
    this.#s.protocolIdDropped++;
  }

  badLengthClosed(): void {
    this.#s.badLengthClosed++;
  }

  snapshot(): ModbusServerStats {
    const units: Record<number, UnitCounters> = {};
    for (const [id, u] of Object.entries(this.#s.units)) units[Number(id)] = { ...u };
    return { ...this.#s, exceptions: { ...this.#s.exceptions }, units };
  }
}
