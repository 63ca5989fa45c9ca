/**
 * Asking one device during discovery: one request PDU, its answer or silence
 * (`ask`), and the plausibility probe of a candidate model (`probeModel`):
 * the model's probe measurements (plausibility.ts) are read from the device,
 * each register block once per device (`ProbeCache`), decoded through the
 * model, and judged.
 *
 * Decoding for the probe differs from the poller's on one point: the poller
 * treats every NaN as "invalid"; here only the measurement's documented
 * marker (its `invalid`, else the type's) means "not available", and any
 * other NaN is reported as such, so that a NaN from the wrong registers
 * counts against the model. A read the device refuses with an exception
 * counts against the model too (the model says those registers exist); a
 * read that gets no answer is not judged (the link, not the model, may be
 * at fault).
 */
import {
  type DataFormat,
  decodeValue,
  encodeRequest,
  type ModbusRequest,
} from '../../protocol/modbus/index.js';
import { isWattgateError } from '../../shared/errors.js';
import { type CompiledMeasurement, compileMeasurement } from '../decode.js';
import type { ResolvedModel } from '../model-schema.js';
import {
  judgePlausibility,
  type PlausibilityVerdict,
  type ProbeValue,
  probeMeasurements,
} from './plausibility.js';

/** Sends one request PDU to the device; rejects (WattgateError) when no answer came. */
export type Send = (pdu: Uint8Array) => Promise<Uint8Array>;

export type Answer = { kind: 'reply'; pdu: Uint8Array } | { kind: 'silent' };

export async function ask(send: Send, pdu: Uint8Array): Promise<Answer> {
  try {
    return { kind: 'reply', pdu: await send(pdu) };
  } catch (e) {
    if (isWattgateError(e)) return { kind: 'silent' };
    throw e;
  }
}

/** Register reads already made on one device: `fc/address/count` → registers, an exception code, or silence. */
export type ProbeCache = Map<string, number[] | { exception: number } | 'silent'>;

async function readBlock(send: Send, c: CompiledMeasurement, cache: ProbeCache) {
  const fc = c.table === 'holding' ? 3 : 4;
  const key = `${fc}/${c.address}/${c.registers}`;
  const known = cache.get(key);
  if (known !== undefined) return known;
  const request: ModbusRequest = { kind: 'read-registers', fc, address: c.address, quantity: c.registers };
  const a = await ask(send, encodeRequest(request));
  let out: number[] | { exception: number } | 'silent' = 'silent';
  if (a.kind === 'reply') {
    const p = a.pdu;
    if (p[0] === fc && p[1] === 2 * c.registers && p.length === 2 + 2 * c.registers) {
      out = Array.from({ length: c.registers }, (_, i) => ((p[2 + 2 * i] ?? 0) << 8) | (p[3 + 2 * i] ?? 0));
    } else out = { exception: p[0] === (fc | 0x80) ? (p[1] ?? 0) : -1 };
  }
  cache.set(key, out);
  return out;
}

const swap = (w: number) => ((w & 0xff) << 8) | (w >> 8);

/** Registers (wire order) → canonical big/big words, as markers are written. */
function canonical(format: DataFormat, words: readonly number[]): number[] {
  const bytes = format.byteOrder === 'little' ? words.map(swap) : [...words];
  const wordOrderApplies = format.type !== 'string' && format.type !== 'datetime';
  return format.wordOrder === 'little' && wordOrderApplies ? bytes.reverse() : bytes;
}

/** The probe's decoding: null only for the documented marker; NaN stays NaN. */
export function probeDecode(c: CompiledMeasurement, words: readonly number[]): ProbeValue['value'] {
  const marker = c.marker;
  const canon = canonical(c.format, words);
  const isMarker =
    marker === 'zero'
      ? canon.every((w) => w === 0)
      : marker !== null && marker.length === canon.length && marker.every((w, i) => w === canon[i]);
  if (isMarker) return null;
  const raw = decodeValue(c.format, words);
  if (typeof raw === 'string') return raw;
  if (typeof raw === 'object') return null; // DATETIME: never probed (not numeric)
  if (typeof raw === 'bigint')
    return c.scale === 1 && c.offset === 0 ? raw : Number(raw) * c.scale + c.offset;
  return raw * c.scale + c.offset;
}

/** Reads the model's probe measurements from the device and judges them. */
export async function probeModel(
  send: Send,
  model: ResolvedModel,
  cache: ProbeCache,
): Promise<PlausibilityVerdict> {
  const values: ProbeValue[] = [];
  const refused: string[] = [];
  for (const m of probeMeasurements(model.measurements)) {
    const c = compileMeasurement(m, model);
    const block = await readBlock(send, c, cache);
    if (block === 'silent') continue;
    if (!Array.isArray(block)) {
      refused.push(`${m.key}: the device refused the read (exception ${block.exception})`);
      continue;
    }
    values.push({ key: m.key, unit: m.unit, value: probeDecode(c, block) });
  }
  const verdict = judgePlausibility(values);
  if (refused.length === 0) return verdict;
  return { plausible: false, reasons: [...refused, ...(verdict.plausible ? [] : verdict.reasons)] };
}
