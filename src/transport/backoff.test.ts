// Back-off delays: growth, ceiling, injected jitter source, reset, validation (PRODUCT G6).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hasCode } from '../shared/errors.js';
import { Backoff } from './backoff.js';

test('delays double up to the ceiling and restart after reset', () => {
  const b = new Backoff({ baseMs: 100, maxMs: 1000, random: () => 0 });
  assert.deepEqual(
    Array.from({ length: 7 }, () => b.next()),
    [100, 200, 400, 800, 1000, 1000, 1000],
  );
  assert.equal(b.attempts, 7);
  b.reset();
  assert.equal(b.next(), 100);
});

test('jitter only shortens, by at most its fraction, from the injected source', () => {
  const b = new Backoff({ baseMs: 1000, maxMs: 8000, factor: 3, jitter: 0.5, random: () => 0.999999 });
  assert.deepEqual([b.next(), b.next(), b.next()], [500, 1500, 4000]);
  const r = new Backoff({ baseMs: 1000, maxMs: 1000 });
  for (let i = 0; i < 100; i++) {
    const d = r.next();
    assert.ok(d >= 800 && d <= 1000, String(d));
  }
});

test('a long run never overflows and invalid options are refused', () => {
  const b = new Backoff({ baseMs: 1, maxMs: 5000, random: () => 0 });
  for (let i = 0; i < 10_000; i++) b.next();
  assert.equal(b.next(), 5000);
  for (const bad of [
    { baseMs: 0, maxMs: 10 },
    { baseMs: 10, maxMs: 5 },
    { baseMs: 10, maxMs: 50, jitter: 2 },
    { baseMs: 10, maxMs: 50, factor: 0.5 },
  ]) {
    assert.throws(
      () => new Backoff(bad),
      (e) => hasCode(e, 'WG_ERR_INVALID_ARGUMENT'),
    );
  }
});
