/**
 * Unit 255's local digital inputs DI1 and DI2 (PRODUCT L5; registers
 * 1001–1448 of Panel_Server.tsv, DI1/DI2 pairs; the blocks are listed in
 * gateway-registers.ts `DigitalInputBlocks`). The inputs Part (src/inputs/)
 * provides a `DigitalInputsView`; this file turns it into registers and
 * recognises the writes the reference allows.
 *
 * Per input, in the reference's order: validity (1 = an input is configured,
 * else every register of that input holds its invalid marker), mode (0 pulse,
 * 1 status), name, label, usage, logical status (after polarity; 1 active),
 * operating time (s, non-resettable and resettable) and the date of its last
 * reset, operation counter (activations, both) and its reset date, pulse
 * weight, offset, pulse counter (both) and its reset date, the accumulated
 * value `round(pulses × weight) + offset` in the input's unit, the flow (unit
 * per hour, from the pulses of the last minute), commodity (1–8), status
 * feature, electrical level (0/1), polarity (0: 0 V = inactive), the status
 * texts, metering feature, and the metering/flow names and units.
 * Fields of the other mode (pulse fields of a status input and the reverse)
 * hold their invalid markers; operating time and operations are status-mode
 * fields. Dates are UTC DATETIME; "never reset" is the invalid marker.
 *
 * Writes (FC 16, whole field only): resettable operating time (1059/1061,
 * UINT32), resettable operation counter (1075/1077, UINT32), resettable pulse
 * count (1107/1111, INT64). The value written becomes the counter's value (0
 * resets it) and the reset date is now.
 */
import {
  type DataFormat,
  DataTypes,
  dateTimeFromEpochMs,
  decodeValue,
  encodeDateTime,
  encodeValue,
} from '../protocol/modbus/index.js';
import { asciiWords, invalidWords } from './gateway-registers.js';

export const DIGITAL_INPUTS = ['DI1', 'DI2'] as const;
export type DigitalInputName = (typeof DIGITAL_INPUTS)[number];

export interface DigitalInputView {
  readonly mode: 'pulse' | 'status';
  readonly name: string;
  readonly label: string;
  readonly usage: number;
  /** 1–8 (electricity … other). */
  readonly commodity: number;
  /** Electrical level now; null = unknown. */
  readonly level: 0 | 1 | null;
  /** Level after polarity (1 = active); null = unknown. */
  readonly logical: 0 | 1 | null;
  /** 0: 0 V is inactive (active-high); 1: 0 V is active. */
  readonly polarity: 0 | 1;
  readonly operatingTimeTotalS: number;
  readonly operatingTimeS: number;
  readonly operatingTimeResetAt: number | null;
  readonly operationsTotal: number;
  readonly operations: number;
  readonly operationsResetAt: number | null;
  readonly pulseWeight: number;
  readonly offset: number;
  readonly pulsesTotal: number;
  readonly pulses: number;
  readonly pulsesResetAt: number | null;
  readonly accumulated: number;
  readonly flow: number;
  readonly statusFeature: number;
  readonly meteringFeature: number;
  readonly contextText: string;
  readonly inactiveText: string;
  readonly activeText: string;
  readonly meteringName: string;
  readonly meteringUnit: string;
  readonly flowName: string;
  readonly flowUnit: string;
}

export type DigitalInputsView = Readonly<Partial<Record<DigitalInputName, DigitalInputView>>>;
export type DigitalInputField = 'operatingTime' | 'operationCount' | 'pulseCount';

/** What unit 255 needs from the inputs Part. */
export interface DigitalInputsProvider {
  read(): DigitalInputsView;
  /** Sets a resettable counter (0 = reset); rejects with INVALID_ARGUMENT when the input cannot take it. */
  write(
    input: DigitalInputName,
    field: DigitalInputField,
    value: number,
    source: string,
  ): void | Promise<void>;
}

type Kind = 'uint16' | 'uint32' | 'int64' | 'float32' | 'datetime' | 'string';
type Mode = 'both' | 'pulse' | 'status';
type Getter = (v: DigitalInputView) => number | string | null;

/** [first register of DI1 (DI2's follows at + count), type, registers, mode, value]. */
const FIELDS: ReadonlyArray<readonly [number, Kind, number, Mode, Getter]> = [
  [1001, 'uint16', 1, 'both', () => 1],
  [1003, 'uint16', 1, 'both', (v) => (v.mode === 'pulse' ? 0 : 1)],
  [1005, 'string', 20, 'both', (v) => v.name],
  [1045, 'string', 3, 'both', (v) => v.label],
  [1051, 'uint16', 1, 'both', (v) => v.usage],
  [1053, 'uint16', 1, 'both', (v) => v.logical],
  [1055, 'uint32', 2, 'status', (v) => v.operatingTimeTotalS],
  [1059, 'uint32', 2, 'status', (v) => v.operatingTimeS],
  [1063, 'datetime', 4, 'status', (v) => v.operatingTimeResetAt],
  [1071, 'uint32', 2, 'status', (v) => v.operationsTotal],
  [1075, 'uint32', 2, 'status', (v) => v.operations],
  [1079, 'datetime', 4, 'status', (v) => v.operationsResetAt],
  [1087, 'float32', 2, 'pulse', (v) => v.pulseWeight],
  [1091, 'int64', 4, 'pulse', (v) => v.offset],
  [1099, 'int64', 4, 'pulse', (v) => v.pulsesTotal],
  [1107, 'int64', 4, 'pulse', (v) => v.pulses],
  [1115, 'datetime', 4, 'pulse', (v) => v.pulsesResetAt],
  [1123, 'int64', 4, 'pulse', (v) => v.accumulated],
  [1173, 'float32', 2, 'pulse', (v) => v.flow],
  [1219, 'uint16', 1, 'both', (v) => v.commodity],
  [1221, 'uint16', 1, 'status', (v) => v.statusFeature],
  [1223, 'uint16', 1, 'both', (v) => v.level],
  [1225, 'uint16', 1, 'status', (v) => v.polarity],
  [1227, 'string', 10, 'status', (v) => v.contextText],
  [1247, 'string', 10, 'status', (v) => v.inactiveText],
  [1267, 'string', 10, 'status', (v) => v.activeText],
  [1287, 'uint16', 1, 'pulse', (v) => v.meteringFeature],
  [1289, 'string', 20, 'pulse', (v) => v.meteringName],
  [1329, 'string', 20, 'pulse', (v) => v.meteringUnit],
  [1369, 'string', 20, 'pulse', (v) => v.flowName],
  [1409, 'string', 20, 'pulse', (v) => v.flowUnit],
];

const WRITABLE: ReadonlyArray<readonly [number, DigitalInputField, 'uint32' | 'int64', number]> = [
  [1059, 'operatingTime', 'uint32', 2],
  [1075, 'operationCount', 'uint32', 2],
  [1107, 'pulseCount', 'int64', 4],
];

function encodeField(kind: Kind, count: number, value: number | string | null): number[] {
  if (value === null) return invalidWords(kind, count);
  if (kind === 'string') return asciiWords(typeof value === 'string' ? value : '', count);
  if (typeof value === 'string') return invalidWords(kind, count);
  try {
    if (kind === 'datetime') return encodeDateTime(dateTimeFromEpochMs(value));
    const raw = kind === 'int64' ? BigInt(Math.round(value)) : kind === 'float32' ? value : Math.round(value);
    return encodeValue({ type: kind }, raw);
  } catch {
    return invalidWords(kind, count); // out of the type's range
  }
}

/** Every digital-input register as [register, words]; absent inputs and other-mode fields invalid. */
export function digitalInputWords(view: DigitalInputsView): Array<[number, number[]]> {
  const out: Array<[number, number[]]> = [];
  for (const [first, kind, count, mode, get] of FIELDS) {
    DIGITAL_INPUTS.forEach((name, i) => {
      const v = view[name];
      const applies = v !== undefined && (mode === 'both' || mode === v.mode);
      out.push([first + i * count, encodeField(kind, count, applies && v ? get(v) : null)]);
    });
  }
  return out;
}

export type DigitalInputWrite =
  | {
      readonly ok: true;
      readonly input: DigitalInputName;
      readonly field: DigitalInputField;
      readonly value: number;
    }
  | { readonly ok: false; readonly reason: 'not-writable' | 'bad-value' };

/** Recognises an FC 16 on a writable field (register = address + 1), and its value. */
export function digitalInputWrite(register: number, values: readonly number[]): DigitalInputWrite {
  for (const [first, field, type, count] of WRITABLE) {
    const i = DIGITAL_INPUTS.findIndex((_, k) => first + k * count === register);
    const input = DIGITAL_INPUTS[i];
    if (input === undefined) continue;
    if (values.length !== count) return { ok: false, reason: 'not-writable' };
    const format: DataFormat = { type };
    const marker = DataTypes[type].invalid;
    if (marker.every((w, k) => w === values[k])) return { ok: false, reason: 'bad-value' };
    const value = Number(decodeValue(format, values));
    if (!Number.isSafeInteger(value) || value < 0) return { ok: false, reason: 'bad-value' };
    return { ok: true, input, field, value };
  }
  return { ok: false, reason: 'not-writable' };
}
