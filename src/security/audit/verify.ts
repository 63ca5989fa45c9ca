/**
 * Audit verification (SECURITY D3, D4): walks the retained chain from its
 * anchor (genesis, or the MAC'd start left by the last eviction) to the MAC'd
 * head and reports the FIRST problem:
 * - `bad-anchor`: the eviction anchor's MAC is wrong (someone moved the start);
 * - `deleted`: a sequence number is missing (a record was removed, at the
 *   start — a cut that is not an eviction — or in the middle);
 * - `chain-broken`: a record's prev_hash is not the previous record's hash;
 * - `edited`: a record's content does not give its stored hash;
 * - `unknown-key`: the record was MAC'd with another key than audit.key;
 * - `bad-mac`: hash consistent but MAC wrong — re-chained without the key;
 * - `truncated` / `bad-head`: the MAC'd head names a later record than the
 *   last one present, or the head itself was altered.
 * A plain eviction verifies. What it cannot see: a rollback of the whole
 * database (records, head and anchor together) to an earlier genuine copy;
 * an exported file (which carries the head hash) is the external reference.
 */
import type Database from 'better-sqlite3';
import { anchorMac, GENESIS_HASH, headMac, keyId, recordHash, recordMac, sameBytes } from './chain.js';
import type { AuditRecord } from './record.js';

export type ProblemKind =
  | 'bad-anchor'
  | 'deleted'
  | 'chain-broken'
  | 'edited'
  | 'unknown-key'
  | 'bad-mac'
  | 'truncated'
  | 'bad-head';

export interface VerifyReport {
  ok: boolean;
  /** Records checked (the retained part). */
  checked: number;
  firstSeq: number | null;
  lastSeq: number | null;
  /** Records dropped by evictions so far (covered by the anchor). */
  evicted: number;
  problem?: { kind: ProblemKind; seq: number | null; message: string };
}

interface Row extends AuditRecord {
  prev_hash: Buffer;
  hash: Buffer;
  key_id: string;
  mac: Buffer;
}

export const RECORD_COLUMNS =
  'seq, time, category, event, actor_kind AS actorKind, actor, source, result, details';

type Problem = NonNullable<VerifyReport['problem']>;

function checkRecord(
  r: Row,
  expectedSeq: number,
  prev: Uint8Array,
  key: Buffer,
  kid: string,
): Problem | null {
  if (r.seq !== expectedSeq) {
    const gap = expectedSeq === r.seq - 1 ? `${expectedSeq}` : `${expectedSeq}–${r.seq - 1}`;
    return { kind: 'deleted', seq: expectedSeq, message: `record(s) ${gap} missing before record ${r.seq}` };
  }
  if (!sameBytes(r.prev_hash, prev))
    return {
      kind: 'chain-broken',
      seq: r.seq,
      message: `record ${r.seq} does not follow the previous record`,
    };
  const hash = recordHash(prev, r);
  if (!sameBytes(hash, r.hash))
    return {
      kind: 'edited',
      seq: r.seq,
      message: `record ${r.seq} was altered (content does not match its hash)`,
    };
  if (r.key_id !== kid)
    return {
      kind: 'unknown-key',
      seq: r.seq,
      message: `record ${r.seq} was sealed with another key (${r.key_id})`,
    };
  if (!sameBytes(recordMac(key, hash), r.mac))
    return {
      kind: 'bad-mac',
      seq: r.seq,
      message: `record ${r.seq} has an invalid seal (re-chained without the key)`,
    };
  return null;
}

interface Start {
  seq: number;
  prev: Uint8Array;
  evicted: number;
}

function readAnchor(db: Database.Database, key: Buffer): Start | Problem {
  const a = db.prepare('SELECT first_seq, prev_hash, evicted, mac FROM audit_anchor WHERE id = 1').get() as
    | { first_seq: number; prev_hash: Buffer; evicted: number; mac: Buffer }
    | undefined;
  if (!a) return { seq: 1, prev: GENESIS_HASH, evicted: 0 };
  if (!sameBytes(anchorMac(key, a.first_seq, a.prev_hash, a.evicted), a.mac))
    return { kind: 'bad-anchor', seq: a.first_seq, message: 'the eviction anchor was altered' };
  return { seq: a.first_seq, prev: a.prev_hash, evicted: a.evicted };
}

function checkHead(
  db: Database.Database,
  key: Buffer,
  lastSeq: number,
  lastHash: Uint8Array,
): Problem | null {
  const h = db.prepare('SELECT seq, hash, mac FROM audit_head WHERE id = 1').get() as
    | { seq: number; hash: Buffer; mac: Buffer }
    | undefined;
  if (!h) {
    return lastSeq === 0
      ? null
      : { kind: 'bad-head', seq: null, message: 'the head record (latest sequence) is missing' };
  }
  if (!sameBytes(headMac(key, h.seq, h.hash), h.mac))
    return { kind: 'bad-head', seq: h.seq, message: 'the head record was altered' };
  if (h.seq > lastSeq)
    return {
      kind: 'truncated',
      seq: lastSeq + 1,
      message: `records ${lastSeq + 1}–${h.seq} were cut from the end`,
    };
  if (h.seq !== lastSeq || !sameBytes(h.hash, lastHash))
    return { kind: 'bad-head', seq: h.seq, message: `the head does not match record ${lastSeq}` };
  return null;
}

export function verifyAudit(db: Database.Database, key: Buffer): VerifyReport {
  const kid = keyId(key);
  const start = readAnchor(db, key);
  if ('kind' in start)
    return { ok: false, checked: 0, firstSeq: null, lastSeq: null, evicted: 0, problem: start };
  const report: VerifyReport = {
    ok: true,
    checked: 0,
    firstSeq: null,
    lastSeq: null,
    evicted: start.evicted,
  };
  let prev = start.prev;
  let expected = start.seq;
  const rows = db
    .prepare(
      `SELECT ${RECORD_COLUMNS}, prev_hash, hash, key_id, mac FROM audit_records WHERE seq >= ? ORDER BY seq`,
    )
    .iterate(start.seq) as IterableIterator<Row>;
  for (const r of rows) {
    const problem = checkRecord(r, expected, prev, key, kid);
    if (problem) return { ...report, ok: false, problem };
    report.firstSeq ??= r.seq;
    report.lastSeq = r.seq;
    report.checked++;
    prev = r.hash;
    expected++;
  }
  const head = checkHead(db, key, expected - 1, prev);
  return head ? { ...report, ok: false, problem: head } : report;
}
