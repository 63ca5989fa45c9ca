/**
 * `RtuWire`: the byte-level side of one RTU line — silence before each frame,
 * one attempt (request → reply) at a time, late bytes drained. The queue,
 * retries and dead slaves are rtu-master.ts's; this file owns the stream.
 *
 * Silence. Before each frame the wire waits until the line has been silent
 * for t3.5 (rtu-timing.ts) plus `pauseMs` since the last byte seen on it: the
 * computed end of our own last frame on the wire, or the arrival of the last
 * received chunk. After a failed attempt the silence needed is at least
 * `drainMs` (default 100 ms) from the failure, restarted by every byte that
 * arrives meanwhile: a late reply is drained while the line is held, and is
 * never read as the answer to the next request. If the line never falls
 * silent (a babbling slave), the frame goes out after that silence plus
 * `timeoutMs` of waiting.
 *
 * Framing. Replies are delimited by length and CRC through the codec's
 * `RtuFrameParser` (master side, `expect(null, fc)`), not by the 1.5- and
 * 3.5-character gaps of the standard: those gaps cannot be observed through
 * an OS serial driver, which hands bytes over in chunks whose boundaries
 * follow the UART FIFO, the driver's latency timer and the event loop.
 *
 * An attempt ends:
 * - 'ok': a frame with the addressed slave and the function code (or its
 *   exception) arrived; a valid frame from another slave is ignored and
 *   counted (`wrongAddress`);
 * - 'corrupt': bytes came but no valid reply, once the line stayed silent
 *   `corruptSilenceMs` after the last chunk that followed garbage (default max(4 × t3.5, 20 ms)) or at the
 *   response timeout — at which point the parser's `onSilence` gets one chance
 *   to recover a frame sitting behind garbage;
 * - 'silent': nothing but (maybe) valid frames from other slaves before the
 *   response timeout, counted from the computed end of the request on the wire;
 * - 'closed': the stream closed.
 * Bytes that arrive while no attempt waits are counted (`lateBytes`) and dropped.
 */
import { encodeRtuAdu, RtuFrameParser } from '../protocol/modbus/index.js';
import type { Clock, TimerHandle } from '../shared/clock.js';
import type { ByteStream } from '../transport/byte-stream.js';
import { t35Ms, txTimeMs, waitUntil } from './rtu-timing.js';

export type WireResult =
  | { readonly result: 'ok'; readonly pdu: Uint8Array }
  | { readonly result: 'silent' | 'corrupt' | 'closed' };

export interface WireSettings {
  readonly baud: number;
  readonly timeoutMs: number;
  readonly pauseMs: number;
  /** Silence required after a failed attempt; default 100 ms. */
  readonly drainMs?: number;
  /** Silence after garbage that ends an attempt early as corrupt; default max(4 × t3.5, 20 ms). */
  readonly corruptSilenceMs?: number;
}

export interface WireCounters {
  sent: number;
  wrongAddress: number;
  garbageBytes: number;
  lateBytes: number;
}

interface Attempt {
  readonly unit: number;
  /** Garbage or a partial frame was seen (a valid frame from another slave is not). */
  corrupt: boolean;
  timer: TimerHandle | undefined;
  silenceTimer: TimerHandle | undefined;
  readonly done: (r: WireResult) => void;
}

export const DEFAULT_DRAIN_MS = 100;

export class RtuWire {
  readonly counters: WireCounters = { sent: 0, wrongAddress: 0, garbageBytes: 0, lateBytes: 0 };
  readonly #clock: Clock;
  readonly #parser = new RtuFrameParser('response');
  readonly #settings: WireSettings;
  #stream: ByteStream | undefined;
  #offs: Array<() => void> = [];
  #attempt: Attempt | undefined;
  /** Monotonic time of the last byte seen on the line (sent or received), or of the last failure. */
  #lastByteAt = Number.NEGATIVE_INFINITY;
  #minSilence = 0;
  /** No frame before this instant (broadcast turnaround). */
  #holdUntil = Number.NEGATIVE_INFINITY;

  constructor(clock: Clock, settings: WireSettings) {
    this.#clock = clock;
    this.#settings = settings;
  }

  get open(): boolean {
    return this.#stream?.isOpen === true;
  }

  attach(stream: ByteStream): void {
    this.detach();
    this.#stream = stream;
    this.#parser.reset();
    this.#offs = [stream.onData((b) => this.#onData(b)), stream.onClose(() => this.detach())];
  }

  detach(): void {
    for (const off of this.#offs.splice(0)) off();
    this.#stream = undefined;
    this.#end({ result: 'closed' });
  }

  /** Sends one request frame and waits for its reply (one attempt). */
  async exchange(unit: number, pdu: Uint8Array): Promise<WireResult> {
    await this.#awaitSilence();
    const stream = this.#stream;
    if (stream === undefined || this.#attempt !== undefined) return { result: 'closed' };
    const frame = encodeRtuAdu({ unitId: unit, pdu });
    this.#parser.reset();
    this.#parser.expect(null, pdu[0] ?? null);
    return new Promise<WireResult>((done) => {
      const attempt: Attempt = {
        unit,
        corrupt: false,
        timer: undefined,
        silenceTimer: undefined,
        done,
      };
      this.#attempt = attempt;
      const txEnd = this.#write(stream, frame);
      const wait = Math.ceil(txEnd - this.#clock.monotonic() + this.#settings.timeoutMs);
      attempt.timer = this.#clock.setTimeout(() => this.#onTimeout(attempt), Math.max(1, wait));
    });
  }

  /** Sends a frame nobody answers (unit 0); resolves when it has left the wire. The line is then held `holdMs`. */
  async broadcast(pdu: Uint8Array, holdMs: number): Promise<boolean> {
    await this.#awaitSilence();
    const stream = this.#stream;
    if (stream === undefined || this.#attempt !== undefined) return false;
    const txEnd = this.#write(stream, encodeRtuAdu({ unitId: 0, pdu }));
    this.#holdUntil = txEnd + holdMs;
    await waitUntil(this.#clock, txEnd);
    return true;
  }

  #write(stream: ByteStream, frame: Uint8Array): number {
    const now = this.#clock.monotonic();
    stream.write(frame);
    this.counters.sent++;
    this.#minSilence = 0;
    this.#lastByteAt = now + txTimeMs(frame.length, this.#settings.baud);
    return this.#lastByteAt;
  }

  /** Waits for t3.5 + pause (or the drain) of silence; bytes arriving meanwhile restart it. */
  async #awaitSilence(): Promise<void> {
    const silence = Math.max(t35Ms(this.#settings.baud), this.#minSilence) + this.#settings.pauseMs;
    const giveUp = Math.max(this.#clock.monotonic(), this.#holdUntil) + silence + this.#settings.timeoutMs;
    for (;;) {
      const seen = this.#lastByteAt;
      const at = Math.max(seen + silence, this.#holdUntil);
      if (this.#clock.monotonic() >= at || this.#clock.monotonic() >= giveUp) return;
      await waitUntil(this.#clock, Math.min(at, giveUp));
      if (this.#lastByteAt === seen) return;
    }
  }

  #onData(chunk: Uint8Array): void {
    // max: on a pty a reply can arrive before our request's computed end on the wire.
    this.#lastByteAt = Math.max(this.#lastByteAt, this.#clock.monotonic());
    const a = this.#attempt;
    if (a === undefined) {
      this.counters.lateBytes += chunk.length;
      return;
    }
    const { frames, events } = this.#parser.push(chunk);
    if (this.#deliver(a, frames)) return;
    for (const e of events) this.counters.garbageBytes += e.bytes;
    if (events.length > 0) a.corrupt = true;
    if (a.corrupt) this.#armCorruptSilence(a);
  }

  /** Ends the attempt with the first frame from its slave; true when done. */
  #deliver(a: Attempt, frames: ReadonlyArray<{ unitId: number; pdu: Uint8Array }>): boolean {
    for (const f of frames) {
      if (f.unitId === a.unit) {
        this.#end({ result: 'ok', pdu: f.pdu });
        return true;
      }
      this.counters.wrongAddress++;
    }
    return false;
  }

  #armCorruptSilence(a: Attempt): void {
    a.silenceTimer?.cancel();
    const ms = this.#settings.corruptSilenceMs ?? Math.max(4 * t35Ms(this.#settings.baud), 20);
    a.silenceTimer = this.#clock.setTimeout(() => this.#onTimeout(a), Math.ceil(ms));
  }

  #onTimeout(a: Attempt): void {
    if (this.#attempt !== a) return;
    const { frames, events } = this.#parser.onSilence();
    if (this.#deliver(a, frames)) return;
    for (const e of events) this.counters.garbageBytes += e.bytes;
    if (events.length > 0) a.corrupt = true;
    this.#end({ result: a.corrupt ? 'corrupt' : 'silent' });
  }

  #end(r: WireResult): void {
    const a = this.#attempt;
    if (a === undefined) return;
    this.#attempt = undefined;
    a.timer?.cancel();
    a.silenceTimer?.cancel();
    if (r.result !== 'ok') {
      this.#lastByteAt = Math.max(this.#lastByteAt, this.#clock.monotonic());
      this.#minSilence = this.#settings.drainMs ?? DEFAULT_DRAIN_MS;
    }
    a.done(r);
  }
}
