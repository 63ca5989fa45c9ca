/**
 * Timeline helpers on synthetic bus timelines: line timing, frame splitting,
 * the gap before each request against t3.5, outstanding transactions and
 * utilisation.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type BusByte,
  bitsPerChar,
  type Dir,
  type LineTiming,
  lineTiming,
  maxOutstanding,
  requestGaps,
  splitFrames,
  summarise,
  theoreticalTps,
  utilisation,
} from './relay-timeline.js';

const T = lineTiming(9600);
const C = T.charMs;

/** A frame of `n` bytes (first byte `unit`) starting at `startChars` character times. */
function frame(dir: Dir, startChars: number, n: number, unit = 1, timing: LineTiming = T): BusByte[] {
  return Array.from({ length: n }, (_, i) => ({
    t: (startChars + i) * timing.charMs,
    dir,
    byte: i === 0 ? unit : 0x10 + i,
  }));
}

const near = (a: number, b: number, eps = 1e-9) => assert.ok(Math.abs(a - b) < eps, `${a} ≉ ${b}`);

test('line timing: character time, t1.5 / t3.5, fixed above 19200 baud', () => {
  assert.equal(bitsPerChar('even', 1), 11);
  assert.equal(bitsPerChar('none', 1), 10);
  assert.equal(bitsPerChar('none', 2), 11);
  near(T.charMs, 11000 / 9600);
  near(T.t35Ms, 3.5 * (11000 / 9600));
  near(lineTiming(19200).t35Ms, 3.5 * (11000 / 19200));
  const fast = lineTiming(115200);
  assert.equal(fast.t35Ms, 1.75);
  assert.equal(fast.t15Ms, 0.75);
  near(lineTiming(9600, 10).charMs, 10000 / 9600);
  assert.throws(() => lineTiming(0));
});

test('theoretical rate: request + t3.5 + response + t3.5', () => {
  near(theoreticalTps(T, 8, 7), 1000 / (15 * C + 7 * C));
  near(theoreticalTps(lineTiming(115200), 8, 255), 1000 / (263 * (11000 / 115200) + 3.5));
});

test('frames split on silence > t1.5 and on a change of direction', () => {
  const tl = [...frame('m2s', 0, 8), ...frame('s2m', 8, 7), ...frame('m2s', 20, 8)];
  const frames = splitFrames(tl, T);
  assert.deepEqual(
    frames.map((f) => [f.dir, f.bytes.length]),
    [
      ['m2s', 8],
      ['s2m', 7],
      ['m2s', 8],
    ],
  );
  near(frames[1]?.start ?? 0, 8 * C);
  near(frames[1]?.end ?? 0, 15 * C);
  const within = [...frame('m2s', 0, 4), ...frame('m2s', 5.4, 4)];
  assert.equal(splitFrames(within, T).length, 1, 'a 1.4-character gap stays inside the frame');
  const apart = [...frame('m2s', 0, 4), ...frame('m2s', 5.6, 4)];
  assert.equal(splitFrames(apart, T).length, 2);
  assert.deepEqual(splitFrames([], T), []);
});

test('gap before each request compared with t3.5', () => {
  const tl = [
    ...frame('m2s', 0, 8),
    ...frame('s2m', 11.5, 7),
    ...frame('m2s', 22, 8),
    ...frame('s2m', 33.5, 7),
    ...frame('m2s', 44, 8),
  ];
  const gaps = requestGaps(splitFrames(tl, T), T);
  assert.equal(gaps.length, 2);
  near(gaps[0]?.gapMs ?? 0, 3.5 * C, 1e-6);
  assert.equal(gaps[0]?.ok, true);
  near(gaps[1]?.gapMs ?? 0, 3.5 * C, 1e-6);
  const short = [...frame('m2s', 0, 8), ...frame('s2m', 11.5, 7), ...frame('m2s', 21.4, 8)];
  const g = requestGaps(splitFrames(short, T), T);
  assert.equal(g[0]?.ok, false);
  near(g[0]?.gapMs ?? 0, 2.9 * C, 1e-6);
});

test('outstanding transactions: replies close, timeouts abandon, broadcasts expect nothing', () => {
  const sequential = [
    ...frame('m2s', 0, 8),
    ...frame('s2m', 12, 7),
    ...frame('m2s', 23, 8),
    ...frame('s2m', 35, 7),
  ];
  assert.equal(maxOutstanding(splitFrames(sequential, T)), 1);
  const overlapped = [...frame('m2s', 0, 8), ...frame('m2s', 12, 8, 2), ...frame('s2m', 24, 7)];
  assert.equal(maxOutstanding(splitFrames(overlapped, T)), 2);
  const timedOut = [...frame('m2s', 0, 8), ...frame('m2s', 1000, 8, 2), ...frame('s2m', 1012, 7, 2)];
  assert.equal(maxOutstanding(splitFrames(timedOut, T)), 2, 'without a timeout');
  assert.equal(maxOutstanding(splitFrames(timedOut, T), 500 * C), 1, 'abandoned after the timeout');
  const broadcast = [...frame('m2s', 0, 8, 0), ...frame('m2s', 12, 8), ...frame('s2m', 24, 7)];
  assert.equal(maxOutstanding(splitFrames(broadcast, T)), 1);
  assert.equal(maxOutstanding([]), 0);
});

test('utilisation: characters on the bus over the window', () => {
  const tl = [...frame('m2s', 0, 10), ...frame('s2m', 15, 5)];
  near(utilisation(tl, T), 15 / 20);
  near(utilisation(tl, T, 0, 40 * C), 15 / 40);
  near(utilisation(tl, T, 5 * C, 10 * C), 1);
  assert.equal(utilisation([], T), 0);
});

test('summary of a clean request/response exchange at 115200 baud', () => {
  const F = lineTiming(115200);
  const gap = F.t35Ms / F.charMs;
  const tl: BusByte[] = [];
  let at = 0;
  for (let i = 0; i < 5; i++) {
    tl.push(...frame('m2s', at, 8, 1 + i, F));
    at += 8 + gap;
    tl.push(...frame('s2m', at, 7, 1 + i, F));
    at += 7 + gap;
  }
  const s = summarise(tl, F);
  assert.equal(s.frames, 10);
  assert.equal(s.requests, 5);
  assert.equal(s.replies, 5);
  assert.equal(s.gapsBelowT35, 0);
  near(s.minRequestGapMs ?? 0, 1.75, 1e-6);
  assert.equal(s.maxOutstanding, 1);
  near(s.utilisation, (75 * F.charMs) / s.spanMs);
});
