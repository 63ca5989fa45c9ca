/**
 * The installation's TLS certificate (PRODUCT S11, SECURITY C1). At first
 * start a fresh ECDSA P-256 key pair (Node webcrypto) and a self-signed X.509v3
 * certificate signed with ECDSA-SHA256 are made (@peculiar/x509), so two
 * installations never share a key. Stored in `<dataDir>/tls/`: `cert.pem`
 * (0644) and `key.pem` (0600, PKCS#8), written atomically, key first.
 * Extensions: basicConstraints CA:false, keyUsage digitalSignature,
 * extKeyUsage serverAuth, subjectAltName (localhost, 127.0.0.1, ::1, the host
 * name), subjectKeyIdentifier. Validity 10 years (a device certificate; the
 * admin can replace it with a CA-issued one, and only then is HSTS sent).
 */
import 'reflect-metadata';
import { webcrypto, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import { writeFileAtomic } from '../db/atomic-file.js';

export const TLS_DIR = 'tls';
const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const VALIDITY_MS = 10 * 365.25 * 86_400_000;

export interface TlsMaterial {
  cert: string;
  key: string;
  /** True when the certificate is the generated self-signed one (no HSTS then). */
  selfSigned: boolean;
}

function pem(label: string, der: ArrayBuffer): string {
  const b64 = Buffer.from(der)
    .toString('base64')
    .replace(/(.{64})/g, '$1\n');
  return `-----BEGIN ${label}-----\n${b64.trimEnd()}\n-----END ${label}-----\n`;
}

/** Makes a new key pair and self-signed certificate (PEM strings). */
export async function generateSelfSigned(
  commonName: string,
  now: number,
): Promise<{ cert: string; key: string }> {
  const crypto = webcrypto as unknown as NonNullable<
    Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[1]
  >;
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const host = hostname();
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: Buffer.from(webcrypto.getRandomValues(new Uint8Array(16)))
        .toString('hex')
        .replace(/^[89a-f]/, '1'),
      name: `CN=${commonName.replace(/[,=+<>#;"\\]/g, '_')}, O=Wattgate`,
      notBefore: new Date(now - 60_000),
      notAfter: new Date(now + VALIDITY_MS),
      signingAlgorithm: ALG,
      keys: keys as unknown as Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[0]['keys'],
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        new x509.SubjectAlternativeNameExtension([
          { type: 'dns', value: 'localhost' },
          { type: 'dns', value: host },
          { type: 'ip', value: '127.0.0.1' },
          { type: 'ip', value: '::1' },
        ]),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey as never, false, crypto),
      ],
    },
    crypto,
  );
  const key = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return { cert: cert.toString('pem'), key: pem('PRIVATE KEY', key) };
}

/** Loads the installation's certificate, generating it at first start. */
export async function ensureTlsMaterial(
  dataDir: string,
  commonName: string,
  now: number,
): Promise<TlsMaterial> {
  const dir = join(dataDir, TLS_DIR);
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  const selfSignedMarker = join(dir, 'self-signed');
  if (!existsSync(certFile) || !existsSync(keyFile)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const made = await generateSelfSigned(commonName, now);
    // Marker first (it names the generated certificate), then key, then certificate: a crash at
    // any point leaves a missing file (regenerated at the next start) or a complete pair.
    writeFileAtomic(selfSignedMarker, `${fingerprint(made.cert)}\n`, { mode: 0o600 });
    writeFileAtomic(keyFile, made.key, { mode: 0o600 });
    writeFileAtomic(certFile, made.cert, { mode: 0o644 });
  }
  const cert = readFileSync(certFile, 'utf8');
  return { cert, key: readFileSync(keyFile, 'utf8'), selfSigned: isGenerated(selfSignedMarker, cert) };
}

const fingerprint = (certPem: string) => new X509Certificate(certPem).fingerprint256;

/**
 * The installed certificate is the generated one when the marker names its
 * fingerprint (an empty marker, written by 0.1 installations, counts as yes). A
 * marker left behind by an interrupted replacement names the old certificate,
 * so the uploaded one is never mistaken for the generated one.
 */
function isGenerated(marker: string, certPem: string): boolean {
  if (!existsSync(marker)) return false;
  const named = readFileSync(marker, 'utf8').trim();
  return named === '' || named === fingerprint(certPem);
}
