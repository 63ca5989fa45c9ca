/**
 * S11 certificate replacement by an admin, on the real HTTPS Part with the
 * injected clock: a CA-issued pair made here with @peculiar/x509 (a tiny CA
 * and a leaf) is accepted through PUT /api/v1/certificate, a NEW TLS
 * connection verifies it against that CA without a restart, the key file is
 * 0600 and HSTS turns on. A mismatched key, an expired or not-yet-valid leaf,
 * a wrong chain order, a P-521 key and garbage PEM are each refused with 400
 * and the files unchanged.
 */
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { connect, type PeerCertificate } from 'node:tls';
import * as x509 from '@peculiar/x509';
import { createWebServer, type WebServer } from '../../src/api/server.js';
import { openDatabase } from '../../src/db/database.js';
import { ManualClock } from '../../src/shared/clock.js';
import { silentLogger } from '../../src/shared/logger.js';
import { origin, webDefaults } from '../fixtures/security/harness.js';

x509.cryptoProvider.set(webcrypto as never);
const view = <T>(v: T) => ({ get: () => v, subscribe: () => () => {} });
const DAY = 86_400_000;
type Curve = 'P-256' | 'P-384' | 'P-521';
const alg = (namedCurve: Curve = 'P-256') => ({ name: 'ECDSA', namedCurve, hash: 'SHA-256' });

function pem(label: string, der: ArrayBuffer): string {
  const b64 = Buffer.from(der)
    .toString('base64')
    .replace(/(.{64})/g, '$1\n');
  return `-----BEGIN ${label}-----\n${b64.trimEnd()}\n-----END ${label}-----\n`;
}

async function keys(curve: Curve = 'P-256') {
  return (await webcrypto.subtle.generateKey(alg(curve), true, [
    'sign',
    'verify',
  ])) as webcrypto.CryptoKeyPair;
}

const keyPem = async (k: webcrypto.CryptoKeyPair) =>
  pem('PRIVATE KEY', await webcrypto.subtle.exportKey('pkcs8', k.privateKey));

async function makeCa(now: number) {
  const k = await keys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=Wattgate Test CA',
    notBefore: new Date(now - DAY),
    notAfter: new Date(now + 365 * DAY),
    signingAlgorithm: alg(),
    keys: k as never,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    ],
  });
  return { keys: k, cert, pem: cert.toString('pem') };
}

async function makeLeaf(
  ca: Awaited<ReturnType<typeof makeCa>>,
  from: number,
  to: number,
  curve: Curve = 'P-256',
) {
  const k = await keys(curve);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: '02',
    subject: 'CN=localhost, O=Wattgate test',
    issuer: ca.cert.subject,
    notBefore: new Date(from),
    notAfter: new Date(to),
    signingAlgorithm: alg(),
    publicKey: k.publicKey as never,
    signingKey: ca.keys.privateKey as never,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([
        { type: 'dns', value: 'localhost' },
        { type: 'ip', value: '127.0.0.1' },
      ]),
    ],
  });
  return { pem: cert.toString('pem'), key: await keyPem(k) };
}

let dataDir: string;
let part: WebServer;
let db: ReturnType<typeof openDatabase>;
// Wall time: the TLS client checks validity on the real clock.
const clock = new ManualClock(Math.floor(Date.now() / 1000) * 1000);
let port = 0;
before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'wattgate-cert-'));
  db = openDatabase({ path: join(dataDir, 'settings.db'), profile: 'durable' });
  part = createWebServer({
    log: silentLogger,
    clock,
    dataDir,
    db,
    web: view(webDefaults()),
    networks: view({ ETH1: { addresses: ['127.0.0.1'], description: '' } }),
    installation: { id: 'test', serial: 'WG2601100AB', createdAt: '' },
    showDeviceCode: () => {},
    portOverride: 0,
  });
  await part.start();
  port = Number(part.addresses()[0]?.split(':').pop());
});
after(async () => {
  await part.stop();
  db.close();
  rmSync(dataDir, { recursive: true, force: true });
});

function adminHeaders(): Record<string, string> {
  const admin = part.security.accounts.get('admin');
  assert.ok(admin);
  const s = part.security.sessions.create(admin.id, clock.now());
  return { ...origin, cookie: `__Host-wg_session=${s.token}`, 'x-csrf-token': s.csrfToken };
}

const app = () => {
  assert.ok(part.app);
  return part.app;
};

const put = (certificate: string, privateKey: string) =>
  app().inject({
    method: 'PUT',
    url: '/api/v1/certificate',
    headers: adminHeaders(),
    payload: { certificate, privateKey },
  });

const tlsFiles = () => {
  const dir = join(dataDir, 'tls');
  return Object.fromEntries(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
};

function peer(opts: { ca?: string }): Promise<PeerCertificate> {
  return new Promise((resolve, reject) => {
    const socket = connect(
      {
        host: '127.0.0.1',
        port,
        servername: 'localhost',
        ...(opts.ca ? { ca: opts.ca } : { rejectUnauthorized: false }),
      },
      () => {
        const c = socket.getPeerCertificate();
        socket.end();
        resolve(c);
      },
    );
    socket.on('error', reject);
  });
}

test('S11: invalid uploads are refused with 400 and a reason, nothing changes', async () => {
  const now = clock.now();
  const ca = await makeCa(now);
  const good = await makeLeaf(ca, now - DAY, now + 90 * DAY);
  const other = await makeLeaf(ca, now - DAY, now + 90 * DAY);
  const expired = await makeLeaf(ca, now - 90 * DAY, now - DAY);
  const future = await makeLeaf(ca, now + DAY, now + 90 * DAY);
  const p521 = await makeLeaf(ca, now - DAY, now + 90 * DAY, 'P-521');
  const garbage = '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n';
  const cases: Array<[string, string, string, RegExp]> = [
    ['mismatched key', good.pem + ca.pem, other.key, /does not match the leaf/],
    ['expired leaf', expired.pem + ca.pem, expired.key, /expired/],
    ['not yet valid leaf', future.pem + ca.pem, future.key, /not valid before/],
    ['wrong chain order', ca.pem + good.pem, good.key, /does not match|chain order/],
    ['P-521 key', p521.pem + ca.pem, p521.key, /only P-256 and P-384/],
    ['garbage certificate PEM', garbage, good.key, /not a valid X\.509/],
    ['garbage text', 'hello', 'world', /no PEM certificate/],
    [
      'garbage key PEM',
      good.pem,
      '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n',
      /private key/,
    ],
  ];
  const before = tlsFiles();
  const info = (
    await app().inject({ method: 'GET', url: '/api/v1/certificate', headers: adminHeaders() })
  ).json();
  assert.equal(info.selfSigned, true);
  for (const [what, cert, key, reason] of cases) {
    const res = await put(cert, key);
    assert.equal(res.statusCode, 400, `${what}: ${res.body}`);
    assert.match(res.body, reason, what);
    assert.deepEqual(tlsFiles(), before, `${what}: files unchanged`);
  }
  // Chain order with the right leaf first but a stranger as its "issuer".
  const ca2 = await makeCa(now);
  const wrongIssuer = await put(good.pem + ca2.pem, good.key);
  assert.equal(wrongIssuer.statusCode, 400);
  assert.match(wrongIssuer.body, /chain order/);
  assert.deepEqual(tlsFiles(), before);
  const health = await app().inject({ method: 'GET', url: '/api/v1/health', headers: origin });
  assert.equal(health.headers['strict-transport-security'], undefined, 'no HSTS with the self-signed one');
});

test('S11: a CA-issued pair is installed, new TLS connections see it, HSTS turns on', async () => {
  const now = clock.now();
  const ca = await makeCa(now);
  const leaf = await makeLeaf(ca, now - DAY, now + 90 * DAY);
  const old = await peer({});
  await assert.rejects(peer({ ca: ca.pem }), 'the self-signed one does not verify against the test CA');
  const res = await put(leaf.pem + ca.pem, leaf.key);
  assert.equal(res.statusCode, 200, res.body);
  const info = res.json() as Record<string, unknown>;
  assert.equal(info.selfSigned, false);
  assert.match(String(info.subject), /CN=localhost/);
  assert.match(String(info.issuer), /CN=Wattgate Test CA/);
  assert.equal(info.notAfter, new Date(now + 90 * DAY).toISOString());
  const seen = await peer({ ca: ca.pem });
  assert.equal(seen.fingerprint256, info.fingerprintSha256, 'a new connection sees the new certificate');
  assert.notEqual(seen.fingerprint256, old.fingerprint256);
  const files = tlsFiles();
  assert.deepEqual(Object.keys(files).sort(), ['cert.pem', 'key.pem'], 'no marker, no leftover');
  assert.equal(statSync(join(dataDir, 'tls', 'key.pem')).mode & 0o777, 0o600);
  const got = await app().inject({ method: 'GET', url: '/api/v1/certificate', headers: adminHeaders() });
  assert.deepEqual(got.json(), info);
  const health = await app().inject({ method: 'GET', url: '/api/v1/health', headers: origin });
  assert.match(String(health.headers['strict-transport-security']), /max-age=/);
});
