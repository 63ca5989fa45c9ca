/**
 * TLS server options (PRODUCT E1, SECURITY C1): TLS 1.2 and 1.3 only; for
 * TLS 1.2 only ECDHE key exchange with AEAD ciphers (AES-GCM, ChaCha20-Poly1305)
 * — Node's default list still offers TLS_RSA_* and CBC suites, so the list is
 * explicit. TLS 1.3 suites are all AEAD with (EC)DHE. ECDHE curves X25519,
 * P-256, P-384. The server's order is preferred. Renegotiation is off in
 * TLS 1.3 and limited by Node in 1.2.
 */
import type { SecureContextOptions, TlsOptions } from 'node:tls';

export const TLS12_CIPHERS = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-RSA-CHACHA20-POLY1305',
] as const;

export const TLS13_SUITES = [
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
];

export function tlsServerOptions(material: { cert: string; key: string }): TlsOptions & SecureContextOptions {
  return {
    cert: material.cert,
    key: material.key,
    minVersion: 'TLSv1.2',
    maxVersion: 'TLSv1.3',
    ciphers: [...TLS13_SUITES, ...TLS12_CIPHERS].join(':'),
    ecdhCurve: 'X25519:P-256:P-384',
    honorCipherOrder: true,
  };
}
