/**
 * Counters per unit id of one downstream link (issue 15 item 4: per
 * downstream device requests, timeouts, CRC errors): a serial line's slaves
 * (rtu-master.ts) and the unit ids behind one Modbus TCP endpoint
 * (tcp-master.ts). A configured device is one (link, unit) pair
 * (`locationKey`), so these are its counters whoever asked — upstream clients
 * through the gateway and the poller alike (modbus/diagnostics.ts).
 *
 * On the request path: a counter is one typed-array increment. The unit's
 * small array is made the first time the unit is seen (at most 256 per link,
 * 40 bytes each), never per request.
 *
 * - requests: handed to the link for that unit (broadcasts: unit 0);
 * - responses: replies from the device that answer the request, exception
 *   replies included;
 * - exceptions: of those, Modbus exception replies (the device said no);
 * - timeouts: requests that failed with TIMEOUT (no reply in time, expired in
 *   the queue, a backed-off serial slave failed fast);
 * - crcErrors (serial lines only): corrupt frames received from the slave,
 *   each attempt counted (retries, probes).
 */

export const UNIT_COUNTERS = ['requests', 'responses', 'exceptions', 'timeouts', 'crcErrors'] as const;
export type UnitCounts = Record<(typeof UNIT_COUNTERS)[number], number>;

const REQUESTS = 0;
const RESPONSES = 1;
const EXCEPTIONS = 2;
const TIMEOUTS = 3;
const CRC_ERRORS = 4;
const WIDTH = UNIT_COUNTERS.length;

export class UnitCounters {
  readonly #units: Array<Float64Array | undefined> = new Array<Float64Array | undefined>(256).fill(undefined);

  #of(unit: number): Float64Array {
    const u = unit & 0xff;
    let c = this.#units[u];
    if (c === undefined) {
      c = new Float64Array(WIDTH);
      this.#units[u] = c;
    }
    return c;
  }

  #inc(unit: number, k: number): void {
    const c = this.#of(unit);
    c[k] = (c[k] as number) + 1;
  }

  request(unit: number): void {
    this.#inc(unit, REQUESTS);
  }

  /** A reply that answers the request; `exception`: a Modbus exception reply. */
  response(unit: number, exception: boolean): void {
    this.#inc(unit, RESPONSES);
    if (exception) this.#inc(unit, EXCEPTIONS);
  }

  timeout(unit: number): void {
    this.#inc(unit, TIMEOUTS);
  }

  crcError(unit: number): void {
    this.#inc(unit, CRC_ERRORS);
  }

  /** The counters of `unit` (zeros for a unit never seen). */
  get(unit: number): UnitCounts {
    const c = this.#units[unit & 0xff];
    const out = {} as UnitCounts;
    for (const [i, k] of UNIT_COUNTERS.entries()) out[k] = c?.[i] ?? 0;
    return out;
  }

  /** Units seen since start, ascending. */
  units(): number[] {
    const out: number[] = [];
    for (const [u, c] of this.#units.entries()) if (c !== undefined) out.push(u);
    return out;
  }
}
