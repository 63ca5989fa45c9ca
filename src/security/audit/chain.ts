/**
 * The audit chain's primitives (SECURITY D3), pure functions over bytes:
 * - record hash  = SHA-256(prev_hash ‖ canonical(record)), genesis prev = 32 × 0x00;
 * - record MAC   = HMAC-SHA-256(key, "rec" ‖ hash);
 * - head MAC     = HMAC-SHA-256(key, "head" ‖ seq ‖ hash)  — the latest record;
 * - anchor MAC   = HMAC-SHA-256(key, "anchor" ‖ first_seq ‖ prev_hash ‖ evicted)
 *   — where the retained chain starts after an eviction (D4).
 * Domain prefixes keep one kind of MAC from being replayed as another. The
 * key id (first 16 hex digits of SHA-256(key)) names the key a MAC used, so a
 * record written under a lost and regenerated key is reported as such.
 * Threat model (D3): someone who can write the database but cannot read the
 * key file. Without the key, an edit, a deletion, a truncation or a complete
 * re-chain cannot produce valid MACs.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { type AuditRecord, canonical } from './record.js';

export const GENESIS_HASH = new Uint8Array(32);

export function recordHash(prev: Uint8Array, r: AuditRecord): Buffer {
  return createHash('sha256').update(prev).update(canonical(r), 'utf8').digest();
}

function mac(key: Uint8Array, ...parts: Array<string | Uint8Array>): Buffer {
  const h = createHmac('sha256', key);
  for (const p of parts) h.update(p);
  return h.digest();
}

const u64 = (n: number) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n));
  return b;
};

export const recordMac = (key: Uint8Array, hash: Uint8Array) => mac(key, 'rec', hash);
export const headMac = (key: Uint8Array, seq: number, hash: Uint8Array) => mac(key, 'head', u64(seq), hash);
export const anchorMac = (key: Uint8Array, firstSeq: number, prev: Uint8Array, evicted: number) =>
  mac(key, 'anchor', u64(firstSeq), prev, u64(evicted));

export function keyId(key: Uint8Array): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
