/**
 * Analysis of an RS-485 bus timeline as recorded by the baud-accurate relay
 * (relay.ts): one entry per byte, `t` = the moment its start bit goes on the
 * bus (ms, performance.now() based), so it occupies [t, t + charMs).
 *
 * - line timing: character time (11 bits by default: start, 8 data, parity,
 *   stop; 10 without parity and with one stop bit), t1.5 and t3.5 (fixed
 *   0.75 ms and 1.75 ms above 19200 baud, Modbus over serial line §2.5.1.1);
 * - frames: consecutive bytes of one direction separated by at most t1.5;
 * - the gap before every master request, compared with t3.5;
 * - the largest number of outstanding transactions (requests sent while an
 *   earlier one still waits for its reply);
 * - bus utilisation and the theoretical transaction rate of a line.
 * Pure functions: unit-tested on synthetic timelines.
 */
import type { Parity } from './modbus/rtu-slave.js';

export type Dir = 'm2s' | 's2m';

export interface BusByte {
  /** Start of the character on the bus, ms (performance.now() based). */
  readonly t: number;
  readonly dir: Dir;
  readonly byte: number;
}

export interface BusFrame {
  readonly dir: Dir;
  /** Start of the first character. */
  readonly start: number;
  /** End of the last character. */
  readonly end: number;
  readonly bytes: Uint8Array;
}

export interface LineTiming {
  readonly baud: number;
  readonly bitsPerChar: number;
  readonly charMs: number;
  readonly t15Ms: number;
  readonly t35Ms: number;
}

/** Bits per character: start + 8 data + parity (if any) + stop bits. */
export function bitsPerChar(parity: Parity = 'even', stopBits: 1 | 2 = 1): number {
  return 9 + (parity === 'none' ? 0 : 1) + stopBits;
}

export function lineTiming(baud: number, bits = 11): LineTiming {
  if (!(baud > 0) || !(bits >= 7 && bits <= 12)) throw new RangeError(`bad line timing ${baud}/${bits}`);
  const charMs = (1000 * bits) / baud;
  const fixed = baud > 19200;
  return {
    baud,
    bitsPerChar: bits,
    charMs,
    t15Ms: fixed ? 0.75 : 1.5 * charMs,
    t35Ms: fixed ? 1.75 : 3.5 * charMs,
  };
}

/**
 * The best possible rate of a line, transactions/s: request + t3.5 + response
 * + t3.5 with zero turnaround (the benchmark's reference).
 */
export function theoreticalTps(timing: LineTiming, requestBytes: number, responseBytes: number): number {
  return 1000 / (timing.charMs * (requestBytes + responseBytes) + 2 * timing.t35Ms);
}

/** Frames: a new one starts when the direction changes or the silence exceeds `gapMs` (default t1.5). */
export function splitFrames(
  timeline: readonly BusByte[],
  timing: LineTiming,
  gapMs = timing.t15Ms,
): BusFrame[] {
  const frames: BusFrame[] = [];
  let first = 0;
  const close = (endIndex: number) => {
    const last = timeline[endIndex - 1];
    const head = timeline[first];
    if (!last || !head) return;
    const bytes = Uint8Array.from(timeline.slice(first, endIndex), (b) => b.byte);
    frames.push({ dir: head.dir, start: head.t, end: last.t + timing.charMs, bytes });
  };
  for (let i = 1; i < timeline.length; i++) {
    const prev = timeline[i - 1];
    const cur = timeline[i];
    if (!prev || !cur) continue;
    if (cur.dir !== prev.dir || cur.t - (prev.t + timing.charMs) > gapMs + 1e-9) {
      close(i);
      first = i;
    }
  }
  close(timeline.length);
  return frames;
}

export interface RequestGap {
  /** Start of the request. */
  readonly t: number;
  /** Silence between the end of the previous frame and the request. */
  readonly gapMs: number;
  /** gapMs ≥ t3.5. */
  readonly ok: boolean;
}

/** The silence before every master request but the first, compared with t3.5. */
export function requestGaps(frames: readonly BusFrame[], timing: LineTiming): RequestGap[] {
  const out: RequestGap[] = [];
  for (let i = 1; i < frames.length; i++) {
    const prev = frames[i - 1];
    const cur = frames[i];
    if (!prev || !cur || cur.dir !== 'm2s') continue;
    const gapMs = cur.start - prev.end;
    out.push({ t: cur.start, gapMs, ok: gapMs >= timing.t35Ms - 1e-9 });
  }
  return out;
}

/**
 * The largest number of transactions outstanding at once. A request (not a
 * broadcast: unit 0 expects no reply) opens a transaction; a slave frame
 * closes the oldest open one. With `timeoutMs`, a request left unanswered that
 * long is abandoned (a master's response timeout), not outstanding any more.
 */
export function maxOutstanding(frames: readonly BusFrame[], timeoutMs = Number.POSITIVE_INFINITY): number {
  const open: number[] = [];
  let max = 0;
  for (const f of frames) {
    if (f.dir === 's2m') {
      open.shift();
      continue;
    }
    if (f.bytes[0] === 0) continue;
    while (open.length > 0 && f.start - (open[0] ?? 0) >= timeoutMs) open.shift();
    open.push(f.end);
    max = Math.max(max, open.length);
  }
  return max;
}

/** Fraction of [from, to) during which a character was on the bus (default: first start to last end). */
export function utilisation(
  timeline: readonly BusByte[],
  timing: LineTiming,
  from?: number,
  to?: number,
): number {
  const first = timeline[0];
  const last = timeline.at(-1);
  if (!first || !last) return 0;
  const a = from ?? first.t;
  const b = to ?? last.t + timing.charMs;
  if (!(b > a)) return 0;
  let busy = 0;
  for (const x of timeline) {
    busy += Math.max(0, Math.min(x.t + timing.charMs, b) - Math.max(x.t, a));
  }
  return busy / (b - a);
}

export interface TimelineSummary {
  readonly frames: number;
  readonly requests: number;
  readonly replies: number;
  readonly minRequestGapMs: number | null;
  readonly medianRequestGapMs: number | null;
  readonly p90RequestGapMs: number | null;
  readonly meanRequestGapMs: number | null;
  readonly gapsBelowT35: number;
  readonly maxOutstanding: number;
  readonly utilisation: number;
  readonly spanMs: number;
}

export function summarise(
  timeline: readonly BusByte[],
  timing: LineTiming,
  timeoutMs?: number,
): TimelineSummary {
  const frames = splitFrames(timeline, timing);
  const gaps = requestGaps(frames, timing).map((g) => g.gapMs);
  const sorted = [...gaps].sort((x, y) => x - y);
  const first = timeline[0];
  const last = timeline.at(-1);
  return {
    frames: frames.length,
    requests: frames.filter((f) => f.dir === 'm2s').length,
    replies: frames.filter((f) => f.dir === 's2m').length,
    minRequestGapMs: sorted[0] ?? null,
    medianRequestGapMs: sorted[sorted.length >> 1] ?? null,
    p90RequestGapMs: sorted[Math.floor(sorted.length * 0.9)] ?? null,
    meanRequestGapMs: gaps.length === 0 ? null : gaps.reduce((a, b) => a + b, 0) / gaps.length,
    gapsBelowT35: gaps.filter((g) => g < timing.t35Ms - 1e-9).length,
    maxOutstanding: maxOutstanding(frames, timeoutMs),
    utilisation: utilisation(timeline, timing),
    spanMs: first && last ? last.t + timing.charMs - first.t : 0,
  };
}
