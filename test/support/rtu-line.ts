/**
 * Test support for the RTU master's unit tests (not used by production code):
 * an in-memory line — a `ByteStream` and an `RtuLink` — whose far end is a
 * scripted slave answering on the injected (manual) clock, recording every
 * frame with its time and the largest number of outstanding transactions; and
 * `drive(clock, ms)`, which advances a ManualClock in small steps and lets
 * the event loop run in between (the master's precise waits spin on
 * setImmediate).
 */

import type { RtuLink } from '../../src/modbus/rtu-master.js';
import { txTimeMs } from '../../src/modbus/rtu-timing.js';
import { decodeRtuAdu, encodeRtuAdu } from '../../src/protocol/modbus/index.js';
import type { ManualClock } from '../../src/shared/clock.js';
import type { ByteStream } from '../../src/transport/byte-stream.js';

/**
 * What the scripted slave does with one request: reply bytes after a delay, or nothing.
 * The delay counts from the end of the request on the wire; the reply then reaches the
 * master once its own bytes have crossed the wire (as through a baud-accurate line).
 */
export type SlaveScript = (
  unit: number,
  pdu: Uint8Array,
) => { bytes: Uint8Array; delayMs: number } | undefined;

export interface SentFrame {
  readonly unit: number;
  readonly pdu: Uint8Array;
  readonly t: number;
}

const flush = () => new Promise<void>((r) => setImmediate(r));

/** Advances the clock by `ms` in `stepMs` steps, running pending I/O callbacks between steps. */
export async function drive(clock: ManualClock, ms: number, stepMs = 0.25): Promise<void> {
  for (let done = 0; done < ms; done += stepMs) {
    await flush();
    clock.advance(Math.min(stepMs, ms - done));
  }
  await flush();
  await flush();
}

/** A normal reply frame: the slave echoes `fc` with `body`. */
export const reply = (unit: number, pdu: readonly number[]): Uint8Array =>
  encodeRtuAdu({ unitId: unit, pdu: Uint8Array.from(pdu) });

export class FakeLine implements ByteStream, RtuLink {
  readonly id = 1;
  readonly remote = 'fake';
  readonly local = 'fake';
  readonly sent: SentFrame[] = [];
  /** Times bytes reached the master. */
  readonly replies: number[] = [];
  state: RtuLink['state'] = 'idle';
  maxOutstanding = 0;
  #outstanding = 0;
  #open = false;
  #data = new Set<(b: Uint8Array) => void>();
  #close = new Set<(r: string) => void>();
  #conn = new Set<(s: ByteStream) => void>();

  constructor(
    readonly clock: ManualClock,
    public script: SlaveScript,
    readonly baud = 9600,
  ) {}

  get isOpen(): boolean {
    return this.#open;
  }

  start(): void {
    this.state = 'connected';
    this.#open = true;
    for (const fn of this.#conn) fn(this);
  }

  close(): void {
    if (!this.#open) return;
    this.#open = false;
    this.state = 'closed';
    for (const fn of this.#close) fn('local');
  }

  onConnection(fn: (s: ByteStream) => void): () => void {
    this.#conn.add(fn);
    return () => this.#conn.delete(fn);
  }

  onConnectFailed(): () => void {
    return () => {};
  }

  write(bytes: Uint8Array): boolean {
    const d = decodeRtuAdu(bytes);
    if (!d.ok) throw new Error('master sent a bad frame');
    this.sent.push({ unit: d.adu.unitId, pdu: d.adu.pdu, t: this.clock.monotonic() });
    this.#outstanding++;
    this.maxOutstanding = Math.max(this.maxOutstanding, this.#outstanding);
    const r = d.adu.unitId === 0 ? undefined : this.script(d.adu.unitId, d.adu.pdu);
    if (r === undefined) this.#outstanding = 0;
    else {
      const wire = txTimeMs(bytes.length, this.baud) + r.delayMs + txTimeMs(r.bytes.length, this.baud);
      this.clock.setTimeout(() => this.emit(r.bytes), wire);
    }
    return true;
  }

  /** Bytes from the slave side reach the master now. */
  emit(bytes: Uint8Array): void {
    this.#outstanding = 0;
    this.replies.push(this.clock.monotonic());
    for (const fn of this.#data) fn(bytes);
  }

  onData(fn: (b: Uint8Array) => void): () => void {
    this.#data.add(fn);
    return () => this.#data.delete(fn);
  }

  onClose(fn: (r: string) => void): () => void {
    this.#close.add(fn);
    return () => this.#close.delete(fn);
  }

  armDeadline(): void {}
  disarmDeadline(): void {}
}
