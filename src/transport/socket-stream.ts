/**
 * `SocketStream`: a connected node:net socket seen as a `ByteStream`. Shared by
 * the TCP server (accepted connections) and the TCP client (outgoing ones).
 *
 * What it enforces, all timers through the injected Clock:
 * - idle timeout: no byte received for `idleTimeoutMs` → close 'idle' (0 = off);
 *   checked lazily (one timer per period, not one per chunk);
 * - frame deadline: `armDeadline(ms)` → close 'frame-deadline' unless disarmed;
 * - backpressure: when the kernel does not take our bytes (the peer does not
 *   read its replies) and more than `writeHighWaterBytes` wait in user space,
 *   reading is paused, so no new requests are parsed, until the buffer drains.
 *   A paused peer receives nothing and sends nothing we read, so the idle timeout
 *   ends it; beyond `maxWriteBufferBytes` it is closed at once ('write-overflow').
 * - write batching: the first write of a stream in a tick goes to the kernel
 *   at once; further writes of the same stream before the tick ends (pipelined
 *   answers completed together) are corked and go out together, in one
 *   writev, on process.nextTick — at most `CORK_LIMIT_BYTES` are held, so
 *   the limits above see no more unsent bytes than before.
 * Socket errors (ECONNRESET …) never escape: they are logged at debug and end
 * the stream with reason 'peer' or 'error'.
 */
import type { Socket } from 'node:net';
import type { TimerHandle } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import { formatHostPort, normaliseAddress } from './address.js';
import { type ByteStream, CloseReasons, type TransportContext } from './byte-stream.js';
import { StreamBase } from './stream-base.js';

export interface StreamFlowOptions {
  /** Close after this long without a received byte; 0 disables. */
  readonly idleTimeoutMs: number;
  /** Pause reading while more than this many unsent bytes wait (≥ 16 KiB, node's socket mark). */
  readonly writeHighWaterBytes: number;
  /** Close the stream when more than this many unsent bytes wait. */
  readonly maxWriteBufferBytes: number;
}

export const DEFAULT_FLOW: StreamFlowOptions = {
  idleTimeoutMs: 0,
  writeHighWaterBytes: 64 * 1024,
  maxWriteBufferBytes: 1024 * 1024,
};

/** TCP keep-alive probe delay: finds dead peers behind the idle timeout's back too. */
const KEEPALIVE_MS = 30_000;
const PEER_ERRORS = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ETIMEDOUT']);
/** Corked bytes beyond this are handed to the kernel at once (below the 16 KiB floor of the write limits). */
const CORK_LIMIT_BYTES = 8 * 1024;

let lastId = 0;

export class SocketStream extends StreamBase implements ByteStream {
  readonly id = ++lastId;
  readonly remote: string;
  readonly local: string;
  /** Normalised peer address (the per-source key); '' when the socket has none. */
  readonly source: string;
  protected readonly log: Logger;
  readonly #socket: Socket;
  readonly #ctx: TransportContext;
  #flow: StreamFlowOptions;
  #errorReason: string | undefined;
  #lastDataAt: number;
  #idleTimer: TimerHandle | undefined;
  #readPaused = false;
  /** The tick of this stream's last write, and whether the socket is corked until the tick ends. */
  #lastWriteTick = -1;
  #corked = false;

  /** Ticks: a tick ends on the process.nextTick scheduled by the first write anyone made in it. */
  static #tick = 0;
  static #tickEnding = false;
  static readonly #corkedStreams: SocketStream[] = [];
  static readonly #endTick = (): void => {
    SocketStream.#tickEnding = false;
    SocketStream.#tick++;
    for (const stream of SocketStream.#corkedStreams.splice(0)) stream.#uncork();
  };

  constructor(socket: Socket, ctx: TransportContext, flow: StreamFlowOptions = DEFAULT_FLOW) {
    super(ctx.clock);
    this.#socket = socket;
    this.#ctx = ctx;
    this.#flow = flow;
    this.source = normaliseAddress(socket.remoteAddress) ?? '';
    this.remote = formatHostPort(this.source || 'unknown', socket.remotePort);
    this.local = formatHostPort(normaliseAddress(socket.localAddress) ?? 'unknown', socket.localPort);
    this.log = ctx.log.child({ stream: this.id, remote: this.remote });
    this.#lastDataAt = ctx.clock.monotonic();
    socket.setNoDelay(true);
    socket.setKeepAlive(true, KEEPALIVE_MS);
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('drain', () => this.#onDrain());
    socket.on('error', (e: NodeJS.ErrnoException) => this.#onError(e));
    socket.on('close', () => this.finish(this.#errorReason ?? CloseReasons.PEER));
    this.#armIdle(flow.idleTimeoutMs);
    socket.resume();
  }

  /** True while reading is paused because the peer does not read its replies. */
  get readPaused(): boolean {
    return this.#readPaused;
  }

  write(bytes: Uint8Array): boolean {
    if (!this.isOpen) return false;
    const socket = this.#socket;
    if (!SocketStream.#tickEnding) {
      SocketStream.#tickEnding = true;
      process.nextTick(SocketStream.#endTick);
    } else if (this.#lastWriteTick === SocketStream.#tick && !this.#corked) {
      this.#corked = true;
      socket.cork();
      SocketStream.#corkedStreams.push(this);
    }
    this.#lastWriteTick = SocketStream.#tick;
    const flushed = socket.write(bytes);
    if (this.#corked && socket.writableLength >= CORK_LIMIT_BYTES) this.#uncork();
    const pending = socket.writableLength;
    if (pending > this.#flow.maxWriteBufferBytes) {
      this.close(CloseReasons.WRITE_OVERFLOW);
      return false;
    }
    if (!flushed && pending >= this.#flow.writeHighWaterBytes && !this.#readPaused) {
      this.#readPaused = true;
      this.#socket.pause();
      this.log.debug({ pending }, 'peer does not read: reading paused');
    }
    return true;
  }

  close(reason: string = CloseReasons.LOCAL): void {
    if (!this.isOpen) return;
    this.#socket.destroy();
    this.finish(reason);
  }

  #uncork(): void {
    if (!this.#corked) return;
    this.#corked = false;
    if (!this.#socket.destroyed) this.#socket.uncork();
  }

  /** Applies new flow limits live (the idle period restarts from the last received byte). */
  setFlow(flow: StreamFlowOptions): void {
    this.#flow = flow;
    this.#idleTimer?.cancel();
    this.#idleTimer = undefined;
    if (this.isOpen) this.#armIdle(Math.max(0, flow.idleTimeoutMs - this.#sinceData()));
  }

  #sinceData(): number {
    return this.#ctx.clock.monotonic() - this.#lastDataAt;
  }

  #armIdle(delayMs: number): void {
    if (this.#flow.idleTimeoutMs <= 0) return;
    this.#idleTimer = this.#ctx.clock.setTimeout(() => this.#checkIdle(), Math.max(1, Math.ceil(delayMs)));
  }

  #checkIdle(): void {
    this.#idleTimer = undefined;
    if (!this.isOpen) return;
    const remaining = this.#flow.idleTimeoutMs - this.#sinceData();
    if (remaining <= 0) this.close(CloseReasons.IDLE);
    else this.#armIdle(remaining);
  }

  #onData(chunk: Buffer): void {
    if (!this.isOpen) return;
    this.#lastDataAt = this.#ctx.clock.monotonic();
    this.dispatch(chunk);
  }

  #onDrain(): void {
    if (!this.#readPaused || !this.isOpen) return;
    this.#readPaused = false;
    this.#socket.resume();
  }

  #onError(e: NodeJS.ErrnoException): void {
    const code = e.code ?? 'UNKNOWN';
    this.#errorReason ??= PEER_ERRORS.has(code) ? CloseReasons.PEER : CloseReasons.ERROR;
    this.log.debug({ code }, 'socket error');
  }

  protected override onFinish(): void {
    this.#idleTimer?.cancel();
    this.#idleTimer = undefined;
  }
}
