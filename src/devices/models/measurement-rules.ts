/**
 * The rules one measurement must follow beyond the schema (docs/device-models.md):
 * register count (strings need `registers`, other types have a fixed count),
 * the value must fit in the 16-bit address space, scale and offset are finite
 * (scale ≠ 0) and only on numeric types, bits only on integer types of up to
 * 32 bits and within the type's width, kind consistent with type, invalid
 * marker of the right length, input registers read-only. Pure: returns the
 * problems found, each `{ path, message }` under `path` (the measurement's
 * pointer in its document).
 */
import { type DataTypeName, DataTypes } from '../../protocol/modbus/data-types.js';
import type { ErrorDetail } from '../../shared/errors.js';
import type { Measurement } from '../model-schema.js';

/** Types that may carry `bits`, with their width. */
export const BIT_WIDTH: Partial<Record<DataTypeName, number>> = {
  bitmap16: 16,
  bitmap32: 32,
  uint16: 16,
  int16: 16,
  uint32: 32,
  int32: 32,
};

const NON_NUMERIC: ReadonlySet<DataTypeName> = new Set(['string', 'datetime', 'bitmap16', 'bitmap32']);

/** Registers the measurement occupies (strings: `registers`, 0 when missing). */
export function measurementRegisters(m: Pick<Measurement, 'type' | 'registers'>): number {
  const fixed = DataTypes[m.type].registers;
  return fixed ?? m.registers ?? 0;
}

function registerProblems(m: Measurement, path: string): ErrorDetail[] {
  const fixed = DataTypes[m.type].registers;
  if (fixed === null && m.registers === undefined)
    return [{ path: `${path}/registers`, message: `is required for type ${m.type}` }];
  if (fixed !== null && m.registers !== undefined && m.registers !== fixed)
    return [{ path: `${path}/registers`, message: `must be ${fixed} for type ${m.type} (or left out)` }];
  const end = m.address + measurementRegisters(m) - 1;
  if (end > 0xffff)
    return [
      { path: `${path}/address`, message: `registers ${m.address}–${end} run past the last address 65535` },
    ];
  return [];
}

function scaleProblems(m: Measurement, path: string): ErrorDetail[] {
  const out: ErrorDetail[] = [];
  for (const field of ['scale', 'offset'] as const) {
    const v = m[field];
    if (v === undefined) continue;
    if (NON_NUMERIC.has(m.type))
      out.push({ path: `${path}/${field}`, message: `does not apply to type ${m.type}` });
    else if (!Number.isFinite(v) || (field === 'scale' && v === 0))
      out.push({
        path: `${path}/${field}`,
        message: field === 'scale' ? 'must be a finite number other than 0' : 'must be a finite number',
      });
  }
  return out;
}

function bitProblems(m: Measurement, path: string): ErrorDetail[] {
  if (m.bits === undefined) return [];
  const width = BIT_WIDTH[m.type];
  if (width === undefined)
    return [
      { path: `${path}/bits`, message: `only integer types of up to 32 bits have bits (not ${m.type})` },
    ];
  const out: ErrorDetail[] = [];
  const seen = new Map<number, number>();
  m.bits.forEach((b, i) => {
    const at = `${path}/bits/${i}/bit`;
    if (b.bit >= width) out.push({ path: at, message: `must be 0–${width - 1} for type ${m.type}` });
    const first = seen.get(b.bit);
    if (first !== undefined)
      out.push({ path: at, message: `bit ${b.bit} is already defined at ${path}/bits/${first}` });
    else seen.set(b.bit, i);
  });
  return out;
}

function kindProblems(m: Measurement, path: string): ErrorDetail[] {
  const at = `${path}/kind`;
  if (m.type === 'string' && m.kind !== 'text' && m.kind !== 'setting')
    return [{ path: at, message: 'must be "text" or "setting" for type string' }];
  if (m.kind === 'text' && m.type !== 'string') return [{ path: at, message: '"text" needs type string' }];
  if (m.kind === 'bitmap' && BIT_WIDTH[m.type] === undefined)
    return [{ path: at, message: '"bitmap" needs an integer type of up to 32 bits' }];
  if (m.kind === 'counter' && NON_NUMERIC.has(m.type))
    return [{ path: at, message: '"counter" needs a numeric type' }];
  return [];
}

function markerProblems(m: Measurement, path: string): ErrorDetail[] {
  if (m.invalid === undefined || m.invalid.length === 0) return [];
  const n = measurementRegisters(m);
  if (m.invalid.length === n) return [];
  return [{ path: `${path}/invalid`, message: `must be [] or ${n} register value(s) for type ${m.type}` }];
}

/** Every rule of one measurement; `table` is the measurement's table after defaults. */
export function measurementProblems(m: Measurement, path: string, table: 'holding' | 'input'): ErrorDetail[] {
  const out = [
    ...registerProblems(m, path),
    ...scaleProblems(m, path),
    ...bitProblems(m, path),
    ...kindProblems(m, path),
    ...markerProblems(m, path),
  ];
  if (table === 'input' && m.access === 'rw')
    out.push({
      path: `${path}/access`,
      message: 'input registers cannot be written: use "r" or the holding table',
    });
  return out;
}
