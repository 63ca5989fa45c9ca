/**
 * Install codes as people type them from a label (PRODUCT W2; issue 15 item
 * 5): 36 hex digits each, in any case, grouped by spaces or dashes, one per
 * line or separated by commas. The last 4 digits are the CRC-16/X-25 of the
 * first 32 (16 bytes), least significant byte first, as Zigbee defines it: a
 * code whose checksum does not match is a typo and is reported, never sent.
 * The server checks the same (src/protocol/zigbee/install-code.ts; the web
 * UI imports nothing from src/, hence this copy of the CRC). Pure, no DOM
 * (fuzzed in test/fuzz/install-codes.test.ts).
 */

/** CRC-16/X-25 (IBM-SDLC): polynomial 0x1021 reflected (0x8408), initial 0xFFFF, final XOR 0xFFFF. */
export function crc16X25(bytes: readonly number[]): number {
  let crc = 0xffff;
  for (const b of bytes) {
    crc ^= b;
    for (let i = 0; i < 8; i++) crc = crc & 1 ? (crc >>> 1) ^ 0x8408 : crc >>> 1;
  }
  return crc ^ 0xffff;
}

/** Why a piece as typed is not an install code (shown to the person), or undefined for a good code. */
export function installCodeProblem(raw: string): string | undefined {
  const hex = raw.replace(/[\s-]/g, '').toUpperCase();
  if (!/^[0-9A-F]{36}$/.test(hex))
    return `"${raw}": an install code has 36 hex digits (spaces and dashes allowed)`;
  const bytes = (hex.match(/../g) ?? []).map((h) => Number.parseInt(h, 16));
  const crc = crc16X25(bytes.slice(0, 16));
  if (bytes[16] !== (crc & 0xff) || bytes[17] !== crc >>> 8)
    return `"${raw}": the checksum (last 4 digits) does not match the code — likely a typo; check it against the label`;
  return undefined;
}

/** Codes normalised to 36 upper-case hex digits with a valid checksum, and the other pieces, as typed. */
export function parseInstallCodes(text: string): { codes: string[]; bad: string[] } {
  const codes: string[] = [];
  const bad: string[] = [];
  for (const line of text.split(/\n|,/)) {
    const raw = line.trim();
    if (raw === '') continue;
    if (installCodeProblem(raw) === undefined) codes.push(raw.replace(/[\s-]/g, '').toUpperCase());
    else bad.push(raw);
  }
  return { codes, bad };
}
