/**
 * The web UI's install-code parser (web/install-codes.ts), fuzzed: any code
 * of 16 bytes and its CRC-16/X-25 (36 hex digits), typed in any case with any
 * grouping by spaces and dashes, on its own line or after a comma, comes back
 * as the same 36 upper-case digits; the same code with one digit mistyped is
 * reported as typed and never becomes a code; any piece that is not 36 hex
 * digits once spaces and dashes are removed is reported; arbitrary text never
 * throws. Oracles: the codes are built with the server's CRC
 * (src/protocol/zigbee/install-code.ts, itself checked against crcmod and the
 * Zigbee vector), and the page and the server agree on every piece — the page
 * never sends a code the server would refuse, nor reports one it would take.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { checkInstallCode, crc16X25 } from '../../src/protocol/zigbee/install-code.js';
import { installCodeProblem, parseInstallCodes, crc16X25 as webCrc } from '../../web/install-codes.js';

const RUNS = Number(process.env.WATTGATE_FUZZ_RUNS ?? 0) || 3000;

/** 16 bytes and their CRC (least significant byte first), as 36 hex digits in a random case. */
const code = fc.tuple(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.boolean()).map(([b, lower]) => {
  const crc = crc16X25(b);
  const h = Buffer.concat([b, Uint8Array.of(crc & 0xff, crc >>> 8)]).toString('hex');
  return lower ? h : h.toUpperCase();
});
const separator = fc.constantFrom('', ' ', '-', ' - ', '  ');

/** The code typed with a separator after some of its digits. */
const typed = fc
  .tuple(code, fc.array(fc.tuple(fc.integer({ min: 1, max: 35 }), separator), { maxLength: 8 }))
  .map(([c, cuts]) => {
    const at = new Map(cuts);
    return { digits: c.toUpperCase(), text: [...c].map((ch, i) => ch + (at.get(i + 1) ?? '')).join('') };
  });

test('the page and the server compute the same CRC-16/X-25', () => {
  assert.equal(webCrc([...new TextEncoder().encode('123456789')]), 0x906e);
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 40 }), (b) => assert.equal(webCrc([...b]), crc16X25(b))),
    { numRuns: RUNS },
  );
});

test('install codes as typed from labels come back as 36 upper-case hex digits', () => {
  fc.assert(
    fc.property(
      fc.array(typed, { minLength: 1, maxLength: 5 }),
      fc.constantFrom('\n', ',', '\n\n'),
      (codes, sep) => {
        const r = parseInstallCodes(codes.map((c) => `  ${c.text} `).join(sep));
        assert.deepEqual(r.bad, []);
        assert.deepEqual(
          r.codes,
          codes.map((c) => c.digits),
        );
      },
    ),
    { numRuns: RUNS },
  );
});

test('one mistyped digit: reported as typed, never a code', () => {
  fc.assert(
    fc.property(typed, fc.nat(), fc.integer({ min: 1, max: 15 }), (c, pick, flip) => {
      const digits = [...c.text].map((ch, i) => [ch, i] as const).filter(([ch]) => /[0-9a-f]/i.test(ch));
      const [ch, at] = digits[pick % digits.length] ?? ['0', 0];
      const wrong =
        c.text.slice(0, at) + (Number.parseInt(ch, 16) ^ flip).toString(16) + c.text.slice(at + 1);
      const r = parseInstallCodes(`${c.text}\n${wrong}`);
      assert.deepEqual(r, { codes: [c.digits], bad: [wrong.trim()] });
      assert.match(installCodeProblem(wrong) ?? '', /checksum .*does not match.*typo/);
    }),
    { numRuns: RUNS },
  );
});

test('anything else is reported, never a code; the page agrees with the server; text never throws', () => {
  const piece = fc.oneof(
    fc.string({ maxLength: 60 }),
    typed.map((t) => t.text),
    code,
  );
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 6 }), fc.constantFrom('\n', ','), (pieces, sep) => {
      const text = pieces.join(sep);
      const r = parseInstallCodes(text);
      for (const c of r.codes) assert.deepEqual(checkInstallCode(c), { ok: true, code: c });
      for (const b of r.bad) assert.equal(checkInstallCode(b).ok, false, b);
      for (const p of text.split(/\n|,/).filter((x) => x.trim() !== ''))
        assert.equal(installCodeProblem(p.trim()) === undefined, checkInstallCode(p).ok, p);
      const count = text.split(/\n|,/).filter((p) => p.trim() !== '').length;
      assert.equal(r.codes.length + r.bad.length, count);
    }),
    { numRuns: RUNS },
  );
  assert.deepEqual(
    parseInstallCodes(
      '83FE-D340 7A93 9723 A5C6 39B2 6916 D505 C3B5\n83FE-D340 7A93 9723 A5C6 39B2 6916 D505 C3B4\nnot a code, 12',
    ),
    {
      codes: ['83FED3407A939723A5C639B26916D505C3B5'],
      bad: ['83FE-D340 7A93 9723 A5C6 39B2 6916 D505 C3B4', 'not a code', '12'],
    },
  );
});
