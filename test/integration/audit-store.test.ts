/**
 * SECURITY D2–D4 on the audit store itself (files in a temporary directory,
 * injected clock):
 * - D2 fields, secrets redacted, newline-safe text;
 * - D3 verification finds the first bad record after each tampering by
 *   someone who can write the database but not read the key file: an edit, a
 *   deletion (middle and start), a truncation at the end, a complete re-chain
 *   with recomputed hashes, a moved eviction anchor;
 * - D4 ring: the 80 % warning once, eviction with a checkpoint, and the
 *   retained part still verifies;
 * - the key file is 0600, and a lost key is reported, not silently replaced.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import Database from 'better-sqlite3';
import { canonical } from '../../src/security/audit/record.js';
import { AuditLog, type AuditNotice } from '../../src/security/audit/store.js';
import { ManualClock } from '../../src/shared/clock.js';
import { silentLogger } from '../../src/shared/logger.js';

let dir: string;
let clock: ManualClock;
let settings: { capacity: number; recordSource: boolean };
let notices: AuditNotice[];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'wattgate-audit-'));
  clock = new ManualClock(Date.UTC(2026, 10, 27, 12, 0, 0));
  settings = { capacity: 100_000, recordSource: true };
  notices = [];
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const open = () =>
  AuditLog.open({
    dbPath: join(dir, 'audit.db'),
    keyPath: join(dir, 'audit.key'),
    clock,
    log: silentLogger,
    settings: () => settings,
    onNotice: (n) => notices.push(n),
  });

function fill(log: AuditLog, n: number): void {
  for (let i = 0; i < n; i++) {
    log.append({
      category: 'auth',
      event: 'login.failure',
      actor: { kind: 'account', name: 'admin' },
      source: '192.0.2.7',
      result: 'failure',
      details: { attempt: i },
    });
    clock.advance(1000);
  }
}

/** The attacker: writes the database with its own connection, never reads the key. */
function tamper(sql: string, ...args: unknown[]): void {
  const db = new Database(join(dir, 'audit.db'));
  db.prepare(sql).run(...args);
  db.close();
}

test('D2: fields, UTC time, gap-free sequence; secrets redacted; control characters escaped', () => {
  const log = open();
  const r1 = log.append({
    category: 'account',
    event: 'password.changed',
    actor: { kind: 'account', name: 'ad\nmin\r\u2028' },
    source: '192.0.2.1',
    result: 'success',
    details: {
      account: 'admin',
      password: 'Hunter2-secret!',
      nested: { deviceCode: 'ABCD-1234', privateKey: 'x' },
    },
  });
  const r2 = log.append({
    category: 'system',
    event: 'system.started',
    actor: { kind: 'system', name: null },
    result: 'info',
  });
  assert.deepEqual([r1, r2], [{ seq: 1 }, { seq: 2 }]);
  const [a, b] = [...log.records()];
  assert.ok(a && b);
  assert.equal(a.time, '2026-11-27T12:00:00.000Z');
  assert.equal(a.actor, 'ad\\x0amin\\x0d\\x2028'.replace('\\x2028', '\\x2028'));
  assert.ok(!/[\n\r\u2028]/.test(a.actor ?? ''));
  assert.deepEqual(JSON.parse(a.details), {
    account: 'admin',
    password: '[redacted]',
    nested: { deviceCode: '[redacted]', privateKey: '[redacted]' },
  });
  const raw = new Database(join(dir, 'audit.db')).prepare('SELECT * FROM audit_records').all();
  assert.ok(!JSON.stringify(raw).includes('Hunter2'), 'the password is nowhere in the database');
  assert.equal(b.source, null);
  assert.equal(log.verify().ok, true);
  log.close();
});

test('D2: the source address is not recorded when switched off', () => {
  settings.recordSource = false;
  const log = open();
  fill(log, 1);
  assert.equal([...log.records()][0]?.source, null);
  log.close();
});

test('D3: an intact log verifies; the key file is 0600 and outside the database', () => {
  const log = open();
  fill(log, 20);
  assert.deepEqual(log.verify(), { ok: true, checked: 20, firstSeq: 1, lastSeq: 20, evicted: 0 });
  assert.equal(statSync(join(dir, 'audit.key')).mode & 0o777, 0o600);
  log.close();
});

const cases: Array<{ name: string; act: () => void; kind: string; seq: number }> = [
  {
    name: 'an edited record',
    act: () => tamper('UPDATE audit_records SET details = \'{"attempt":99}\' WHERE seq = 7'),
    kind: 'edited',
    seq: 7,
  },
  {
    name: 'a deleted record',
    act: () => tamper('DELETE FROM audit_records WHERE seq = 12'),
    kind: 'deleted',
    seq: 12,
  },
  {
    name: 'a cut at the start',
    act: () => tamper('DELETE FROM audit_records WHERE seq <= 3'),
    kind: 'deleted',
    seq: 1,
  },
  {
    name: 'a truncation at the end',
    act: () => tamper('DELETE FROM audit_records WHERE seq > 17'),
    kind: 'truncated',
    seq: 18,
  },
  {
    name: 'the eviction anchor moved without the key',
    act: () => {
      tamper('DELETE FROM audit_records WHERE seq < 5');
      tamper(
        'INSERT INTO audit_anchor (id, first_seq, prev_hash, evicted, key_id, mac) SELECT 1, 5, prev_hash, 4, key_id, zeroblob(32) FROM audit_records WHERE seq = 5',
      );
    },
    kind: 'bad-anchor',
    seq: 5,
  },
];

for (const c of cases) {
  test(`D3: verification reports ${c.name} at the first bad record`, () => {
    const log = open();
    fill(log, 20);
    c.act();
    const r = log.verify();
    assert.equal(r.ok, false);
    assert.equal(r.problem?.kind, c.kind, r.problem?.message);
    assert.equal(r.problem?.seq, c.seq, r.problem?.message);
    log.close();
  });
}

test('D3: a complete re-chain with recomputed hashes (no key) is reported at the first forged record', () => {
  const log = open();
  fill(log, 20);
  log.close();
  const db = new Database(join(dir, 'audit.db'));
  const rows = db
    .prepare(
      'SELECT seq, time, category, event, actor_kind AS actorKind, actor, source, result, details, prev_hash FROM audit_records ORDER BY seq',
    )
    .all() as Array<Record<string, unknown> & { seq: number; prev_hash: Buffer; details: string }>;
  let prev = (rows[0] as { prev_hash: Buffer }).prev_hash;
  for (const r of rows) {
    if (r.seq === 9) r.details = '{"attempt":"forged"}';
    const hash = createHash('sha256')
      .update(prev)
      .update(canonical(r as never), 'utf8')
      .digest();
    db.prepare('UPDATE audit_records SET details = ?, prev_hash = ?, hash = ? WHERE seq = ?').run(
      r.details,
      prev,
      hash,
      r.seq,
    );
    prev = hash;
  }
  db.prepare('UPDATE audit_head SET hash = ? WHERE id = 1').run(prev);
  db.close();
  const r = open().verify();
  assert.equal(r.ok, false);
  assert.equal(r.problem?.kind, 'bad-mac');
  assert.equal(r.problem?.seq, 9);
});

test('D4: the ring warns once at 80 %, evicts the oldest with a checkpoint, and still verifies', () => {
  settings.capacity = 100;
  const log = open();
  fill(log, 79);
  assert.equal(notices.length, 0);
  fill(log, 1);
  assert.deepEqual(
    notices.map((n) => n.type),
    ['capacity-warning'],
  );
  fill(log, 150);
  assert.equal(notices.filter((n) => n.type === 'capacity-warning').length, 1, 'warned once');
  const r = log.verify();
  assert.equal(r.ok, true, r.problem?.message);
  assert.ok(r.checked <= 100 && r.checked >= 95, `retained ${r.checked}`);
  assert.ok(r.evicted > 0);
  assert.equal((r.firstSeq ?? 0) - 1, r.evicted, 'evicted = everything before the first retained record');
  const events = [...log.records({ categories: ['audit'] })].map((x) => x.event);
  assert.ok(events.includes('audit.evicted'));
  const cp = new Database(join(dir, 'audit.db'))
    .prepare('SELECT count(*) AS n FROM audit_checkpoints')
    .get() as {
    n: number;
  };
  assert.ok(cp.n >= 1);
  // A cut of the retained part that is not an eviction is still detected.
  log.close();
  tamper('DELETE FROM audit_records WHERE seq = (SELECT min(seq) FROM audit_records)');
  const after = open().verify();
  assert.equal(after.problem?.kind, 'deleted');
});

test('D3: a lost key file is reported (key-replaced record, old records fail as unknown key)', () => {
  const log = open();
  fill(log, 3);
  log.close();
  unlinkSync(join(dir, 'audit.key'));
  const again = open();
  const events = [...again.records()].map((r) => r.event);
  assert.equal(events.at(-1), 'audit.key-replaced');
  const r = again.verify();
  assert.equal(r.problem?.kind, 'unknown-key');
  assert.equal(r.problem?.seq, 1);
  again.close();
});

test('filters: time range [from, to), categories, paging after a sequence', () => {
  const log = open();
  const t0 = clock.now();
  fill(log, 10);
  log.append({
    category: 'config',
    event: 'config.changed',
    actor: { kind: 'host', name: 'cli' },
    result: 'success',
  });
  const inRange = [...log.records({ from: t0 + 2000, to: t0 + 5000 })].map((r) => r.seq);
  assert.deepEqual(inRange, [3, 4, 5]);
  assert.deepEqual(
    [...log.records({ categories: ['config'] })].map((r) => r.event),
    ['config.changed'],
  );
  assert.deepEqual(
    [...log.records({ afterSeq: 8, limit: 2 })].map((r) => r.seq),
    [9, 10],
  );
  log.close();
});
