import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ManualClock } from '../shared/clock.js';
import { openDatabase } from './database.js';
import { isoWeek, loadInstallation, makeSerial } from './installation.js';

const dir = mkdtempSync(join(tmpdir(), 'wattgate-installation-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('ISO week numbers match known calendar dates', () => {
  // Independent facts: 2021-01-03 is in ISO week 53 of 2020 (a Sunday); 2026-11-27 is a Friday of week 48.
  assert.deepEqual(isoWeek(Date.UTC(2021, 0, 3)), { year: 2020, week: 53, day: 7 });
  assert.deepEqual(isoWeek(Date.UTC(2026, 10, 27, 23, 59)), { year: 2026, week: 48, day: 5 });
  assert.deepEqual(isoWeek(Date.UTC(2024, 11, 30)), { year: 2025, week: 1, day: 1 });
});

test('the serial follows "PP YY WW D nnnn" in 11 characters', () => {
  const s = makeSerial(Date.UTC(2026, 10, 27), () => 35);
  assert.equal(s, 'WG26485ZZZZ');
  assert.match(makeSerial(Date.now()), /^WG\d{5}[0-9A-Z]{4}$/);
});

test('created once, identical after reopening, different per installation', () => {
  const clock = new ManualClock(Date.UTC(2026, 10, 27, 12));
  const path = join(dir, 'a.db');
  let db = openDatabase({ path, profile: 'durable' });
  const first = loadInstallation(db, { clock });
  db.close();
  clock.advance(86_400_000 * 30);
  db = openDatabase({ path, profile: 'durable' });
  assert.deepEqual(loadInstallation(db, { clock }), first);
  db.close();
  assert.match(first.serial, /^WG26485/);
  assert.equal(first.createdAt, '2026-11-27T12:00:00.000Z');
  const other = openDatabase({ path: join(dir, 'b.db'), profile: 'durable' });
  const second = loadInstallation(other, { clock });
  other.close();
  assert.notEqual(second.id, first.id);
});
