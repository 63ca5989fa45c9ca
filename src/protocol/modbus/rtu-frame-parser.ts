/**
 * Modbus RTU stream parser for a serial line.
 *
 * The RTU standard delimits frames by silence (3.5 character times between
 * frames, at most 1.5 character times inside one). Those gaps cannot be
 * observed through an OS serial driver: bytes reach user space in chunks whose
 * boundaries depend on the UART FIFO, the driver's latency timer and the event
 * loop, not on the line's timing. Frames are therefore delimited by their
 * predicted length (rtu-length.ts) and a valid CRC-16/MODBUS. When the bytes at
 * the head of the buffer do not form a valid frame, one byte is dropped and
 * parsing resynchronises on the next (zigbee-herdsman unpi / zwave-js serial
 * parser style); it never throws. The transport may call `reset()` after a
 * silence longer than the response timeout to drop a stale partial frame, or
 * better `onSilence()`, which also recovers a frame sitting behind garbage
 * whose first bytes predicted a longer frame (such garbage otherwise holds the
 * stream until enough bytes arrive to refute it: at most 256).
 * Frames whose length is not in their header (unknown function codes) are only
 * delimited by CRC search for the reply a master announced with `expect()`;
 * elsewhere such bytes count as garbage, so garbage never stalls the stream.
 * On the slave side, requests with function code 0 or ≥ 0x80 are dropped.
 *
 * Same frames whatever the chunking: every decision depends only on the bytes
 * buffered, and is only taken once enough bytes are there to take it for good.
 * Memory is bounded: at most 256 pending bytes plus one 512-byte work buffer.
 */
import { crc16Modbus } from './crc16.js';
import type { RtuAdu } from './rtu.js';
import { type FrameLength, predictRequestLength, predictResponseLength } from './rtu-length.js';

const MAX_FRAME = 256;
const MIN_FRAME = 4;
const CAPACITY = 512;
const INVALID: FrameLength = { kind: 'invalid' };

export type RtuSide = 'request' | 'response';

export interface RtuParserEvent {
  type: 'discarded';
  /** Bytes dropped while resynchronising (their total is chunking-independent, their grouping is not). */
  bytes: number;
}

export interface RtuPushResult {
  frames: RtuAdu[];
  events: RtuParserEvent[];
}

export class RtuFrameParser {
  private readonly buf = new Uint8Array(CAPACITY);
  private start = 0;
  private end = 0;
  private dropped = 0;
  private readonly predict: (b: Uint8Array, off: number, avail: number) => FrameLength;
  /** Search resume state for the frame at `start`: next candidate length and CRC of the bytes before it. */
  private searchLen = 0;
  private searchCrc = 0xffff;
  private expectedUnit: number | null = null;
  private expectedFc: number | null = null;

  /** `request`: slave side (parses requests); `response`: master side (parses replies). */
  constructor(side: RtuSide) {
    this.predict = side === 'request' ? predictRequestLength : predictResponseLength;
  }

  /**
   * Master side: the unit id and function code of the request in flight (null: any).
   * Bytes that cannot start its reply (another unit, another code than fc or fc | 0x80)
   * are dropped at once instead of being weighed as a frame start.
   */
  expect(unitId: number | null, fc: number | null): void {
    this.expectedUnit = unitId;
    this.expectedFc = fc;
  }

  get pendingBytes(): number {
    return this.end - this.start;
  }

  /**
   * The line went silent (t3.5 or a response timeout, as seen by the transport):
   * pending bytes should end on a frame boundary. Emits the frame made by the
   * longest CRC-valid tail of the pending bytes, if any, and drops the rest.
   * This recovers a reply that sits behind garbage predicting a long frame.
   */
  onSilence(): RtuPushResult {
    const out: RtuPushResult = { frames: [], events: [] };
    for (let k = this.start; this.end - k >= MIN_FRAME; k++) {
      if (crcMatches(this.buf, k, this.end)) {
        this.dropped += k - this.start;
        this.start = k;
        this.emit(this.end - k, out);
        return out;
      }
    }
    this.dropped += this.reset();
    if (this.dropped > 0) this.flushDropped(out);
    return out;
  }

  /** Drops any partial frame; returns how many bytes were dropped. */
  reset(): number {
    const n = this.end - this.start;
    this.start = 0;
    this.end = 0;
    this.searchLen = 0;
    return n;
  }

  push(chunk: Uint8Array): RtuPushResult {
    const out: RtuPushResult = { frames: [], events: [] };
    let i = 0;
    while (i < chunk.length) {
      this.compact();
      const n = Math.min(CAPACITY - this.end, chunk.length - i);
      this.buf.set(chunk.subarray(i, i + n), this.end);
      this.end += n;
      i += n;
      this.parse(out);
    }
    if (this.dropped > 0) this.flushDropped(out);
    return out;
  }

  private compact(): void {
    if (this.start === 0) return;
    this.buf.copyWithin(0, this.start, this.end);
    this.end -= this.start;
    this.start = 0;
  }

  private parse(out: RtuPushResult): void {
    for (;;) {
      const avail = this.end - this.start;
      if (avail === 0) return;
      const p = this.unexpected(avail) ? INVALID : this.predict(this.buf, this.start, avail);
      let length: number | 'wait' | 'drop';
      if (p.kind === 'invalid') length = 'drop';
      else if (p.kind === 'need') length = p.bytes > avail && p.bytes <= MAX_FRAME ? 'wait' : 'drop';
      else if (p.kind === 'exact') length = this.checkExact(p.length, avail);
      else if (this.searchAllowed()) length = this.searchCrcMatch(p.min, p.max, avail);
      else length = p.fallback === null ? 'drop' : this.checkExact(p.fallback, avail);
      if (length === 'wait') return;
      if (length === 'drop') this.dropOne();
      else this.emit(length, out);
    }
  }

  /** CRC search only for the reply a master waits for (see rtu-length.ts). */
  private searchAllowed(): boolean {
    return this.expectedFc !== null && this.buf[this.start + 1] === this.expectedFc;
  }

  private unexpected(avail: number): boolean {
    if (this.expectedUnit !== null && this.buf[this.start] !== this.expectedUnit) return true;
    if (this.expectedFc === null || avail < 2) return false;
    const fc = this.buf[this.start + 1] ?? 0;
    return fc !== this.expectedFc && fc !== (this.expectedFc | 0x80);
  }

  private checkExact(length: number, avail: number): number | 'wait' | 'drop' {
    if (length < MIN_FRAME || length > MAX_FRAME) return 'drop';
    if (avail < length) return 'wait';
    const crc = crc16Modbus(this.buf, this.start, this.start + length - 2);
    return this.crcAt(crc, length) ? length : 'drop';
  }

  private crcAt(crc: number, length: number): boolean {
    const at = this.start + length - 2;
    return this.buf[at] === (crc & 0xff) && this.buf[at + 1] === crc >>> 8;
  }

  /** Shortest length in [min, max] with a valid CRC, resuming where the last call stopped. */
  private searchCrcMatch(min: number, max: number, avail: number): number | 'wait' | 'drop' {
    if (this.searchLen < min) {
      if (avail < min) return 'wait';
      this.searchLen = min;
      this.searchCrc = crc16Modbus(this.buf, this.start, this.start + min - 2);
    }
    const last = Math.min(max, avail);
    while (this.searchLen <= last) {
      if (this.crcAt(this.searchCrc, this.searchLen)) return this.searchLen;
      this.searchCrc = crcStep(this.searchCrc, this.buf[this.start + this.searchLen - 2] ?? 0);
      this.searchLen++;
    }
    return avail >= max ? 'drop' : 'wait';
  }

  private dropOne(): void {
    this.start++;
    this.dropped++;
    this.searchLen = 0;
  }

  private emit(length: number, out: RtuPushResult): void {
    if (this.dropped > 0) this.flushDropped(out);
    const s = this.start;
    out.frames.push({ unitId: this.buf[s] ?? 0, pdu: this.buf.slice(s + 1, s + length - 2) });
    this.start += length;
    this.searchLen = 0;
  }

  private flushDropped(out: RtuPushResult): void {
    out.events.push({ type: 'discarded', bytes: this.dropped });
    this.dropped = 0;
  }
}

function crcMatches(b: Uint8Array, start: number, end: number): boolean {
  const crc = crc16Modbus(b, start, end - 2);
  return b[end - 2] === (crc & 0xff) && b[end - 1] === crc >>> 8;
}

function crcStep(crc: number, byte: number): number {
  let c = crc ^ byte;
  for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xa001 : c >>> 1;
  return c;
}
