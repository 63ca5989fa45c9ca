import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../shared/clock.js';
import { PeriodTimer } from './period-timer.js';
import { due, nextBoundary, periodStart } from './schedule.js';

const MIN = 60_000;
const at = (hh: number, mm: number, ss = 0, ms = 0) => Date.UTC(2026, 0, 1, hh, mm, ss, ms);
const iso = (t: number) => new Date(t).toISOString().slice(11, 23);

test('boundaries are aligned to UTC: 15 min → :00 :15 :30 :45', () => {
  assert.equal(periodStart(at(10, 7, 30), 15 * MIN), at(10, 0));
  assert.equal(nextBoundary(at(10, 7, 30), 15 * MIN), at(10, 15));
  assert.equal(nextBoundary(at(10, 15), 15 * MIN), at(10, 30));
  assert.equal(nextBoundary(at(10, 59, 59, 999), 60 * MIN), at(11, 0));
  assert.deepEqual(due(at(10, 45, 0, 3), 15 * MIN, at(10, 0)), { t: at(10, 45), missed: 2 });
  assert.equal(due(at(10, 14, 59), 15 * MIN, at(10, 0)), undefined);
});

test('a 15-minute timer ticks at :15 :30 :45 :00 with t = the boundary, started mid-period', () => {
  const clock = new ManualClock(at(10, 7, 30));
  const ticks: string[] = [];
  const timer = new PeriodTimer(clock, 15 * MIN, (t, missed) => ticks.push(`${iso(t)}/${missed}`));
  timer.start();
  clock.advance(60 * MIN);
  timer.stop();
  assert.deepEqual(ticks, ['10:15:00.000/0', '10:30:00.000/0', '10:45:00.000/0', '11:00:00.000/0']);
  assert.equal(clock.pendingTimers, 0);
});

test('no drift: each period is re-armed from the wall clock; 1000 one-minute periods stay on the minute', () => {
  const clock = new ManualClock(at(0, 0, 0, 250));
  const ticks: number[] = [];
  const late: number[] = [];
  const timer = new PeriodTimer(clock, MIN, (t) => {
    ticks.push(t);
    late.push(clock.now() - t);
    clock.setWall(clock.now() + 300); // a busy handler: 300 ms pass in it, every time
  });
  timer.start();
  for (let i = 0; i < 1000; i++) clock.advance(MIN);
  timer.stop();
  // The wall clock ran 1000 min + 1000 × 300 ms: 1005 boundaries, each sampled once, in order.
  assert.equal(ticks.length, 1005);
  assert.ok(ticks.every((t, i) => t === at(0, 1 + i)));
  assert.ok(Math.max(...late) <= 300, 'lateness does not add up (300 ms per period would reach 5 min)');
});

test('missed boundaries (process busy, clock stepped forward) are counted, not replayed', () => {
  const clock = new ManualClock(at(10, 0, 10));
  const ticks: string[] = [];
  const timer = new PeriodTimer(clock, 5 * MIN, (t, missed) => ticks.push(`${iso(t)}/${missed}`));
  timer.start();
  clock.advance(5 * MIN); // 10:05:10 → ticked 10:05
  clock.setWall(at(10, 31)); // NTP step forward by 26 minutes
  clock.advance(4 * MIN + 50_000); // the timer armed for 10:10 fires at wall 10:35:50
  timer.stop();
  assert.deepEqual(ticks, ['10:05:00.000/0', '10:35:00.000/5']);
  assert.equal(timer.missed, 5);
});

test('a clock stepped back never samples a boundary twice', () => {
  const clock = new ManualClock(at(10, 0, 30));
  const ticks: string[] = [];
  const timer = new PeriodTimer(clock, MIN, (t) => ticks.push(iso(t)));
  timer.start();
  clock.advance(MIN); // 10:01:30 → 10:01
  clock.setWall(at(10, 0, 45)); // stepped back 45 s
  clock.advance(3 * MIN);
  timer.stop();
  assert.deepEqual(ticks, ['10:01:00.000', '10:02:00.000', '10:03:00.000']);
});
