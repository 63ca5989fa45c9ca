/**
 * One upstream Modbus TCP connection (PRODUCT G7, SECURITY H1–H3):
 *
 * - Framing: the codec's `TcpFrameParser`. A fatal framing error (MBAP length
 *   0, 1 or > 254) closes the connection at once, reason 'bad-length'; any
 *   complete request that arrived in the same chunk before it is dropped
 *   unanswered. A frame with protocol id ≠ 0 is skipped exactly, nothing sent.
 * - Frame deadline: armed (fresh) when a frame's first byte is pending,
 *   kept while the same frame trickles in, disarmed when no partial frame
 *   remains; on expiry the stream closes ('frame-deadline').
 * - Pipelining: each frame is routed as soon as it is parsed; answers carry
 *   their own transaction id and unit id and are sent as they complete, in
 *   any order.
 * - Pending cap: at most `maxPendingPerConnection` requests in flight. A
 *   request above the cap is answered 0x06 (server busy) at once, without
 *   being routed. Chosen over pausing the socket (the client would then time
 *   out with no reason) and over closing (which would drop the answers to the
 *   requests in flight); the client learns its pipeline is too deep.
 * - One AbortController per connection, aborted on close: targets drop the
 *   queued work of a client that is gone; its answers are never sent.
 * - Per request: one parse result reused from chunk to chunk, one promise
 *   chained once, the answer framed (MBAP header and PDU) into one pooled
 *   buffer and written at once; answers completed in the same tick leave in
 *   one syscall (SocketStream's write batching).
 */
import {
  ExceptionCodes,
  encodeException,
  MBAP_HEADER_LENGTH,
  type TcpAdu,
  TcpFrameParser,
  type TcpPending,
  type TcpPushResult,
} from '../protocol/modbus/index.js';
import { writeTcpAdu } from '../protocol/modbus/mbap.js';
import { ErrorCodes, WattgateError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import type { ByteStream } from '../transport/byte-stream.js';
import type { RouteRequest } from './router.js';
import type { ModbusStatsRecorder } from './server-stats.js';

export interface ModbusServerSettings {
  /** A frame must complete within this many ms of its first byte (SEC-H3). */
  readonly frameDeadlineMs: number;
  /** Requests in flight per connection; above it → 0x06. */
  readonly maxPendingPerConnection: number;
}

export type RequestHandler = (req: RouteRequest) => Promise<Uint8Array | undefined>;

export interface ConnectionHost {
  readonly log: Logger;
  readonly stats: ModbusStatsRecorder;
  readonly handler: RequestHandler;
  /** Read at each use, so changes apply to open connections at once. */
  settings(): ModbusServerSettings;
}

export const BAD_LENGTH_CLOSE_REASON = 'bad-length';

export class ModbusConnection {
  readonly #stream: ByteStream;
  readonly #host: ConnectionHost;
  readonly #log: Logger;
  readonly #parser = new TcpFrameParser();
  readonly #abort = new AbortController();
  readonly #result: TcpPushResult = { adus: [], events: [], pending: 'none' };
  #parsing = false;
  #pending = 0;

  constructor(stream: ByteStream, host: ConnectionHost) {
    this.#stream = stream;
    this.#host = host;
    this.#log = host.log.child({ stream: stream.id, remote: stream.remote });
    stream.onData((bytes) => this.#onData(bytes));
    stream.onClose((reason) => {
      this.#abort.abort(new WattgateError(ErrorCodes.ABORTED, `upstream connection closed (${reason})`));
    });
  }

  /** Requests of this connection in flight now. */
  get pending(): number {
    return this.#pending;
  }

  #onData(bytes: Uint8Array): void {
    // The reused result, unless a handler fed this connection again from within the loop below.
    const reuse = !this.#parsing;
    const result = reuse ? this.#parser.pushInto(bytes, this.#result) : this.#parser.push(bytes);
    this.#parsing = true;
    try {
      this.#handle(result);
    } finally {
      if (reuse) this.#parsing = false;
    }
  }

  #handle(result: TcpPushResult): void {
    for (const event of result.events) {
      if (event.fatal) {
        this.#host.stats.badLengthClosed();
        this.#log.debug({ length: event.length }, 'fatal MBAP length: closing');
        this.#stream.close(BAD_LENGTH_CLOSE_REASON);
        return;
      }
      this.#host.stats.protocolIdDropped();
      this.#log.debug({ protocolId: event.protocolId }, 'protocol id is not 0: frame skipped');
    }
    for (const adu of result.adus) this.#request(adu);
    this.#deadline(result.pending);
  }

  #deadline(pending: TcpPending): void {
    if (pending === 'none') {
      this.#stream.disarmDeadline();
      return;
    }
    if (pending === 'new') this.#stream.disarmDeadline();
    this.#stream.armDeadline(this.#host.settings().frameDeadlineMs);
  }

  #request(adu: TcpAdu): void {
    this.#host.stats.request(adu.unitId);
    if (this.#pending >= this.#host.settings().maxPendingPerConnection) {
      this.#host.stats.pendingCapRejected();
      this.#send(adu, encodeException(adu.pdu[0] ?? 0, ExceptionCodes.SERVER_DEVICE_BUSY));
      return;
    }
    this.#pending++;
    const req: RouteRequest = {
      unitId: adu.unitId,
      pdu: adu.pdu,
      signal: this.#abort.signal,
      source: this.#stream.remote,
    };
    let answer: Promise<Uint8Array | undefined>;
    try {
      answer = this.#host.handler(req);
    } catch (error) {
      answer = Promise.reject(error);
    }
    answer.then(
      (pdu) => this.#answered(adu, pdu),
      (error: unknown) => {
        this.#log.error({ err: error }, 'request handler threw');
        this.#answered(adu, encodeException(adu.pdu[0] ?? 0, ExceptionCodes.SERVER_DEVICE_FAILURE));
      },
    );
  }

  #answered(adu: TcpAdu, pdu: Uint8Array | undefined): void {
    this.#pending--;
    this.#send(adu, pdu);
  }

  /** Frames the answer in one buffer (header and PDU, no concatenation) and writes it. */
  #send(adu: TcpAdu, pdu: Uint8Array | undefined): void {
    if (pdu === undefined || !this.#stream.isOpen) {
      this.#host.stats.unanswered();
      return;
    }
    const frame = Buffer.allocUnsafe(MBAP_HEADER_LENGTH + pdu.length);
    try {
      writeTcpAdu(frame, 0, adu.transactionId, adu.unitId, pdu);
    } catch (error) {
      this.#log.error({ err: error }, 'answer could not be framed');
      return;
    }
    if (this.#stream.write(frame)) this.#host.stats.response(adu.unitId, pdu);
  }
}
