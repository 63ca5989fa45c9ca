/**
 * `TcpClient`: a kept-up outgoing TCP connection to one downstream device
 * (PRODUCT G6), as a Part. It connects with a timeout, and whenever the attempt
 * fails or the connection drops it waits a `Backoff` delay and tries again,
 * until `close()`. Each successful connection is handed out as a fresh
 * `ByteStream` (the same shape the server gives, TCP_NODELAY on), through
 * `onConnection` and the `stream` getter; the Modbus client fails the requests
 * in flight when that stream closes and waits for the next one.
 *
 * The back-off restarts from `baseMs` only after a connection stayed up for
 * `stableAfterMs`, so a server that accepts and drops at once (e.g. it is at
 * its connection cap) is not hammered. All timers go through the Clock.
 */
import { Socket } from 'node:net';
import type { TimerHandle } from '../shared/clock.js';
import { ErrorCodes, WattgateError } from '../shared/errors.js';
import { TypedEvents } from '../shared/events.js';
import type { Part } from '../shared/lifecycle.js';
import type { Logger } from '../shared/logger.js';
import { formatHostPort } from './address.js';
import { Backoff, type BackoffOptions, DEFAULT_BACKOFF } from './backoff.js';
import { type ByteStream, CloseReasons, type TransportContext } from './byte-stream.js';
import { DEFAULT_FLOW, SocketStream, type StreamFlowOptions } from './socket-stream.js';

export interface TcpClientOptions {
  readonly host: string;
  readonly port: number;
  /** Part name; default `tcp-client host:port`. */
  readonly name?: string;
  /** Give up one attempt after this long (DNS included); default 3000 ms. */
  readonly connectTimeoutMs?: number;
  /** Default: 500 ms doubling to 30 s, 20 % jitter. */
  readonly backoff?: BackoffOptions;
  /** A connection that lasted this long resets the back-off; default 10 000 ms. */
  readonly stableAfterMs?: number;
  /** Idle timeout (default 0 = off) and write bounds of each connection. */
  readonly flow?: Partial<StreamFlowOptions>;
  /** Local address to connect from (tests; multi-homed hosts). */
  readonly localAddress?: string;
}

export type TcpClientState = 'idle' | 'connecting' | 'connected' | 'waiting' | 'closed';

export interface TcpClientEvents extends Record<string, unknown> {
  connected: ByteStream;
  /** `retryInMs` is undefined when the client was closed (no retry). */
  disconnected: { readonly reason: string; readonly retryInMs: number | undefined };
  'connect-failed': { readonly error: unknown; readonly retryInMs: number };
}

export class TcpClient implements Part {
  readonly name: string;
  readonly events: TypedEvents<TcpClientEvents>;
  readonly #ctx: TransportContext;
  readonly #log: Logger;
  readonly #options: TcpClientOptions;
  readonly #flow: StreamFlowOptions;
  readonly #backoff: Backoff;
  #state: TcpClientState = 'idle';
  #stream: SocketStream | undefined;
  #pending: Socket | undefined;
  #timer: TimerHandle | undefined;
  #connectedAt = 0;

  constructor(ctx: TransportContext, options: TcpClientOptions) {
    const where = formatHostPort(options.host, options.port);
    this.name = options.name ?? `tcp-client ${where}`;
    this.#ctx = ctx;
    this.#log = ctx.log.child({ component: 'tcp-client', target: where });
    this.#options = options;
    this.#flow = { ...DEFAULT_FLOW, ...options.flow };
    this.#backoff = new Backoff(options.backoff ?? DEFAULT_BACKOFF);
    this.events = new TypedEvents<TcpClientEvents>((event, error) =>
      this.#log.error({ err: error, event }, 'tcp-client listener threw'),
    );
  }

  get state(): TcpClientState {
    return this.#state;
  }

  /** The open connection, if any. */
  get stream(): ByteStream | undefined {
    return this.#stream;
  }

  /** Called with each new connection. Returns an unsubscribe. */
  onConnection(fn: (stream: ByteStream) => void): () => void {
    return this.events.on('connected', fn);
  }

  /** Starts connecting (returns at once); idempotent; throws WG_ERR_LIFECYCLE after close. */
  start(): void {
    if (this.#state === 'closed') throw new WattgateError(ErrorCodes.LIFECYCLE, `${this.name} is closed`);
    if (this.#state === 'idle') this.#connect();
  }

  stop(): void {
    this.close();
  }

  /** Closes the connection (reason 'local') and stops reconnecting; idempotent. */
  close(): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#pending?.destroy();
    this.#pending = undefined;
    this.#stream?.close(CloseReasons.LOCAL);
  }

  #connect(): void {
    this.#state = 'connecting';
    const socket = new Socket();
    this.#pending = socket;
    let settled = false;
    const settle = (error?: unknown): void => {
      if (settled) return;
      settled = true;
      this.#timer?.cancel();
      this.#timer = undefined;
      this.#pending = undefined;
      socket.off('error', settle);
      if (error === undefined) this.#connected(socket);
      else {
        socket.destroy();
        this.#failed(error);
      }
    };
    const { connectTimeoutMs = 3000 } = this.#options;
    this.#timer = this.#ctx.clock.setTimeout(() => {
      settle(new WattgateError(ErrorCodes.TIMEOUT, `no connection within ${connectTimeoutMs} ms`));
    }, connectTimeoutMs);
    socket.on('error', settle);
    socket.once('connect', () => settle());
    const { host, port, localAddress } = this.#options;
    socket.connect(localAddress === undefined ? { host, port } : { host, port, localAddress });
  }

  #connected(socket: Socket): void {
    if (this.#state === 'closed') {
      socket.destroy();
      return;
    }
    const stream = new SocketStream(socket, this.#ctx, this.#flow);
    this.#stream = stream;
    this.#state = 'connected';
    this.#connectedAt = this.#ctx.clock.monotonic();
    stream.onClose((reason) => this.#lost(reason));
    this.#log.info({ stream: stream.id }, 'connected');
    this.events.emit('connected', stream);
  }

  #lost(reason: string): void {
    this.#stream = undefined;
    let retryInMs: number | undefined;
    if (this.#state !== 'closed') {
      const stableAfterMs = this.#options.stableAfterMs ?? 10_000;
      if (this.#ctx.clock.monotonic() - this.#connectedAt >= stableAfterMs) this.#backoff.reset();
      retryInMs = this.#retryLater();
    }
    this.#log.info({ reason, retryInMs }, 'disconnected');
    this.events.emit('disconnected', { reason, retryInMs });
  }

  #failed(error: unknown): void {
    if (this.#state === 'closed') return;
    const retryInMs = this.#retryLater();
    const code = (error as { code?: unknown }).code;
    this.#log.debug({ code, retryInMs }, 'connect failed');
    this.events.emit('connect-failed', { error, retryInMs });
  }

  #retryLater(): number {
    const delay = this.#backoff.next();
    this.#state = 'waiting';
    this.#timer = this.#ctx.clock.setTimeout(() => {
      this.#timer = undefined;
      this.#connect();
    }, delay);
    return delay;
  }
}
