/**
 * Fault injection for the simulated Modbus slave. A `FaultTable` is an ordered
 * list of rules; the first rule whose unit and function code match a request
 * decides how the simulator misbehaves for it (no rule: a prompt, correct
 * reply). A rule with `times` applies to that many matching requests, then
 * retires. Faults:
 * - `latencyMs`: reply after a fixed delay, or a random one in [min, max] ms —
 *   also how to send a reply past a client's deadline (a late reply);
 * - `silence`: never reply;
 * - `exception`: reply with this exception code;
 * - `garbage`: 'stream' sends a header whose MBAP length (0xFFFF) cannot be
 *   delimited; 'pdu' sends a well-framed reply (right transaction, unit and
 *   function code) whose body is corrupt (a wrong byte count);
 * - `wrongTransactionId`: reply correctly but with transaction id + 1;
 * - `close`: close the connection instead of replying.
 *
 * On a serial line (rtu-slave.ts) the same rules apply, with RTU meanings:
 * `garbage: 'stream'` sends noise bytes that form no frame, `garbage: 'pdu'` a
 * CRC-valid frame (right address and function code) with a corrupt body;
 * `close` and `wrongTransactionId` do not exist on a line (`close` = silence).
 * RTU-only faults:
 * - `badCrc`: the correct reply with its CRC inverted;
 * - `wrongAddress`: the correct reply, CRC-valid, from another slave address
 *   (the given one, or unit + 1 when `true`).
 * A late reply is a `latencyMs` longer than the master's response timeout.
 */

export type Latency = number | readonly [number, number];

export interface FaultSpec {
  readonly latencyMs?: Latency;
  readonly silence?: boolean;
  readonly exception?: number;
  readonly garbage?: 'stream' | 'pdu';
  readonly wrongTransactionId?: boolean;
  readonly close?: boolean;
  /** RTU: the reply's CRC is inverted. */
  readonly badCrc?: boolean;
  /** RTU: the reply comes from this slave address (true: unit + 1). */
  readonly wrongAddress?: number | boolean;
}

export interface FaultRule extends FaultSpec {
  /** Unit id the rule applies to; any when absent. */
  readonly unit?: number;
  /** Function code the rule applies to; any when absent. */
  readonly fc?: number;
  /** Applies to the next `times` matching requests only; forever when absent. */
  readonly times?: number;
}

interface Live {
  readonly rule: FaultRule;
  left: number;
}

export class FaultTable {
  readonly #rules: Live[] = [];

  /** Appends a rule (lower priority than earlier ones); returns a remover. */
  add(rule: FaultRule): () => void {
    const live: Live = { rule, left: rule.times ?? Number.POSITIVE_INFINITY };
    this.#rules.push(live);
    return () => this.#remove(live);
  }

  clear(): void {
    this.#rules.length = 0;
  }

  get size(): number {
    return this.#rules.length;
  }

  /** The fault for one request, consuming one use of a counted rule. */
  match(unit: number, fc: number): FaultSpec | undefined {
    for (const live of this.#rules) {
      const { rule } = live;
      if (rule.unit !== undefined && rule.unit !== unit) continue;
      if (rule.fc !== undefined && rule.fc !== fc) continue;
      live.left--;
      if (live.left <= 0) this.#remove(live);
      return rule;
    }
    return undefined;
  }

  #remove(live: Live): void {
    const i = this.#rules.indexOf(live);
    if (i >= 0) this.#rules.splice(i, 1);
  }
}

/** A delay in ms for a latency spec (0 when absent). */
export function pickLatency(latency: Latency | undefined, random: () => number = Math.random): number {
  if (latency === undefined) return 0;
  if (typeof latency === 'number') return latency;
  const [min, max] = latency;
  return min + random() * (max - min);
}
