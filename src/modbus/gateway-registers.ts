/**
 * The register map of the gateway unit (255), at the reference panel server's
 * addresses (reference/modbus-map/Panel_Server.tsv; PRODUCT G11, X1).
 * Register n is at protocol address n − 1; every table here names registers.
 *
 * What each block holds:
 * - identification strings: Wattgate's own `Identity` (identity.ts), ASCII,
 *   first character in the high byte, padded with NUL to the field's length —
 *   an empty string is therefore the reference's invalid marker (all zero);
 * - 116 date/time (DATETIME, 4 registers), UTC, from the injected clock;
 * - 159 health state (0 nominal, 1 degraded, 2 out of order);
 * - 501–1000 the wireless list: 100 slots of RF id (UINT64) + virtual address
 *   (UINT16); empty slots hold the invalid markers (all 0xFFFF);
 * - 1001–1448 the local digital inputs: their invalid markers here; with a
 *   provider, live values (gateway-digital-inputs.ts);
 * - 61443 product identifier (UINT16): Wattgate has no numeric product id,
 *   so it reports the invalid marker 0xFFFF.
 * Registers the reference does not list are unmapped (reads → exception 02).
 */
import { DataTypes } from '../protocol/modbus/index.js';
import type { Identity } from './identity.js';

/** String fields: register, length in registers, identity key. */
export const IdentityFields = [
  { register: 11, count: 16, key: 'productRange' },
  { register: 27, count: 16, key: 'productFamily' },
  { register: 43, count: 17, key: 'vendorUrl' },
  { register: 61, count: 16, key: 'productCode' },
  { register: 81, count: 6, key: 'hardwareVersion' },
  { register: 101, count: 6, key: 'serialNumber' },
  { register: 121, count: 6, key: 'firmwareVersion' },
  { register: 127, count: 16, key: 'capabilities' },
  { register: 143, count: 16, key: 'additionalCapabilities' },
  { register: 160, count: 16, key: 'vendorName' },
  { register: 5638, count: 32, key: 'userApplicationName' },
  { register: 61444, count: 16, key: 'modelName' },
] as const satisfies ReadonlyArray<{ register: number; count: number; key: keyof Identity }>;

export const DATETIME_REGISTER = 116;
export const DATETIME_COUNT = 4;
export const HEALTH_REGISTER = 159;
export const PRODUCT_IDENTIFIER_REGISTER = 61443;

export const WIRELESS_LIST_REGISTER = 501;
export const WIRELESS_SLOTS = 100;
/** Registers per slot: RF id (4) + virtual address (1). */
export const WIRELESS_SLOT_REGISTERS = 5;

export const HealthStates = { NOMINAL: 0, DEGRADED: 1, OUT_OF_ORDER: 2 } as const;
export type HealthState = (typeof HealthStates)[keyof typeof HealthStates];

type InvalidType = 'uint16' | 'uint32' | 'int64' | 'float32' | 'datetime' | 'string';

/**
 * Digital inputs: [first register, registers per field,
 * type, how many consecutive fields]. Rows follow the reference's table
 * (DI1/DI2 pairs); 1131–1172 and 1177–1218 are gaps there too.
 */
export const DigitalInputBlocks = [
  [1001, 1, 'uint16', 4],
  [1005, 20, 'string', 2],
  [1045, 3, 'string', 2],
  [1051, 1, 'uint16', 4],
  [1055, 2, 'uint32', 4],
  [1063, 4, 'datetime', 2],
  [1071, 2, 'uint32', 4],
  [1079, 4, 'datetime', 2],
  [1087, 2, 'float32', 2],
  [1091, 4, 'int64', 6],
  [1115, 4, 'datetime', 2],
  [1123, 4, 'int64', 2],
  [1173, 2, 'float32', 2],
  [1219, 1, 'uint16', 8],
  [1227, 10, 'string', 6],
  [1287, 1, 'uint16', 2],
  [1289, 20, 'string', 8],
] as const satisfies ReadonlyArray<readonly [number, number, InvalidType, number]>;

/** The invalid marker of `type` over `count` registers (codec's data-type table). */
export function invalidWords(type: InvalidType, count: number): number[] {
  const marker = DataTypes[type].invalid;
  if (marker === 'zero') return new Array<number>(count).fill(0);
  return [...marker];
}

/** Every digital-input field as [register, words]. */
export function digitalInputFields(): Array<[number, number[]]> {
  const out: Array<[number, number[]]> = [];
  for (const [first, count, type, repeat] of DigitalInputBlocks) {
    for (let i = 0; i < repeat; i++) out.push([first + i * count, invalidWords(type, count)]);
  }
  return out;
}

/** ASCII into `count` registers, high byte first, NUL-padded (identity already checked). */
export function asciiWords(text: string, count: number): number[] {
  const words = new Array<number>(count).fill(0);
  for (let i = 0; i < Math.min(text.length, 2 * count); i++) {
    const c = text.charCodeAt(i) & 0xff;
    const w = i >> 1;
    words[w] = (words[w] ?? 0) | (i % 2 === 0 ? c << 8 : c);
  }
  return words;
}

/** One wireless slot: RF id (UINT64, big-endian words) + virtual address; invalid when out of range. */
export function wirelessSlotWords(entry: { rfId: bigint; virtualId: number } | undefined): number[] {
  const empty = new Array<number>(WIRELESS_SLOT_REGISTERS).fill(0xffff);
  if (entry === undefined) return empty;
  const { rfId, virtualId } = entry;
  if (
    BigInt.asUintN(64, rfId) !== rfId ||
    !Number.isInteger(virtualId) ||
    virtualId < 0 ||
    virtualId > 0xffff
  )
    return empty;
  const words = [48n, 32n, 16n, 0n].map((shift) => Number((rfId >> shift) & 0xffffn));
  return [...words, virtualId];
}
