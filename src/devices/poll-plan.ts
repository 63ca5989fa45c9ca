/**
 * The poll plan (PRODUCT L1 "adjacent registers are merged into one read
 * (≤125 registers)"): a pure function from a device's chosen measurements to
 * the reads that fetch them.
 *
 * - Measurements are grouped by table (holding → FC 3, input → FC 4) and
 *   sorted by address.
 * - A read grows left to right while the next measurement fits: the gap
 *   between the read's end and the measurement's start is at most `maxGap`
 *   registers, none of those gap registers is known to be absent
 *   (`absent(table, address)`), and the whole read stays ≤ `maxRegisters`
 *   (125, the Modbus maximum for FC 3/4). Overlapping measurements (two views
 *   of the same registers) share the read.
 * - Every measurement lies wholly inside exactly one read.
 *
 * Greedy packing is minimal for measurements that do not overlap (an exchange
 * argument; the property test in test/fuzz/devices-poll-plan.test.ts compares it
 * with an exhaustive optimum). Reading a gap costs 2 bytes a register on the
 * wire, far less than a request (≥ 12 bytes each way plus a round trip, and on
 * a serial line the t3.5 silences): hence the default gap of 10 registers.
 */
import { encodeRequest } from '../protocol/modbus/index.js';
import type { CompiledMeasurement, RegisterTable } from './decode.js';

export const MAX_READ_REGISTERS = 125;

export interface PlanItem {
  readonly c: CompiledMeasurement;
  /** Where the measurement's first register is in the reply's register bytes. */
  readonly byteOffset: number;
}

export interface PlannedRead {
  readonly table: RegisterTable;
  readonly fc: 3 | 4;
  readonly address: number;
  readonly quantity: number;
  readonly items: readonly PlanItem[];
  /** The request PDU, built once (never mutated: shared by every poll). */
  readonly pdu: Uint8Array;
}

export interface PlanOptions {
  /** Largest number of unread registers bridged between two measurements; default 10. */
  readonly maxGap?: number;
  /** Largest read; default and maximum 125. */
  readonly maxRegisters?: number;
  /** Registers that must never be read (known absent); default none. */
  readonly absent?: (table: RegisterTable, address: number) => boolean;
}

const byAddress = (a: CompiledMeasurement, b: CompiledMeasurement) =>
  a.address - b.address || b.registers - a.registers;

function makeRead(table: RegisterTable, address: number, quantity: number, ms: CompiledMeasurement[]) {
  const fc = table === 'holding' ? 3 : 4;
  const items = ms.map((c) => ({ c, byteOffset: 2 * (c.address - address) }));
  const pdu = encodeRequest({ kind: 'read-registers', fc, address, quantity });
  return { table, fc, address, quantity, items, pdu } as const;
}

function gapIsReadable(table: RegisterTable, from: number, to: number, opts: PlanOptions): boolean {
  if (!opts.absent) return true;
  for (let a = from; a < to; a++) if (opts.absent(table, a)) return false;
  return true;
}

function planTable(table: RegisterTable, ms: CompiledMeasurement[], opts: PlanOptions): PlannedRead[] {
  const maxGap = opts.maxGap ?? 10;
  const maxRegs = Math.min(opts.maxRegisters ?? MAX_READ_REGISTERS, MAX_READ_REGISTERS);
  const out: PlannedRead[] = [];
  let start = 0;
  let end = 0;
  let current: CompiledMeasurement[] = [];
  for (const c of [...ms].sort(byAddress)) {
    const cEnd = c.address + c.registers;
    const fits =
      current.length > 0 &&
      c.address - end <= maxGap &&
      Math.max(end, cEnd) - start <= maxRegs &&
      gapIsReadable(table, end, c.address, opts);
    if (fits) {
      current.push(c);
      end = Math.max(end, cEnd);
      continue;
    }
    if (current.length > 0) out.push(makeRead(table, start, end - start, current));
    current = [c];
    start = c.address;
    end = cEnd;
  }
  if (current.length > 0) out.push(makeRead(table, start, end - start, current));
  return out;
}

/** The reads that fetch `measurements` (holding-register reads first, then input-register reads). */
export function planReads(
  measurements: readonly CompiledMeasurement[],
  opts: PlanOptions = {},
): PlannedRead[] {
  const holding = measurements.filter((m) => m.table === 'holding');
  const input = measurements.filter((m) => m.table === 'input');
  return [...planTable('holding', holding, opts), ...planTable('input', input, opts)];
}

/** One read per measurement: the fallback when a device refuses a merged read (exception 02/03). */
export function splitRead(read: PlannedRead): PlannedRead[] {
  if (read.items.length <= 1) return [read];
  return read.items.map((it) => makeRead(read.table, it.c.address, it.c.registers, [it.c]));
}

/** Total registers transferred and requests made by a plan (diagnostics, docs). */
export function planCost(plan: readonly PlannedRead[]): { requests: number; registers: number } {
  return { requests: plan.length, registers: plan.reduce((n, r) => n + r.quantity, 0) };
}
