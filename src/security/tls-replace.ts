/**
 * Certificate replacement by an admin (PRODUCT S11, SECURITY C1). An upload is
 * a PEM chain (leaf first, then each issuer) and a PEM private key; it is
 * accepted only when
 * - every block parses, at most 8 certificates, nothing else in the chain text;
 * - the key is unencrypted EC P-256 / P-384 or RSA ≥ 2048 bits;
 * - the key matches the leaf certificate;
 * - the leaf is valid now (notBefore ≤ now ≤ notAfter, injected clock);
 * - each certificate is issued and signed by the next one;
 * - Node builds a TLS context from it with the server's options.
 * Any failure throws INVALID_ARGUMENT (400) with the reason, before any file is
 * touched. Then `<dataDir>/tls/` is replaced so a crash at any point leaves
 * either the old or the new pair: `cert.next` (0644) then `key.next` (0600)
 * are written atomically, then renamed over cert.pem and key.pem, then the
 * `self-signed` marker goes. `key.next` exists only once both are complete, so
 * `finishPendingReplacement` (called before loading) rolls a complete upload
 * forward and drops an incomplete one.
 */
import { createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto';
import { existsSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createSecureContext } from 'node:tls';
import { writeFileAtomic } from '../db/atomic-file.js';
import { ErrorCodes, WattgateError } from '../shared/errors.js';
import { TLS_DIR, type TlsMaterial } from './tls-cert.js';
import { tlsServerOptions } from './tls-options.js';

export const MAX_CHAIN_LENGTH = 8;
const CERT_BLOCK = /-----BEGIN CERTIFICATE-----\r?\n[A-Za-z0-9+/=\r\n]+-----END CERTIFICATE-----/g;
const EC_CURVES = new Set(['prime256v1', 'secp384r1']);
const MIN_RSA_BITS = 2048;

export interface CertificateInfo {
  subject: string;
  issuer: string;
  notBefore: string;
  notAfter: string;
  fingerprintSha256: string;
  selfSigned: boolean;
}

function refuse(reason: string): never {
  throw new WattgateError(ErrorCodes.INVALID_ARGUMENT, `certificate refused: ${reason}`);
}

const dn = (s: string) => s.split('\n').filter(Boolean).join(', ');

export function certificateInfo(material: TlsMaterial): CertificateInfo {
  const leaf = new X509Certificate(material.cert);
  return {
    subject: dn(leaf.subject),
    issuer: dn(leaf.issuer),
    notBefore: new Date(Date.parse(leaf.validFrom)).toISOString(),
    notAfter: new Date(Date.parse(leaf.validTo)).toISOString(),
    fingerprintSha256: leaf.fingerprint256,
    selfSigned: material.selfSigned,
  };
}

function parseChain(chainPem: string): X509Certificate[] {
  const blocks = chainPem.match(CERT_BLOCK) ?? [];
  if (blocks.length === 0) refuse('no PEM certificate (-----BEGIN CERTIFICATE-----) found');
  if (blocks.length > MAX_CHAIN_LENGTH) refuse(`more than ${MAX_CHAIN_LENGTH} certificates in the chain`);
  if (chainPem.replace(CERT_BLOCK, '').trim() !== '')
    refuse('the chain holds text outside the PEM certificates');
  return blocks.map((b, i) => {
    try {
      return new X509Certificate(b);
    } catch {
      return refuse(`certificate ${i + 1} of the chain is not a valid X.509 certificate`);
    }
  });
}

function parseKey(keyPem: string): KeyObject {
  if (!/^\s*-----BEGIN (EC |RSA )?PRIVATE KEY-----/.test(keyPem))
    refuse('the private key is not an unencrypted PEM private key');
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: keyPem, format: 'pem' });
  } catch {
    return refuse('the private key is not a valid unencrypted PEM private key');
  }
  const d = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'ec') {
    if (!EC_CURVES.has(String(d.namedCurve))) refuse(`EC key on ${d.namedCurve}: only P-256 and P-384`);
  } else if (key.asymmetricKeyType === 'rsa') {
    if ((d.modulusLength ?? 0) < MIN_RSA_BITS)
      refuse(`RSA key of ${d.modulusLength} bits: at least ${MIN_RSA_BITS}`);
  } else {
    refuse(`key type ${key.asymmetricKeyType}: only EC P-256/P-384 or RSA ≥ ${MIN_RSA_BITS}`);
  }
  return key;
}

/** Validates an upload; returns the normalised PEM pair (chain, PKCS#8 key). Throws 400 on any failure. */
export function validateCertificateUpload(
  chainPem: string,
  keyPem: string,
  now: number,
): { cert: string; key: string } {
  const chain = parseChain(chainPem);
  const key = parseKey(keyPem);
  const leaf = chain[0] as X509Certificate;
  if (!leaf.checkPrivateKey(key)) refuse('the private key does not match the leaf certificate');
  const from = Date.parse(leaf.validFrom);
  const to = Date.parse(leaf.validTo);
  if (!(from <= now)) refuse(`the leaf certificate is not valid before ${new Date(from).toISOString()}`);
  if (!(now <= to)) refuse(`the leaf certificate expired at ${new Date(to).toISOString()}`);
  for (let i = 0; i + 1 < chain.length; i++) {
    const c = chain[i] as X509Certificate;
    const issuer = chain[i + 1] as X509Certificate;
    if (!c.checkIssued(issuer) || !c.verify(issuer.publicKey))
      refuse(`chain order: certificate ${i + 1} is not signed by certificate ${i + 2}`);
  }
  const cert = chain.map((c) => c.toString()).join('');
  const pkcs8 = key.export({ type: 'pkcs8', format: 'pem' }).toString();
  try {
    createSecureContext(tlsServerOptions({ cert, key: pkcs8 }));
  } catch (e) {
    refuse(`TLS cannot use this pair: ${(e as Error).message}`);
  }
  return { cert, key: pkcs8 };
}

function paths(dataDir: string) {
  const dir = join(dataDir, TLS_DIR);
  return {
    cert: join(dir, 'cert.pem'),
    key: join(dir, 'key.pem'),
    certNext: join(dir, 'cert.next'),
    keyNext: join(dir, 'key.next'),
    selfSigned: join(dir, 'self-signed'),
  };
}

/** Completes (key.next present) or drops (only cert.next) an interrupted replacement. */
export function finishPendingReplacement(dataDir: string): void {
  const p = paths(dataDir);
  if (existsSync(p.keyNext)) {
    if (existsSync(p.certNext)) renameSync(p.certNext, p.cert);
    renameSync(p.keyNext, p.key);
    rmSync(p.selfSigned, { force: true });
  } else {
    rmSync(p.certNext, { force: true });
  }
}

/** Writes a validated pair over the installation's certificate (see the header for the order). */
export function installCertificate(dataDir: string, pair: { cert: string; key: string }): TlsMaterial {
  const p = paths(dataDir);
  writeFileAtomic(p.certNext, pair.cert, { mode: 0o644 });
  writeFileAtomic(p.keyNext, pair.key, { mode: 0o600 });
  finishPendingReplacement(dataDir);
  return { cert: pair.cert, key: pair.key, selfSigned: false };
}

/** The certificate the API reads and replaces; `replace` validates, writes, then calls `onReplaced`. */
export interface CertificateService {
  info(): CertificateInfo;
  replace(chainPem: string, keyPem: string): CertificateInfo;
}

export function certificateService(opts: {
  dataDir: string;
  now: () => number;
  current: () => TlsMaterial;
  onReplaced: (m: TlsMaterial) => void;
}): CertificateService {
  return {
    info: () => certificateInfo(opts.current()),
    replace(chainPem, keyPem) {
      const pair = validateCertificateUpload(chainPem, keyPem, opts.now());
      const material = installCertificate(opts.dataDir, pair);
      opts.onReplaced(material);
      return certificateInfo(material);
    },
  };
}
