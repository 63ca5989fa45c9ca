/**
 * Modbus TCP stream parser (SEC-H1/H2/H3). The MBAP length field is the frame
 * boundary:
 * - length 2..254 and protocol id 0 → one ADU (transaction id, unit id, PDU);
 * - length 2..254 and protocol id ≠ 0 → that frame is skipped exactly, a
 *   non-fatal `protocol-id` event is reported and parsing goes on;
 * - length 0, 1 or > 254 → a fatal `bad-length` event: the stream can no
 *   longer be delimited, the server closes the connection; the parser then
 *   ignores every further byte until `reset()`.
 * It never allocates from the length field (fixed 7 + 253 byte buffers, or a
 * PDU copy of at most 253 bytes when a whole frame lies in one chunk), never
 * throws, and gives the same sequence of ADUs and events however the stream is
 * chunked. `pending` tells whether a partial frame is waiting and whether its
 * first byte arrived in this chunk, so the server can run a frame deadline.
 */
import { readU16 } from './bytes.js';
import { Limits } from './function-codes.js';
import {
  MBAP_HEADER_LENGTH,
  MBAP_LENGTH_MAX,
  MBAP_LENGTH_MIN,
  MODBUS_PROTOCOL_ID,
  type TcpAdu,
} from './mbap.js';

export type TcpParserEvent =
  | {
      type: 'bad-length';
      fatal: true;
      transactionId: number;
      protocolId: number;
      length: number;
      /** Number of ADUs of this push that came before the event. */
      afterAdus: number;
    }
  | {
      type: 'protocol-id';
      fatal: false;
      transactionId: number;
      protocolId: number;
      length: number;
      unitId: number;
      afterAdus: number;
    };

/** `new`: a partial frame began in this chunk; `continuing`: it began earlier. */
export type TcpPending = 'none' | 'new' | 'continuing';

export interface TcpPushResult {
  adus: TcpAdu[];
  events: TcpParserEvent[];
  pending: TcpPending;
}

/** PDUs up to this size are copied byte by byte (cheaper than a subarray view and a set). */
const SMALL_PDU = 32;

export class TcpFrameParser {
  private readonly header = new Uint8Array(MBAP_HEADER_LENGTH);
  private readonly pdu = new Uint8Array(Limits.PDU_MAX);
  private headerFill = 0;
  private pduNeed = 0;
  private pduFill = 0;
  private skipLeft = 0;
  private dead = false;
  private startedInPush = false;

  /** True after a fatal event; the connection must be closed (or the parser reset). */
  get failed(): boolean {
    return this.dead;
  }

  /** True while some bytes of an unfinished frame (or of a frame being skipped) are held. */
  get hasPartialFrame(): boolean {
    return !this.dead && (this.headerFill > 0 || this.skipLeft > 0);
  }

  reset(): void {
    this.headerFill = 0;
    this.pduNeed = 0;
    this.pduFill = 0;
    this.skipLeft = 0;
    this.dead = false;
  }

  push(chunk: Uint8Array): TcpPushResult {
    return this.pushInto(chunk, { adus: [], events: [], pending: 'none' });
  }

  /**
   * `push` into a result object the caller owns and reuses (its arrays are
   * emptied first): no result allocated per chunk. The ADUs themselves are
   * new objects, with PDUs copied out of the chunk, as with `push`.
   */
  pushInto(chunk: Uint8Array, out: TcpPushResult): TcpPushResult {
    out.adus.length = 0;
    out.events.length = 0;
    out.pending = 'none';
    this.startedInPush = false;
    let i = 0;
    while (i < chunk.length && !this.dead) {
      if (this.skipLeft > 0) i += this.skip(chunk.length - i);
      else if (this.headerFill === 0 && this.wholeFrame(chunk, i)) i += this.takeFrame(chunk, i, out);
      else if (this.headerFill < MBAP_HEADER_LENGTH) i += this.fillHeader(chunk, i, out);
      else i += this.fillPdu(chunk, i, out);
    }
    if (this.hasPartialFrame) out.pending = this.startedInPush ? 'new' : 'continuing';
    return out;
  }

  /** A valid Modbus frame starts at `i` and ends within the chunk (the common case: no copy of the header). */
  private wholeFrame(chunk: Uint8Array, i: number): boolean {
    if (chunk.length - i < MBAP_HEADER_LENGTH) return false;
    const length = readU16(chunk, i + 4);
    return (
      readU16(chunk, i + 2) === MODBUS_PROTOCOL_ID &&
      length >= MBAP_LENGTH_MIN &&
      length <= MBAP_LENGTH_MAX &&
      chunk.length - i >= 6 + length
    );
  }

  private takeFrame(chunk: Uint8Array, i: number, out: TcpPushResult): number {
    const length = readU16(chunk, i + 4);
    const start = i + MBAP_HEADER_LENGTH;
    // A copy, never a view of the chunk (the caller may reuse it); a plain Uint8Array, as on the slow path.
    const pdu = new Uint8Array(length - 1);
    if (length <= SMALL_PDU) for (let k = 0; k < length - 1; k++) pdu[k] = chunk[start + k] ?? 0;
    else pdu.set(chunk.subarray(start, start + length - 1));
    out.adus.push({ transactionId: readU16(chunk, i), unitId: chunk[i + 6] ?? 0, pdu });
    return 6 + length;
  }

  private skip(available: number): number {
    const n = Math.min(this.skipLeft, available);
    this.skipLeft -= n;
    if (this.skipLeft === 0) this.startedInPush = false;
    return n;
  }

  private fillHeader(chunk: Uint8Array, i: number, out: TcpPushResult): number {
    if (this.headerFill === 0) this.startedInPush = true;
    const n = Math.min(MBAP_HEADER_LENGTH - this.headerFill, chunk.length - i);
    for (let k = 0; k < n; k++) this.header[this.headerFill + k] = chunk[i + k] ?? 0;
    this.headerFill += n;
    if (this.headerFill === MBAP_HEADER_LENGTH) this.onHeader(out);
    return n;
  }

  private onHeader(out: TcpPushResult): void {
    const transactionId = readU16(this.header, 0);
    const protocolId = readU16(this.header, 2);
    const length = readU16(this.header, 4);
    const afterAdus = out.adus.length;
    if (length < MBAP_LENGTH_MIN || length > MBAP_LENGTH_MAX) {
      out.events.push({ type: 'bad-length', fatal: true, transactionId, protocolId, length, afterAdus });
      this.dead = true;
      this.headerFill = 0;
      return;
    }
    if (protocolId !== MODBUS_PROTOCOL_ID) {
      const unitId = this.header[6] ?? 0;
      out.events.push({
        type: 'protocol-id',
        fatal: false,
        transactionId,
        protocolId,
        length,
        unitId,
        afterAdus,
      });
      this.headerFill = 0;
      this.skipLeft = length - 1;
      return;
    }
    this.pduNeed = length - 1;
    this.pduFill = 0;
  }

  private fillPdu(chunk: Uint8Array, i: number, out: TcpPushResult): number {
    const n = Math.min(this.pduNeed - this.pduFill, chunk.length - i);
    this.pdu.set(chunk.subarray(i, i + n), this.pduFill);
    this.pduFill += n;
    if (this.pduFill === this.pduNeed) {
      out.adus.push({
        transactionId: readU16(this.header, 0),
        unitId: this.header[6] ?? 0,
        pdu: this.pdu.slice(0, this.pduNeed),
      });
      this.headerFill = 0;
      this.pduFill = 0;
      this.pduNeed = 0;
      this.startedInPush = false;
    }
    return n;
  }
}
