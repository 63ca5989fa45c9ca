/**
 * The web UI's install-code parser (web/install-codes.ts), fuzzed: any code
 * of 36 hex digits, typed in any case with any grouping by spaces and dashes,
 * on its own line or after a comma, comes back as the same 36 upper-case
 * digits; any piece that is not 36 hex digits once spaces and dashes are
 * removed is reported as typed and never becomes a code; arbitrary text never
 * throws. The oracle is the definition itself (a regular expression over the
 * digits alone), not the parser's own output.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseInstallCodes } from '../../web/install-codes.js';

const hexDigit = fc.constantFrom(...'0123456789abcdefABCDEF'.split(''));
const code = fc.array(hexDigit, { minLength: 36, maxLength: 36 }).map((d) => d.join(''));
const separator = fc.constantFrom('', ' ', '-', ' - ', '  ');

/** The code typed with a separator after some of its digits. */
const typed = fc
  .tuple(code, fc.array(fc.tuple(fc.integer({ min: 1, max: 35 }), separator), { maxLength: 8 }))
  .map(([c, cuts]) => {
    const at = new Map(cuts);
    return { digits: c.toUpperCase(), text: [...c].map((ch, i) => ch + (at.get(i + 1) ?? '')).join('') };
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
    { numRuns: 2000 },
  );
});

test('anything else is reported, never a code; arbitrary text never throws', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 200 }), (text) => {
      const r = parseInstallCodes(text);
      for (const c of r.codes) assert.match(c, /^[0-9A-F]{36}$/);
      for (const b of r.bad) assert.doesNotMatch(b.replace(/[\s-]/g, ''), /^[0-9A-Fa-f]{36}$/);
      const pieces = text.split(/\n|,/).filter((p) => p.trim() !== '').length;
      assert.equal(r.codes.length + r.bad.length, pieces);
    }),
    { numRuns: 5000 },
  );
  assert.deepEqual(parseInstallCodes('83FE-D340 7A93 9723\nnot a code, 12'), {
    codes: [],
    bad: ['83FE-D340 7A93 9723', 'not a code', '12'],
  });
});
