/**
 * Measurement decoding for the poller: a model's measurement compiled once
 * (defaults of the model applied, its register count, invalid marker, scale)
 * and decoded straight out of a read-registers reply.
 *
 * Everything comes from THE data-type table (src/protocol/modbus/data-types.ts):
 * register counts (`registerCount`), invalid markers (`DataTypes[t].invalid`,
 * or the measurement's own `invalid`, `[]` = none) and the meaning of byte and
 * word order. Numbers are decoded without allocation: the registers are put in
 * canonical big/big order in a scratch buffer and read with a DataView — the
 * same steps as `decodeValue`/`isInvalid`, which strings and DATETIME still go
 * through. A property test (test/fuzz/devices-decode.test.ts) checks this fast
 * path against `decodeValue` + `isInvalid` for every type and order.
 *
 * Result: the value, or `null` when the registers hold the invalid marker (or
 * a NaN, or a DATETIME that is no date) — the reading's quality is then
 * "invalid". Scaling: `raw × scale + offset` for numbers, at the register's
 * resolution (resolution.ts: 230.1, not 230.10000000000002); a 64-bit integer
 * stays a bigint when scale is 1 and offset 0, else it becomes a number.
 * DATETIME becomes epoch milliseconds (UTC).
 */
import {
  type DataFormat,
  DataTypes,
  type DateTimeValue,
  dateTimeToEpochMs,
  decodeValue,
  readCanonicalNumber,
  registerCount,
} from '../protocol/modbus/index.js';
import type { Measurement, ResolvedModel } from './model-schema.js';
import { atResolution } from './resolution.js';

export type ReadingValue = number | bigint | string | null;
export type RegisterTable = 'holding' | 'input';

export interface CompiledMeasurement {
  readonly key: string;
  /** Position in the model's measurement list (index into a device's series ids). */
  readonly index: number;
  readonly table: RegisterTable;
  readonly address: number;
  /** Registers this measurement occupies. */
  readonly registers: number;
  readonly format: Required<Pick<DataFormat, 'type' | 'byteOrder' | 'wordOrder'>> & DataFormat;
  /** Canonical (big/big) marker registers, 'zero' (all-NUL strings) or null (none). */
  readonly marker: readonly number[] | 'zero' | null;
  readonly scale: number;
  readonly offset: number;
  readonly measurement: Measurement;
}

export function compileMeasurement(
  m: Measurement,
  model: Pick<ResolvedModel, 'defaults'>,
  index = 0,
): CompiledMeasurement {
  const d = model.defaults;
  const format = {
    type: m.type,
    byteOrder: m.byteOrder ?? d?.byteOrder ?? 'big',
    wordOrder: m.wordOrder ?? d?.wordOrder ?? 'big',
    ...(m.registers === undefined ? {} : { registers: m.registers }),
  } as const;
  return {
    key: m.key,
    index,
    table: m.table ?? d?.table ?? 'holding',
    address: m.address,
    registers: registerCount(format),
    format,
    marker: m.invalid ?? DataTypes[m.type].invalid,
    scale: m.scale ?? 1,
    offset: m.offset ?? 0,
    measurement: m,
  };
}

const scratch = new Uint8Array(8);
const view = new DataView(scratch.buffer);

/** Copies the registers at `off` into `scratch` in canonical big/big order (numbers ≤ 4 registers). */
function canonicalInto(c: CompiledMeasurement, bytes: Uint8Array, off: number): void {
  const n = c.registers;
  const reverse = c.format.wordOrder === 'little';
  const swap = c.format.byteOrder === 'little';
  for (let i = 0; i < n; i++) {
    const src = off + 2 * (reverse ? n - 1 - i : i);
    const hi = bytes[src] ?? 0;
    const lo = bytes[src + 1] ?? 0;
    scratch[2 * i] = swap ? lo : hi;
    scratch[2 * i + 1] = swap ? hi : lo;
  }
}

function scratchIsMarker(marker: readonly number[], n: number): boolean {
  if (marker.length !== n) return false;
  for (let i = 0; i < n; i++) {
    if ((((scratch[2 * i] ?? 0) << 8) | (scratch[2 * i + 1] ?? 0)) !== marker[i]) return false;
  }
  return true;
}

function scaled(c: CompiledMeasurement, raw: number | bigint): number | bigint {
  if (typeof raw === 'bigint')
    return c.scale === 1 && c.offset === 0 ? raw : atResolution(Number(raw), c.scale, c.offset, false);
  return atResolution(raw, c.scale, c.offset, c.format.type === 'float32');
}

function wireWords(bytes: Uint8Array, off: number, n: number): number[] {
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = ((bytes[off + 2 * i] ?? 0) << 8) | (bytes[off + 2 * i + 1] ?? 0);
  return out;
}

const swapBytes = (w: number): number => ((w & 0xff) << 8) | (w >> 8);

function sameWords(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((w, i) => w === b[i]);
}

/** Strings and DATETIME: through `decodeValue` (rare, allocation is fine); no word order applies. */
function decodeSlow(c: CompiledMeasurement, bytes: Uint8Array, off: number): ReadingValue {
  const words = wireWords(bytes, off, c.registers);
  const canon = c.format.byteOrder === 'little' ? words.map(swapBytes) : words;
  const marker = c.marker;
  if (marker === 'zero' ? canon.every((w) => w === 0) : marker !== null && sameWords(marker, canon)) {
    return null;
  }
  const v = decodeValue(c.format, words);
  if (typeof v === 'string') return v;
  if (typeof v === 'object') return dateTimeToEpochMs(v as DateTimeValue);
  return scaled(c, v);
}

/**
 * Decodes measurement `c` whose first register is at byte `off` of `bytes`
 * (register bytes as on the wire). `null` = invalid marker / NaN / no date.
 */
export function decodeMeasurement(c: CompiledMeasurement, bytes: Uint8Array, off: number): ReadingValue {
  const type = c.format.type;
  if (type === 'string' || type === 'datetime') return decodeSlow(c, bytes, off);
  canonicalInto(c, bytes, off);
  if (Array.isArray(c.marker) && scratchIsMarker(c.marker, c.registers)) return null;
  const raw = readCanonicalNumber(view, type);
  if (typeof raw === 'number' && Number.isNaN(raw)) return null;
  return scaled(c, raw);
}

/** Every measurement of a model, compiled (fragments already merged in a ResolvedModel). */
export function compileModel(model: ResolvedModel): Map<string, CompiledMeasurement> {
  return new Map(model.measurements.map((m, i) => [m.key, compileMeasurement(m, model, i)]));
}
