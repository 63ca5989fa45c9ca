// Install codes (install-code.ts): the CRC-16/X-25 against the published check
// value and the Zigbee specification's install-code vector, against a second
// formulation of the same CRC written differently here (MSB-first CRC-CCITT on
// bit-reversed bytes, result reversed); codes typed as on labels. The second
// implementation (python3-crcmod) is a peer: test/integration/install-code-crcmod.test.ts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { checkInstallCode, crc16X25, normalizeInstallCode } from './install-code.js';

const hex = (s: string) => Uint8Array.from(Buffer.from(s, 'hex'));
const reflect = (v: number, bits: number) => {
  let r = 0;
  for (let i = 0; i < bits; i++) if (v & (1 << i)) r |= 1 << (bits - 1 - i);
  return r;
};
/** X-25 as the non-reflected CCITT CRC (poly 0x1021, MSB first) of the bit-reversed bytes, reversed, XOR 0xFFFF. */
function x25Oracle(bytes: Uint8Array): number {
  let crc = 0xffff;
  for (const b of bytes) {
    crc ^= reflect(b, 8) << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return reflect(crc, 16) ^ 0xffff;
}

/** A code of 16 bytes followed by its CRC, least significant byte first. */
const withCrc = (body: Uint8Array) => {
  const crc = x25Oracle(body);
  return Buffer.concat([body, Uint8Array.of(crc & 0xff, crc >>> 8)])
    .toString('hex')
    .toUpperCase();
};

test('CRC-16/X-25: check value, the Zigbee install-code vector', () => {
  assert.equal(crc16X25(new TextEncoder().encode('123456789')), 0x906e);
  assert.equal(crc16X25(new Uint8Array()), 0x0000);
  const spec = hex('83FED3407A939723A5C639B26916D505');
  assert.equal(crc16X25(spec), 0xb5c3); // sent C3 B5
  assert.deepEqual(checkInstallCode('83FE D340 7A93 9723 A5C6 39B2 6916 D505 C3B5'), {
    ok: true,
    code: '83FED3407A939723A5C639B26916D505C3B5',
  });
  assert.equal(checkInstallCode('83FED3407A939723A5C639B26916D505B5C3').ok, false, 'CRC bytes swapped');
});

test('CRC-16/X-25 agrees with a second formulation on any bytes', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (b) => assert.equal(crc16X25(b), x25Oracle(b))),
    { numRuns: 5000 },
  );
});

test('a code with its checksum is accepted as typed; any one digit changed is refused, naming it', () => {
  const digit = fc.integer({ min: 0, max: 35 });
  fc.assert(
    fc.property(
      fc.uint8Array({ minLength: 16, maxLength: 16 }),
      digit,
      fc.integer({ min: 1, max: 15 }),
      (b, at, d) => {
        const code = withCrc(b);
        const label = (code.toLowerCase().match(/.{4}/g) ?? []).join(' - ');
        assert.deepEqual(checkInstallCode(label), { ok: true, code });
        const wrong =
          code.slice(0, at) + (Number.parseInt(code[at] ?? '0', 16) ^ d).toString(16) + code.slice(at + 1);
        const r = checkInstallCode(wrong);
        assert.equal(r.ok, false);
        if (!r.ok) {
          assert.equal(r.reason, 'checksum');
          assert.ok(r.message.includes(`"${wrong}"`), r.message);
        }
      },
    ),
    { numRuns: 3000 },
  );
  const short = checkInstallCode('83FE-D340');
  assert.equal(short.ok ? '' : short.reason, 'format');
  assert.equal(normalizeInstallCode(' 83fe-d340 7a93\t'), '83FED3407A93');
  assert.equal(checkInstallCode('X'.repeat(36)).ok, false);
});
