/**
 * Zigbee install codes (PRODUCT W2; issue 15 item 5), pure: no I/O, never
 * throws. Wattgate's install codes are 36 hex digits: a 128-bit (16-byte)
 * code followed by its CRC-16/X-25 (also called CRC-16/IBM-SDLC: polynomial
 * 0x1021 reflected = 0x8408, initial value 0xFFFF, final XOR 0xFFFF), the two
 * CRC bytes least significant first — as the Zigbee specification defines
 * it (its test vector: code 83FED3407A939723A5C639B26916D505, CRC bytes
 * C3 B5). Codes are accepted as printed on labels: any case, grouped by
 * spaces or dashes. The checksum catches a mistyped digit.
 */

/** Hex digits of an install code with its CRC: 16 bytes + 2. */
export const INSTALL_CODE_DIGITS = 36;

/** CRC-16/X-25 of `bytes` (check value: "123456789" → 0x906E). */
export function crc16X25(bytes: Uint8Array): number {
  let crc = 0xffff;
  for (const b of bytes) {
    crc ^= b;
    for (let i = 0; i < 8; i++) crc = crc & 1 ? (crc >>> 1) ^ 0x8408 : crc >>> 1;
  }
  return crc ^ 0xffff;
}

/** The code as typed without spaces and dashes, upper case (not checked). */
export function normalizeInstallCode(text: string): string {
  return text.replace(/[\s-]/g, '').toUpperCase();
}

export type InstallCodeCheck =
  | { readonly ok: true; readonly code: string }
  | { readonly ok: false; readonly reason: 'format' | 'checksum'; readonly message: string };

/**
 * `ok` with the code as 36 upper-case hex digits, or why not, in a message
 * that names the code as typed: not 36 hex digits, or the checksum (the last
 * 4 digits) does not match the first 32 — which never says what the right
 * checksum would be (a typo in the code must not be "fixed" by changing it).
 */
export function checkInstallCode(text: string): InstallCodeCheck {
  const code = normalizeInstallCode(text);
  const shown = JSON.stringify(text.trim().slice(0, 80));
  if (!/^[0-9A-F]*$/.test(code) || code.length !== INSTALL_CODE_DIGITS)
    return {
      ok: false,
      reason: 'format',
      message: `install code ${shown}: ${INSTALL_CODE_DIGITS} hex digits expected (spaces and dashes allowed)`,
    };
  const bytes = Uint8Array.from(code.match(/../g) ?? [], (h) => Number.parseInt(h, 16));
  const crc = crc16X25(bytes.subarray(0, 16));
  if (bytes[16] !== (crc & 0xff) || bytes[17] !== crc >>> 8)
    return {
      ok: false,
      reason: 'checksum',
      message: `install code ${shown}: the checksum (its last 4 digits) does not match the code — likely a typo; check it against the label`,
    };
  return { ok: true, code };
}
