/**
 * Install codes' CRC-16/X-25 (src/protocol/zigbee/install-code.ts) against a
 * second implementation: Debian's python3-crcmod, predefined 'x-25', on 2000
 * random byte strings (a peer: under CI=true a missing crcmod fails the run).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import fc from 'fast-check';
import { crc16X25 } from '../../src/protocol/zigbee/install-code.js';
import { execFileAsync, peer } from '../support/peers.js';
import { PYTHON } from '../support/pymodbus.js';

const hex = (h: string) => Uint8Array.from(Buffer.from(h, 'hex'));

test('CRC-16/X-25 agrees with crcmod (peer) on random bytes', async (t) => {
  const available = await execFileAsync(PYTHON, ['-c', 'import crcmod.predefined'], { timeout: 20_000 }).then(
    () => true,
    () => false,
  );
  if (!peer(t, 'crcmod', available)) return;
  const inputs = fc.sample(fc.uint8Array({ maxLength: 40 }), 2000).map((b) => Buffer.from(b).toString('hex'));
  const script = [
    'import sys, crcmod.predefined',
    "f = crcmod.predefined.mkCrcFun('x-25')",
    "print('\\n'.join(str(f(bytes.fromhex(l.strip()))) for l in sys.stdin.read().split('\\n')))",
  ].join('\n');
  const stdout = await new Promise<string>((resolve, reject) => {
    const child = execFile(PYTHON, ['-c', script], { timeout: 30_000 }, (err, out, stderr) =>
      err ? reject(new Error(`${err.message}: ${stderr}`)) : resolve(out),
    );
    child.stdin?.end(inputs.join('\n'));
  });
  const theirs = stdout.trim().split('\n').map(Number);
  assert.equal(theirs.length, inputs.length);
  for (const [i, h] of inputs.entries()) assert.equal(crc16X25(hex(h)), theirs[i], `bytes ${h}`);
});
