/**
 * Radio ids (IEEE EUI-64): 16 hex digits in the configuration and the API,
 * a bigint inside, UINT64 in unit 255's wireless list (registers 501–1000).
 */
import { ErrorCodes, WattgateError } from '../shared/errors.js';
import type { RfId } from './driver.js';

const HEX16 = /^[0-9A-Fa-f]{16}$/;

/** "00124B0012345678" → 0x00124b0012345678n; INVALID_ARGUMENT when not 16 hex digits. */
export function parseRfId(hex: string): RfId {
  if (!HEX16.test(hex)) {
    throw new WattgateError(ErrorCodes.INVALID_ARGUMENT, `radio id must be 16 hex digits, got "${hex}"`);
  }
  return BigInt(`0x${hex}`);
}

/** 0x00124b0012345678n → "00124B0012345678". */
export function formatRfId(rfId: RfId): string {
  return BigInt.asUintN(64, rfId).toString(16).toUpperCase().padStart(16, '0');
}
