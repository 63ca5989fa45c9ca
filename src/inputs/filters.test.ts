// Digital input filters (PRODUCT L5): 30 ms minimum pulse, at most 16 pulses
// a second (start to start ≥ 62.5 ms), 30 ms status debouncing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEBOUNCE_MS, MIN_PULSE_PERIOD_MS, PulseFilter, StatusFilter } from './filters.js';

function pulses(f: PulseFilter, list: ReadonlyArray<[start: number, width: number]>): string[] {
  return list.map(([start, width]) => {
    f.edge(start, 1);
    return f.edge(start + width, 0) ?? 'none';
  });
}

test('pulses: ≥ 30 ms high counted, shorter rejected as too short', () => {
  const f = new PulseFilter();
  assert.deepEqual(
    pulses(f, [
      [0, 30],
      [1000, 29.9],
      [2000, 5],
      [3000, 1000],
    ]),
    ['counted', 'too-short', 'too-short', 'counted'],
  );
  assert.deepEqual([f.counted, f.tooShort, f.tooFast], [2, 2, 0]);
});

test('pulses: at most 16 a second, start to start ≥ 62.5 ms', () => {
  assert.equal(MIN_PULSE_PERIOD_MS, 62.5);
  const f = new PulseFilter();
  assert.deepEqual(
    pulses(f, [
      [0, 30],
      [62.5, 30],
      [124, 30],
      [187.5, 30],
    ]),
    ['counted', 'counted', 'too-fast', 'counted'],
  );
  // 20 pulses/s for one second: every 62.5 ms window takes one.
  const g = new PulseFilter();
  for (let k = 0; k < 20; k++) {
    g.edge(k * 50, 1);
    g.edge(k * 50 + 30, 0);
  }
  assert.ok(g.counted <= 16, `${g.counted} counted`);
  assert.equal(g.counted + g.tooFast, 20);
});

test('pulses: repeated edges of one level and a fall without a rise are ignored', () => {
  const f = new PulseFilter();
  assert.equal(f.edge(0, 0), undefined);
  f.edge(10, 1);
  f.edge(20, 1);
  assert.equal(f.edge(45, 0), 'counted', 'high since the first rise: 35 ms');
});

test('status: a level is taken after 30 ms stable; shorter changes are glitches', () => {
  const s = new StatusFilter(0);
  assert.equal(s.edge(100, 1), undefined);
  assert.equal(s.pendingUntil, 100 + DEBOUNCE_MS);
  assert.equal(s.settle(129), undefined);
  assert.deepEqual(s.settle(130), { from: 0, to: 1, t: 100 });
  assert.equal(s.level, 1);
  s.edge(200, 0);
  s.edge(210, 1); // back within 10 ms
  assert.equal(s.glitches, 1);
  assert.equal(s.settle(1000), undefined);
  assert.equal(s.level, 1);
  s.edge(2000, 0);
  assert.deepEqual(s.edge(2040, 0), { from: 1, to: 0, t: 2000 }, 'committed by the next edge too');
});
