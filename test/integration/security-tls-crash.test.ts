/**
 * S11 / SECURITY I3 for certificate replacement: a crash (kill -9, power loss)
 * at ANY point of the replacement leaves either the old or the new pair, never
 * a certificate with the wrong key, and the "generated" flag (which decides
 * HSTS) always describes the certificate actually installed.
 *
 * The replacement's file operations (src/security/tls-replace.ts header) are
 * enumerated; for every prefix of them — a crash after step k, including a
 * torn temporary file of the atomic write — the next start runs
 * `finishPendingReplacement` then `ensureTlsMaterial`, and the result must be
 * a consistent pair: Node builds a TLS context from it, the key matches the
 * certificate, and the flag is right. Likewise for the first-start
 * generation (marker, key, certificate).
 */
import assert from 'node:assert/strict';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createSecureContext } from 'node:tls';
import { writeFileAtomic } from '../../src/db/atomic-file.js';
import {
  ensureTlsMaterial,
  generateSelfSigned,
  TLS_DIR,
  type TlsMaterial,
} from '../../src/security/tls-cert.js';
import { finishPendingReplacement } from '../../src/security/tls-replace.js';

const NOW = Date.UTC(2026, 10, 27);

function consistent(m: TlsMaterial): void {
  createSecureContext({ cert: m.cert, key: m.key });
  assert.ok(new X509Certificate(m.cert).checkPrivateKey(createPrivateKey(m.key)), 'key matches certificate');
}

test('S11: a crash at any step of a certificate replacement leaves the old or the new pair, flag right', async () => {
  const upload = await generateSelfSigned('uploaded.example', NOW);
  const steps = (dir: string): Array<() => void> => {
    const t = join(dir, TLS_DIR);
    return [
      () => writeFileSync(join(t, '.cert.next.123.torn.tmp'), upload.cert.slice(0, 50)),
      () => writeFileAtomic(join(t, 'cert.next'), upload.cert, { mode: 0o644 }),
      () => writeFileSync(join(t, '.key.next.123.torn.tmp'), upload.key.slice(0, 30)),
      () => writeFileAtomic(join(t, 'key.next'), upload.key, { mode: 0o600 }),
      () => renameSync(join(t, 'cert.next'), join(t, 'cert.pem')),
      () => renameSync(join(t, 'key.next'), join(t, 'key.pem')),
      () => rmSync(join(t, 'self-signed'), { force: true }),
    ];
  };
  const outcomes: string[] = [];
  for (let k = 0; k <= 7; k++) {
    const dir = mkdtempSync(join(tmpdir(), 'wattgate-tls-crash-'));
    try {
      const old = await ensureTlsMaterial(dir, 'Wattgate test', NOW);
      assert.equal(old.selfSigned, true);
      for (const step of steps(dir).slice(0, k)) step();
      // …crash here; next start:
      finishPendingReplacement(dir);
      const m = await ensureTlsMaterial(dir, 'Wattgate test', NOW);
      consistent(m);
      const which = m.cert === old.cert ? 'old' : m.cert === upload.cert ? 'new' : 'other';
      assert.notEqual(which, 'other', `after step ${k}`);
      assert.equal(
        m.selfSigned,
        which === 'old',
        `after step ${k}: the flag describes the ${which} certificate`,
      );
      assert.ok(!existsSync(join(dir, TLS_DIR, 'cert.next')) && !existsSync(join(dir, TLS_DIR, 'key.next')));
      outcomes.push(which);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  // Before key.next is complete the upload is dropped; from then on it is rolled forward.
  assert.deepEqual(outcomes, ['old', 'old', 'old', 'old', 'new', 'new', 'new', 'new']);
});

test('S11: a crash during first-start generation never leaves a generated pair flagged as uploaded', async () => {
  const made = await generateSelfSigned('x', NOW);
  for (let k = 0; k <= 3; k++) {
    const dir = mkdtempSync(join(tmpdir(), 'wattgate-tls-gen-'));
    try {
      const t = join(dir, TLS_DIR);
      const steps = [
        () => writeFileAtomic(join(t, 'self-signed'), `${new X509Certificate(made.cert).fingerprint256}\n`),
        () => writeFileAtomic(join(t, 'key.pem'), made.key),
        () => writeFileAtomic(join(t, 'cert.pem'), made.cert),
      ];
      mkdirSync(t, { recursive: true });
      for (const step of steps.slice(0, k)) step();
      const m = await ensureTlsMaterial(dir, 'Wattgate test', NOW);
      consistent(m);
      assert.equal(m.selfSigned, true, `after step ${k}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
});
