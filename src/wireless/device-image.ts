/**
 * The register image of one wireless device's virtual Modbus server
 * (PRODUCT W3): every register of its model (templates/, fragments merged),
 * at the model's addresses and tables, encoded by the one data-type table
 * (src/protocol/modbus/data-types.ts) in the measurement's byte and word
 * order, with its scale and offset (raw = (value − offset) / scale, rounded
 * for integer types). Nothing here is typed by hand: a model file is the map.
 *
 * A register that no measurement covers is unmapped. Until a value arrives, a
 * measurement holds its invalid marker (its own `invalid`, else the type's;
 * types without a marker — bitmaps, INT16/INT32, Float64 — hold 0, which is
 * what the reference lists for BITMAP). `set(key, null)` writes the marker; a
 * value that does not fit the type (out of range, NaN) writes it too.
 *
 * Sparse: only mapped registers are stored (a model has a few hundred), so a
 * hundred devices cost little memory.
 */
import {
  type CompiledMeasurement,
  compileModel,
  decodeMeasurement,
  type ReadingValue,
} from '../devices/decode.js';
import type { ResolvedModel } from '../devices/model-schema.js';
import { type DataValue, dateTimeFromEpochMs, encodeValue } from '../protocol/modbus/index.js';

export type ImageValue = number | bigint | string | null;
export type Table = 'holding' | 'input';

const INTEGER = new Set(['int16', 'uint16', 'int32', 'uint32', 'bitmap16', 'bitmap32']);
const swapBytes = (w: number): number => ((w & 0xff) << 8) | (w >> 8);

/** The invalid marker of `c` in wire order (zeros for types without one). */
export function markerWords(c: CompiledMeasurement): number[] {
  if (c.marker === null || c.marker === 'zero' || c.marker.length === 0) {
    return new Array<number>(c.registers).fill(0); // `invalid: []` = no marker, like null
  }
  let words = c.format.byteOrder === 'little' ? c.marker.map(swapBytes) : [...c.marker];
  const positional = c.format.type === 'string' || c.format.type === 'datetime';
  if (c.format.wordOrder === 'little' && !positional) words = words.reverse();
  return words;
}

function printable(s: string, max: number): string {
  return s.slice(0, max).replace(/[^\x20-\x7e]/g, '?');
}

/** Engineering value → the raw value of the data-type table, or undefined when it cannot be one. */
function rawFor(c: CompiledMeasurement, value: number | bigint | string): DataValue | undefined {
  const type = c.format.type;
  if (type === 'string') return typeof value === 'string' ? printable(value, 2 * c.registers) : undefined;
  if (typeof value === 'string') return undefined;
  if (type === 'datetime') return typeof value === 'number' ? dateTimeFromEpochMs(value) : undefined;
  if (typeof value === 'bigint' && c.scale === 1 && c.offset === 0) {
    return type === 'int64' || type === 'uint64' ? value : Number(value);
  }
  const raw = (Number(value) - c.offset) / c.scale;
  if (!Number.isFinite(raw)) return undefined;
  if (type === 'int64' || type === 'uint64') return BigInt(Math.round(raw));
  return INTEGER.has(type) ? Math.round(raw) : raw;
}

/** The registers of `value` for `c` (wire order), or undefined when it cannot be encoded. */
export function encodeFor(c: CompiledMeasurement, value: ImageValue): number[] | undefined {
  if (value === null) return markerWords(c);
  try {
    const raw = rawFor(c, value);
    return raw === undefined ? undefined : encodeValue(c.format, raw);
  } catch {
    return undefined; // out of the type's range, or a date outside 2000–2127
  }
}

export class DeviceImage {
  readonly #tables: Record<Table, Map<number, number>> = { holding: new Map(), input: new Map() };
  readonly #compiled: ReadonlyMap<string, CompiledMeasurement>;

  constructor(model: ResolvedModel) {
    this.#compiled = compileModel(model);
    for (const c of this.#compiled.values()) this.#write(c, markerWords(c));
  }

  get hasInputTable(): boolean {
    return this.#tables.input.size > 0;
  }

  measurement(key: string): CompiledMeasurement | undefined {
    return this.#compiled.get(key);
  }

  measurements(): IterableIterator<CompiledMeasurement> {
    return this.#compiled.values();
  }

  /** Writes `value` (null = invalid marker); false when the key is unknown or the value unencodable (marker written). */
  set(key: string, value: ImageValue): boolean {
    const c = this.#compiled.get(key);
    if (c === undefined) return false;
    const words = encodeFor(c, value);
    this.#write(c, words ?? markerWords(c));
    return words !== undefined;
  }

  /** The value the registers hold now, decoded as a client would (null = invalid marker). */
  get(key: string): ReadingValue | undefined {
    const c = this.#compiled.get(key);
    if (c === undefined) return undefined;
    const words = this.read(c.table, c.address, c.registers) ?? [];
    const bytes = new Uint8Array(2 * words.length);
    words.forEach((w, i) => {
      bytes[2 * i] = w >> 8;
      bytes[2 * i + 1] = w & 0xff;
    });
    return decodeMeasurement(c, bytes, 0);
  }

  /** The registers, or undefined when any of them is unmapped. */
  read(table: Table, address: number, quantity: number): number[] | undefined {
    const map = this.#tables[table];
    const out: number[] = [];
    for (let a = address; a < address + quantity; a++) {
      const w = map.get(a);
      if (w === undefined) return undefined;
      out.push(w);
    }
    return out;
  }

  /** Holding registers at scattered addresses (FC 100-4), or undefined when one is unmapped. */
  readScattered(addresses: readonly number[]): number[] | undefined {
    const out: number[] = [];
    for (const a of addresses) {
      const w = this.#tables.holding.get(a);
      if (w === undefined) return undefined;
      out.push(w);
    }
    return out;
  }

  /** The read-write measurements that tile [address, address + quantity) of the holding table exactly. */
  writable(address: number, quantity: number): CompiledMeasurement[] | undefined {
    const out: CompiledMeasurement[] = [];
    let at = address;
    while (at < address + quantity) {
      const c = this.#rwAt(at);
      if (c === undefined) return undefined;
      out.push(c);
      at += c.registers;
    }
    return at === address + quantity ? out : undefined;
  }

  #rwAt(address: number): CompiledMeasurement | undefined {
    for (const c of this.#compiled.values()) {
      if (c.table === 'holding' && c.address === address && c.measurement.access === 'rw') return c;
    }
    return undefined;
  }

  #write(c: CompiledMeasurement, words: readonly number[]): void {
    const map = this.#tables[c.table];
    words.forEach((w, i) => {
      map.set(c.address + i, w & 0xffff);
    });
  }
}
