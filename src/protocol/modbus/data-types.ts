/**
 * THE data-type table (ARCHITECTURE convention 7): every register-level type a
 * device model can name, its register count, value kind, range, the
 * reference's name and invalid marker (Modbus_Tables.tsv / Panel_Server.tsv),
 * with decode/encode for each byte order (within a 16-bit word) and word order
 * (most or least significant register first). Reference devices are big/big.
 *
 * Strings (`string`, the reference's ASCII): `registers` × 2 bytes, first
 * character in the high byte of the first register (byteOrder `little` swaps
 * each pair). Decoding stops at the first NUL and then drops trailing spaces
 * (devices pad with either); bytes map 1:1 to code points 0x01–0xFF (latin1).
 * Encoding accepts code points 0x01–0xFF and pads with NUL; an all-NUL string
 * is the reference's invalid marker. Word order does not apply to strings.
 *
 * DATETIME: see data-datetime.ts; byte order applies per register, word order
 * does not (the four registers are positional fields).
 *
 * Invalid markers (`isInvalid`) compare the registers in canonical big/big
 * order: UINT16 0xFFFF, UINT32 0xFFFFFFFF, INT64 0x8000000000000000, UINT64
 * 0xFFFFFFFFFFFFFFFF, Float32 0xFFC00000 (any NaN counts too), ASCII all zero,
 * DATE-TIME all 0xFFFF. The reference lists 0x0000 for BITMAP, but 0 is also
 * the legitimate "no bit set" state (every alarm inactive), so bitmaps have
 * no default marker; a model may pass its own marker to `isInvalid`.
 * The reference uses no INT16, INT32 or float64 marker, so none is assumed.
 */
import { assertIntRange, invalidArgument } from './bytes.js';
import { type DateTimeValue, decodeDateTime, encodeDateTime } from './data-datetime.js';

const FFFF = 0xffff;

export const DataTypes = {
  int16: { registers: 1, value: 'number', reference: 'INT16', min: -0x8000, max: 0x7fff, invalid: null },
  uint16: { registers: 1, value: 'number', reference: 'UINT16', min: 0, max: FFFF, invalid: [FFFF] },
  int32: {
    registers: 2,
    value: 'number',
    reference: 'INT32',
    min: -0x80000000,
    max: 0x7fffffff,
    invalid: null,
  },
  uint32: {
    registers: 2,
    value: 'number',
    reference: 'UINT32',
    min: 0,
    max: 0xffffffff,
    invalid: [FFFF, FFFF],
  },
  int64: {
    registers: 4,
    value: 'bigint',
    reference: 'INT64',
    min: null,
    max: null,
    invalid: [0x8000, 0, 0, 0],
  },
  uint64: {
    registers: 4,
    value: 'bigint',
    reference: 'UINT64',
    min: null,
    max: null,
    invalid: [FFFF, FFFF, FFFF, FFFF],
  },
  float32: {
    registers: 2,
    value: 'number',
    reference: 'Float32',
    min: null,
    max: null,
    invalid: [0xffc0, 0],
  },
  float64: { registers: 4, value: 'number', reference: 'Float64', min: null, max: null, invalid: null },
  string: { registers: null, value: 'string', reference: 'ASCII', min: null, max: null, invalid: 'zero' },
  bitmap16: { registers: 1, value: 'number', reference: 'BITMAP', min: 0, max: FFFF, invalid: null },
  bitmap32: { registers: 2, value: 'number', reference: 'BITMAP', min: 0, max: 0xffffffff, invalid: null },
  datetime: {
    registers: 4,
    value: 'datetime',
    reference: 'DATE-TIME',
    min: null,
    max: null,
    invalid: [FFFF, FFFF, FFFF, FFFF],
  },
} as const;

export type DataTypeName = keyof typeof DataTypes;
export const DATA_TYPE_NAMES = Object.keys(DataTypes) as DataTypeName[];
export type ByteOrder = 'big' | 'little';
export type WordOrder = 'big' | 'little';
export const STRING_REGISTERS_MAX = 125;

export interface DataFormat {
  type: DataTypeName;
  /** Byte order within each register; default big (high byte first). */
  byteOrder?: ByteOrder;
  /** Register order of multi-register numbers; default big (most significant first). */
  wordOrder?: WordOrder;
  /** Length in registers; required for `string` (1..125), ignored otherwise. */
  registers?: number;
}

export type DataValue = number | bigint | string | DateTimeValue;
type Registers = Uint16Array | readonly number[];

export function registerCount(format: DataFormat): number {
  const fixed = DataTypes[format.type]?.registers;
  if (fixed === undefined) throw invalidArgument(`unknown data type ${String(format.type)}`, 'type');
  if (fixed !== null) return fixed;
  assertIntRange(format.registers, 1, STRING_REGISTERS_MAX, 'string.registers');
  return format.registers as number;
}

const swap = (w: number): number => ((w & 0xff) << 8) | ((w >> 8) & 0xff);
const hasWordOrder = (t: DataTypeName): boolean => t !== 'string' && t !== 'datetime';

/** Wire registers → canonical big/big registers (an involution, so also used to encode). */
function canonical(format: DataFormat, regs: Registers): number[] {
  const n = registerCount(format);
  if (regs.length !== n) throw invalidArgument(`${format.type} needs ${n} registers, got ${regs.length}`);
  let out = Array.from(regs, (w) => w & FFFF);
  if (format.byteOrder === 'little') out = out.map(swap);
  if (format.wordOrder === 'little' && hasWordOrder(format.type)) out.reverse();
  return out;
}

function toBytes(words: readonly number[]): Uint8Array {
  const b = new Uint8Array(words.length * 2);
  words.forEach((w, i) => {
    b[2 * i] = w >> 8;
    b[2 * i + 1] = w & 0xff;
  });
  return b;
}

function fromBytes(b: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < b.length; i += 2) out.push(((b[i] ?? 0) << 8) | (b[i + 1] ?? 0));
  return out;
}

function decodeString(bytes: Uint8Array): string {
  let end = bytes.indexOf(0);
  if (end < 0) end = bytes.length;
  while (end > 0 && bytes[end - 1] === 0x20) end--;
  let s = '';
  for (let i = 0; i < end; i++) s += String.fromCharCode(bytes[i] ?? 0);
  return s;
}

/** Numeric types: canonical big/big bytes at `offset` of `view` → the value (no allocation). */
export type NumericTypeName = Exclude<DataTypeName, 'string' | 'datetime'>;

export function readCanonicalNumber(view: DataView, type: NumericTypeName, offset = 0): number | bigint {
  switch (type) {
    case 'int16':
      return view.getInt16(offset);
    case 'uint16':
    case 'bitmap16':
      return view.getUint16(offset);
    case 'int32':
      return view.getInt32(offset);
    case 'uint32':
    case 'bitmap32':
      return view.getUint32(offset);
    case 'int64':
      return view.getBigInt64(offset);
    case 'uint64':
      return view.getBigUint64(offset);
    case 'float32':
      return view.getFloat32(offset);
    case 'float64':
      return view.getFloat64(offset);
  }
}

function decodeCanonical(type: DataTypeName, words: number[]): DataValue {
  const bytes = toBytes(words);
  if (type === 'string') return decodeString(bytes);
  if (type === 'datetime') return decodeDateTime(words);
  return readCanonicalNumber(new DataView(bytes.buffer), type);
}

/** Decodes a value from its registers as read (wire order). Throws only on a wrong register count. */
export function decodeValue(format: DataFormat, registers: Registers): DataValue {
  return decodeCanonical(format.type, canonical(format, registers));
}

/** Decodes from register bytes as on the wire (2 bytes per register, high byte first), at `offset`. */
export function decodeValueFromBytes(format: DataFormat, bytes: Uint8Array, offset = 0): DataValue {
  const n = registerCount(format);
  if (offset < 0 || offset + 2 * n > bytes.length)
    throw invalidArgument(`${format.type} needs ${2 * n} bytes`);
  return decodeValue(format, fromBytes(bytes.subarray(offset, offset + 2 * n)));
}

function checkNumber(type: DataTypeName, value: DataValue): number {
  const t = DataTypes[type];
  if (typeof value !== 'number') throw invalidArgument(`${type} value must be a number`, 'value');
  if (t.min !== null && t.max !== null) assertIntRange(value, t.min, t.max, `${type} value`);
  return value;
}

function checkBigint(type: 'int64' | 'uint64', value: DataValue): bigint {
  if (typeof value !== 'bigint') throw invalidArgument(`${type} value must be a bigint`, 'value');
  const ok = type === 'int64' ? BigInt.asIntN(64, value) === value : BigInt.asUintN(64, value) === value;
  if (!ok) throw invalidArgument(`${type} value ${value} out of range`, 'value');
  return value;
}

function encodeString(value: DataValue, n: number): Uint8Array {
  if (typeof value !== 'string') throw invalidArgument('string value must be a string', 'value');
  if (value.length > 2 * n) throw invalidArgument(`string of ${value.length} chars > ${2 * n}`, 'value');
  const b = new Uint8Array(2 * n);
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 1 || c > 0xff) throw invalidArgument(`character code ${c} not in 0x01..0xFF`, 'value');
    b[i] = c;
  }
  return b;
}

function encodeCanonical(format: DataFormat, value: DataValue): number[] {
  const type = format.type;
  const n = registerCount(format);
  const bytes = new Uint8Array(2 * n);
  const view = new DataView(bytes.buffer);
  switch (type) {
    case 'int16':
      view.setInt16(0, checkNumber(type, value));
      break;
    case 'uint16':
    case 'bitmap16':
      view.setUint16(0, checkNumber(type, value));
      break;
    case 'int32':
      view.setInt32(0, checkNumber(type, value));
      break;
    case 'uint32':
    case 'bitmap32':
      view.setUint32(0, checkNumber(type, value));
      break;
    case 'int64':
      view.setBigInt64(0, checkBigint(type, value));
      break;
    case 'uint64':
      view.setBigUint64(0, checkBigint(type, value));
      break;
    case 'float32':
      view.setFloat32(0, checkNumber(type, value));
      break;
    case 'float64':
      view.setFloat64(0, checkNumber(type, value));
      break;
    case 'string':
      bytes.set(encodeString(value, n));
      break;
    case 'datetime':
      return encodeDateTime(value as DateTimeValue);
  }
  return fromBytes(bytes);
}

/** Encodes a value to registers in wire order. Throws INVALID_ARGUMENT on a wrong kind or range. */
export function encodeValue(format: DataFormat, value: DataValue): number[] {
  return canonical(format, encodeCanonical(format, value));
}

/** Encodes to register bytes as on the wire (2 bytes per register, high byte first). */
export function encodeValueToBytes(format: DataFormat, value: DataValue): Uint8Array {
  return toBytes(encodeValue(format, value));
}

/**
 * True when the registers hold the reference's invalid marker for the type
 * (see the file header), or the given `marker` (canonical big/big registers).
 */
export function isInvalid(format: DataFormat, registers: Registers, marker?: readonly number[]): boolean {
  const words = canonical(format, registers);
  const ref = marker ?? DataTypes[format.type].invalid;
  if (ref === 'zero') return words.every((w) => w === 0);
  if (ref !== null && ref.length === words.length && ref.every((w, i) => w === words[i])) return true;
  if (format.type === 'float32' || format.type === 'float64') {
    return Number.isNaN(decodeCanonical(format.type, words));
  }
  return false;
}
