/**
 * SEC-C1 / S11 on the real HTTPS Part: per-installation ECDSA P-256 certificate
 * signed with SHA-256, key file 0600, two installs → different keys; sslscan
 * (Debian) sees only TLS 1.2/1.3, no CBC, no RSA key exchange.
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createWebServer } from '../../src/api/server.js';
import { openDatabase } from '../../src/db/database.js';
import { ManualClock } from '../../src/shared/clock.js';
import { silentLogger } from '../../src/shared/logger.js';
import { webDefaults } from '../fixtures/security/harness.js';
import { execFileAsync, hasCommand, peer } from '../support/peers.js';

const view = <T>(v: T) => ({ get: () => v, subscribe: () => () => {} });

async function install() {
  const dataDir = mkdtempSync(join(tmpdir(), 'wattgate-tls-'));
  const db = openDatabase({ path: join(dataDir, 'settings.db'), profile: 'durable' });
  let shown = '';
  const part = createWebServer({
    log: silentLogger,
    clock: new ManualClock(),
    dataDir,
    db,
    web: view(webDefaults()),
    networks: view({ ETH1: { addresses: ['127.0.0.1'], description: '' } }),
    installation: { id: 'test', serial: 'WG2601100AB', createdAt: '' },
    showDeviceCode: (t) => {
      shown += t;
    },
    portOverride: 0,
  });
  await part.start();
  return {
    part,
    dataDir,
    shown,
    port: Number(part.addresses()[0]?.split(':').pop()),
    async close() {
      await part.stop();
      db.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, rejectUnauthorized: false }, (res) => {
      let body = '';
      res.on('data', (c) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('S11/SEC-C1: unique ECDSA P-256 SHA-256 certificate, key 0600, device code file 0600', async (t) => {
  const a = await install();
  t.after(() => a.close());
  const b = await install();
  t.after(() => b.close());
  const certA = new X509Certificate(readFileSync(join(a.dataDir, 'tls/cert.pem')));
  const certB = new X509Certificate(readFileSync(join(b.dataDir, 'tls/cert.pem')));
  assert.equal(certA.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');
  assert.notEqual(
    certA.publicKey.export({ format: 'der', type: 'spki' }).toString('hex'),
    certB.publicKey.export({ format: 'der', type: 'spki' }).toString('hex'),
  );
  assert.equal(statSync(join(a.dataDir, 'tls/key.pem')).mode & 0o777, 0o600);
  assert.equal(statSync(join(a.dataDir, 'device-code')).mode & 0o777, 0o600);
  const code = readFileSync(join(a.dataDir, 'device-code'), 'utf8').trim();
  assert.ok(a.shown.includes(code), 'device code shown on the console once');
  const health = await get(a.port, '/api/v1/health');
  assert.equal(health.status, 200);
  const home = await get(a.port, '/');
  assert.equal(home.status, 302);
});

test('SEC-C1: sslscan sees only TLS 1.2/1.3 with ECDHE + AEAD, SHA-256 certificate', async (t) => {
  if (!peer(t, 'sslscan', await hasCommand('sslscan', ['--version']))) return;
  const a = await install();
  t.after(() => a.close());
  const { stdout } = await execFileAsync('sslscan', ['--no-colour', `127.0.0.1:${a.port}`], {
    timeout: 120_000,
  });
  const accepted = stdout.split('\n').filter((l) => /^(Preferred|Accepted)\s/.test(l));
  assert.ok(accepted.length > 0, stdout);
  for (const l of accepted) {
    assert.match(l, /TLSv1\.[23]/, l);
    assert.doesNotMatch(l, /CBC|SHA1?\s*$|AES\d+-SHA\b|RC4|DES|NULL/, l);
    if (l.includes('TLSv1.2')) assert.match(l, /ECDHE-(ECDSA|RSA)-(AES\d+-GCM|CHACHA20-POLY1305)/, l);
  }
  assert.match(stdout, /SSLv2\s+disabled/);
  assert.match(stdout, /SSLv3\s+disabled/);
  assert.match(stdout, /TLSv1\.0\s+disabled/);
  assert.match(stdout, /TLSv1\.1\s+disabled/);
  assert.match(stdout, /Signature Algorithm:\s+ecdsa-with-SHA256/);
  console.log(`sslscan: ${accepted.length} accepted suites, all TLS 1.2/1.3 ECDHE+AEAD`);
});
