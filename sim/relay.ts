/**
 * Baud-accurate relay: a half-duplex RS-485 bus between two pty pairs, because
 * a pty ignores baud rate and timing.
 *
 *   master (Wattgate) ⇄ pty pair 1 ⇄ RELAY ⇄ pty pair 2 ⇄ slaves (simulator)
 *
 * Every byte, in both directions, goes through one shared medium: it starts
 * when it arrives or when the bus is free, whichever is later, takes one
 * character time (bits per character / baud: 11 by default, 10 with no parity
 * and one stop bit) and is delivered to the other side at its end, as a UART
 * delivers a received character. A byte that arrives from one side while the
 * other side's bytes are on the bus is a collision: recorded, then serialized
 * (a real bus would garble both). Each byte's start time is recorded as
 * `{ t, dir: 'm2s' | 's2m', byte }` for relay-timeline.ts.
 *
 * Timing: deliveries are scheduled with performance.now() and a setImmediate
 * spin (setTimeout only for waits over 3 ms, which it wakes up 2 ms early), so
 * a byte is handed to the pty well within a character time at 115200 baud
 * (95 µs) unless the OS preempts the process; `stats()` reports that
 * lateness. The relay's pty ends are opened directly (non-blocking fd, read by
 * the event loop, written with one synchronous write() per delivery): the
 * serialport binding reads and writes through libuv's thread pool, whose
 * queueing added milliseconds at 115200 baud. socat's `raw,echo=0` makes them
 * byte-transparent; their baud and parity settings do not matter. Receive
 * timestamps are taken when bytes reach the relay's event loop.
 *
 * Measured (relay.test.ts, 2 loaded vCPUs): the scheduler's median lateness is
 * 2–3 µs; at the far end, after socat and a serialport reader, no byte ever
 * arrives before its end on the bus, and the median byte arrives 0.2–1.5 ms
 * after it (pty + socat + thread-pool latency, which grows with load).
 *
 * `idealSlave`: a slave reply may not start before t3.5 after the master's
 * last byte — the zero-turnaround slave of the theoretical line rate (a real
 * slave finds the end of a request by that silence). The simulator answers
 * sooner, so the relay holds its reply until then; the benchmark turns it on.
 */
import { constants, openSync, writeSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { ReadStream } from 'node:tty';
import type { Parity } from './modbus/rtu-slave.js';
import { type BusByte, bitsPerChar, type Dir, type LineTiming, lineTiming } from './relay-timeline.js';

export type { BusByte, Dir, LineTiming } from './relay-timeline.js';

export interface BusOptions {
  readonly baud: number;
  /** Default 'even'. */
  readonly parity?: Parity;
  /** Default 1. */
  readonly stopBits?: 1 | 2;
  /** Overrides parity and stop bits. */
  readonly bitsPerChar?: number;
  /** Hold slave replies until t3.5 after the master's last byte; default false. */
  readonly idealSlave?: boolean;
  /** Bytes kept in the timeline (and lateness samples); default 2 000 000. */
  readonly maxRecord?: number;
}

export interface RelayOptions extends BusOptions {
  /** The relay's end of the master's pty pair. */
  readonly masterPath: string;
  /** The relay's end of the slaves' pty pair. */
  readonly slavePath: string;
}

export interface Collision {
  /** When the second talker's bytes arrived. */
  readonly t: number;
  readonly arriving: Dir;
  /** When the other direction's bytes already queued end. */
  readonly busyUntil: number;
}

export interface RelayStats {
  readonly bytes: { readonly m2s: number; readonly s2m: number };
  readonly collisions: number;
  readonly delivered: number;
  readonly queued: number;
  /** Delivery lateness (write call − scheduled end of the character), ms. */
  readonly lateMeanMs: number;
  readonly lateP50Ms: number;
  readonly lateP99Ms: number;
  readonly lateMaxMs: number;
  /** Timeline entries not kept (maxRecord reached). */
  readonly overflow: number;
}

interface Slot {
  readonly dir: Dir;
  readonly byte: number;
  readonly end: number;
}

export type Deliver = (dir: Dir, bytes: Buffer) => void;

/** The shared medium and its scheduler, without I/O (tests drive it directly). */
export class BusScheduler {
  readonly timing: LineTiming;
  readonly #opts: BusOptions;
  readonly #deliver: Deliver;
  #queue: Slot[] = [];
  #head = 0;
  #freeAt = 0;
  readonly #lastEnd: Record<Dir, number> = { m2s: 0, s2m: 0 };
  #armed = false;
  #closed = false;
  #timeline: BusByte[] = [];
  #collisions: Collision[] = [];
  #late: number[] = [];
  #bytes = { m2s: 0, s2m: 0 };
  #delivered = 0;
  #overflow = 0;

  constructor(opts: BusOptions, deliver: Deliver) {
    this.#opts = opts;
    this.#deliver = deliver;
    this.timing = lineTiming(opts.baud, opts.bitsPerChar ?? bitsPerChar(opts.parity, opts.stopBits));
  }

  /** Bytes from one side, arrived at `now`. */
  push(dir: Dir, chunk: Uint8Array, now = performance.now()): void {
    if (this.#closed || chunk.length === 0) return;
    const other: Dir = dir === 'm2s' ? 's2m' : 'm2s';
    if (this.#lastEnd[other] > now) {
      this.#collisions.push({ t: now, arriving: dir, busyUntil: this.#lastEnd[other] });
    }
    let start = Math.max(now, this.#freeAt);
    if (dir === 's2m' && this.#opts.idealSlave)
      start = Math.max(start, this.#lastEnd.m2s + this.timing.t35Ms);
    const max = this.#opts.maxRecord ?? 2_000_000;
    for (const byte of chunk) {
      const end = start + this.timing.charMs;
      this.#queue.push({ dir, byte, end });
      if (this.#timeline.length < max) this.#timeline.push({ t: start, dir, byte });
      else this.#overflow++;
      start = end;
    }
    this.#freeAt = start;
    this.#lastEnd[dir] = start;
    this.#bytes[dir] += chunk.length;
    this.#arm(now);
  }

  #arm(now: number): void {
    if (this.#armed || this.#closed) return;
    const next = this.#queue[this.#head];
    if (next === undefined) return;
    this.#armed = true;
    const wait = next.end - now;
    if (wait > 3) setTimeout(this.#pump, wait - 2);
    else setImmediate(this.#pump);
  }

  readonly #pump = (): void => {
    this.#armed = false;
    if (this.#closed) return;
    const now = performance.now();
    let i = this.#head;
    while (i < this.#queue.length && (this.#queue[i]?.end ?? 0) <= now) i++;
    if (i > this.#head) this.#flush(this.#head, i, now);
    this.#head = i;
    if (this.#head > 4096 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    this.#arm(now);
  };

  /** Delivers slots [from, to), one write per run of the same direction. */
  #flush(from: number, to: number, now: number): void {
    const max = this.#opts.maxRecord ?? 2_000_000;
    let runStart = from;
    for (let i = from; i <= to; i++) {
      const slot = this.#queue[i];
      const first = this.#queue[runStart];
      if (i < to && slot && first && slot.dir === first.dir) continue;
      if (first) {
        const bytes = Buffer.from(this.#queue.slice(runStart, i).map((s) => s.byte));
        this.#deliver(first.dir, bytes);
      }
      runStart = i;
    }
    for (let i = from; i < to; i++) {
      if (this.#late.length < max) this.#late.push(now - (this.#queue[i]?.end ?? now));
    }
    this.#delivered += to - from;
  }

  get queued(): number {
    return this.#queue.length - this.#head;
  }

  timeline(): readonly BusByte[] {
    return this.#timeline;
  }

  collisions(): readonly Collision[] {
    return this.#collisions;
  }

  stats(): RelayStats {
    const late = [...this.#late].sort((a, b) => a - b);
    const mean = late.length === 0 ? 0 : late.reduce((a, b) => a + b, 0) / late.length;
    return {
      bytes: { ...this.#bytes },
      collisions: this.#collisions.length,
      delivered: this.#delivered,
      queued: this.queued,
      lateMeanMs: mean,
      lateP50Ms: late[late.length >> 1] ?? 0,
      lateP99Ms: late[Math.min(late.length - 1, Math.floor(late.length * 0.99))] ?? 0,
      lateMaxMs: late.at(-1) ?? 0,
      overflow: this.#overflow,
    };
  }

  /** Forgets the timeline, collisions and counters (bytes in flight are still delivered). */
  clear(): void {
    this.#timeline = [];
    this.#collisions = [];
    this.#late = [];
    this.#bytes = { m2s: 0, s2m: 0 };
    this.#delivered = 0;
    this.#overflow = 0;
  }

  close(): void {
    this.#closed = true;
  }
}

export interface Relay {
  readonly timing: LineTiming;
  timeline(): readonly BusByte[];
  collisions(): readonly Collision[];
  stats(): RelayStats;
  clear(): void;
  /** Resolves once no byte is queued (bounded by `timeoutMs`, default 10 s). */
  drained(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** One relay end: a pty opened directly (non-blocking fd, read in the event loop, written synchronously). */
class PtyEnd {
  readonly #fd: number;
  readonly #stream: ReadStream;
  #backlog: Buffer[] = [];

  constructor(path: string, onData: (chunk: Buffer) => void) {
    this.#fd = openSync(path, constants.O_RDWR | constants.O_NOCTTY | constants.O_NONBLOCK);
    this.#stream = new ReadStream(this.#fd);
    this.#stream.on('data', onData);
    this.#stream.on('error', () => {});
  }

  /** Writes now; what the pty does not take (EAGAIN) is retried on the next turn. */
  write(bytes: Buffer): void {
    if (this.#backlog.length > 0) {
      this.#backlog.push(bytes);
      return;
    }
    this.#try(bytes);
  }

  #try(bytes: Buffer): void {
    let done = 0;
    try {
      done = writeSync(this.#fd, bytes);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') return;
    }
    if (done >= bytes.length) return;
    this.#backlog.unshift(bytes.subarray(done));
    setImmediate(() => {
      const next = this.#backlog.shift();
      if (next && !this.#stream.destroyed) this.#try(next);
      const rest = this.#backlog.splice(0);
      for (const b of rest) if (!this.#stream.destroyed) this.write(b);
    });
  }

  close(): void {
    this.#stream.destroy();
  }
}

export async function startRelay(opts: RelayOptions): Promise<Relay> {
  let bus: BusScheduler | undefined;
  const master = new PtyEnd(opts.masterPath, (chunk) => bus?.push('m2s', chunk));
  let slave: PtyEnd;
  try {
    slave = new PtyEnd(opts.slavePath, (chunk) => bus?.push('s2m', chunk));
  } catch (e) {
    master.close();
    throw e;
  }
  const sched = new BusScheduler(opts, (dir, bytes) => (dir === 'm2s' ? slave : master).write(bytes));
  bus = sched;
  return {
    timing: sched.timing,
    timeline: () => sched.timeline(),
    collisions: () => sched.collisions(),
    stats: () => sched.stats(),
    clear: () => sched.clear(),
    async drained(timeoutMs = 10_000) {
      const end = performance.now() + timeoutMs;
      while (sched.queued > 0 && performance.now() < end) await new Promise((r) => setTimeout(r, 2));
    },
    async close() {
      sched.close();
      master.close();
      slave.close();
    },
  };
}
