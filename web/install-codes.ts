/**
 * Install codes as people type them from a label (PRODUCT W2): 36 hex digits
 * each, in any case, grouped by spaces or dashes, one per line or separated by
 * commas. Pure, no DOM (fuzzed in test/fuzz/install-codes.test.ts).
 */

/** Codes normalised to 36 upper-case hex digits, and the pieces that are not codes, as typed. */
export function parseInstallCodes(text: string): { codes: string[]; bad: string[] } {
  const codes: string[] = [];
  const bad: string[] = [];
  for (const line of text.split(/\n|,/)) {
    const raw = line.trim();
    if (raw === '') continue;
    const hex = raw.replace(/[\s-]/g, '').toUpperCase();
    if (/^[0-9A-F]{36}$/.test(hex)) codes.push(hex);
    else bad.push(raw);
  }
  return { codes, bad };
}
