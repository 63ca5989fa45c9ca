/**
 * `SerialLine`: a kept-open serial device (PRODUCT G5) on `serialport@13`,
 * the serial twin of `TcpClient`: the same states and events, each opening
 * handed out as a fresh `ByteStream` (serial-stream.ts).
 *
 * Settings: device path, baud 1200–115200, parity none/even/odd, stop bits
 * 1/2, 8 data bits. Opening by path needs no udev (`SerialPort.list` would).
 *
 * When the device is missing, refuses to open, or disappears while open (USB
 * adapter unplugged, pty closed), the line waits a `Backoff` delay (default
 * 500 ms doubling to 30 s, 20 % jitter; reset once a port stayed open 10 s)
 * and tries again until `close()`. Errors are explicit: a missing device is
 * `serial device /dev/x does not exist`, a permission problem names the
 * device and the fix (the service account needs read/write access, e.g. the
 * dialout group); each distinct error is logged once at warn, repeats at debug.
 */
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { SerialPort } from 'serialport';
import type { TimerHandle } from '../shared/clock.js';
import { ErrorCodes, WattgateError } from '../shared/errors.js';
import { TypedEvents } from '../shared/events.js';
import type { Part } from '../shared/lifecycle.js';
import type { Logger } from '../shared/logger.js';
import { Backoff, type BackoffOptions, DEFAULT_BACKOFF } from './backoff.js';
import type { ByteStream, TransportContext } from './byte-stream.js';
import { SerialCloseReasons, SerialStream } from './serial-stream.js';

/**
 * How often an open line checks that its device path still exists. serialport
 * reports a vanished device (USB adapter unplugged, pty closed) through a
 * close event that does not always arrive; the device node disappearing does.
 */
export const DEVICE_WATCH_MS = 1000;

export type Parity = 'none' | 'even' | 'odd';

export interface SerialLineOptions {
  readonly path: string;
  readonly baud: number;
  readonly parity: Parity;
  readonly stopBits: 1 | 2;
  /** Part name; default `serial-line <path>`. */
  readonly name?: string;
  readonly backoff?: BackoffOptions;
  /** A port open this long resets the back-off; default 10 000 ms. */
  readonly stableAfterMs?: number;
}

export type SerialLineState = 'idle' | 'connecting' | 'connected' | 'waiting' | 'closed';

export interface SerialLineEvents extends Record<string, unknown> {
  connected: ByteStream;
  disconnected: { readonly reason: string; readonly retryInMs: number | undefined };
  'connect-failed': { readonly error: WattgateError; readonly retryInMs: number };
}

/** Checks the device before serialport does, for an error message that says what is wrong. */
export async function checkSerialDevice(path: string): Promise<WattgateError | undefined> {
  try {
    await access(path, constants.R_OK | constants.W_OK);
    return undefined;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT')
      return new WattgateError(ErrorCodes.UNAVAILABLE, `serial device ${path} does not exist`);
    if (code === 'EACCES' || code === 'EPERM') {
      return new WattgateError(
        ErrorCodes.UNAVAILABLE,
        `no read/write permission on serial device ${path} (add the service account to its group, e.g. dialout)`,
      );
    }
    return new WattgateError(ErrorCodes.UNAVAILABLE, `serial device ${path}: ${code ?? 'not accessible'}`);
  }
}

export class SerialLine implements Part {
  readonly name: string;
  readonly events: TypedEvents<SerialLineEvents>;
  readonly #ctx: TransportContext;
  readonly #log: Logger;
  readonly #o: SerialLineOptions;
  readonly #backoff: Backoff;
  #state: SerialLineState = 'idle';
  #stream: SerialStream | undefined;
  #port: SerialPort | undefined;
  #timer: TimerHandle | undefined;
  #openedAt = 0;
  #lastError = '';

  constructor(ctx: TransportContext, options: SerialLineOptions) {
    this.name = options.name ?? `serial-line ${options.path}`;
    this.#ctx = ctx;
    this.#o = options;
    this.#log = ctx.log.child({ component: 'serial-line', device: options.path });
    this.#backoff = new Backoff(options.backoff ?? DEFAULT_BACKOFF);
    this.events = new TypedEvents<SerialLineEvents>((event, error) =>
      this.#log.error({ err: error, event }, 'serial-line listener threw'),
    );
  }

  get state(): SerialLineState {
    return this.#state;
  }

  get stream(): ByteStream | undefined {
    return this.#stream;
  }

  /** The last open error ('' once open). */
  get lastError(): string {
    return this.#lastError;
  }

  onConnection(fn: (stream: ByteStream) => void): () => void {
    return this.events.on('connected', fn);
  }

  start(): void {
    if (this.#state === 'closed') throw new WattgateError(ErrorCodes.LIFECYCLE, `${this.name} is closed`);
    if (this.#state === 'idle') void this.#open();
  }

  stop(): void {
    this.close();
  }

  close(): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#stream?.close();
    const port = this.#port;
    this.#port = undefined;
    if (port?.isOpen) port.close(() => {});
  }

  async #open(): Promise<void> {
    this.#state = 'connecting';
    const problem = await checkSerialDevice(this.#o.path);
    if (this.#closed()) return;
    if (problem) return this.#failed(problem);
    const { path, baud, parity, stopBits } = this.#o;
    const port = new SerialPort({ path, baudRate: baud, parity, stopBits, dataBits: 8, autoOpen: false });
    this.#port = port;
    port.open((e) => {
      if (this.#state === 'closed') {
        if (!e) port.close(() => {});
        return;
      }
      if (e) {
        this.#port = undefined;
        this.#failed(new WattgateError(ErrorCodes.UNAVAILABLE, `serial device ${path}: ${e.message}`));
      } else this.#opened(port);
    });
  }

  /** A method, not a comparison: TypeScript would keep `#state` narrowed across the await. */
  #closed(): boolean {
    return this.#state === 'closed';
  }

  #opened(port: SerialPort): void {
    const stream = new SerialStream(port, this.#ctx);
    this.#stream = stream;
    this.#state = 'connected';
    this.#openedAt = this.#ctx.clock.monotonic();
    if (this.#lastError !== '') this.#log.info('serial device open again');
    else this.#log.info('serial device open');
    this.#lastError = '';
    const watch = this.#ctx.clock.setInterval(() => {
      access(this.#o.path, constants.F_OK).catch(() => stream.close(SerialCloseReasons.DISCONNECTED));
    }, DEVICE_WATCH_MS);
    stream.onClose((reason) => {
      watch.cancel();
      this.#lost(reason);
    });
    this.events.emit('connected', stream);
  }

  #lost(reason: string): void {
    this.#stream = undefined;
    this.#port = undefined;
    let retryInMs: number | undefined;
    if (this.#state !== 'closed') {
      const stableAfterMs = this.#o.stableAfterMs ?? 10_000;
      if (this.#ctx.clock.monotonic() - this.#openedAt >= stableAfterMs) this.#backoff.reset();
      retryInMs = this.#retryLater();
      this.#log.warn({ reason, retryInMs }, 'serial device closed: reopening');
    }
    this.events.emit('disconnected', { reason, retryInMs });
  }

  #failed(error: WattgateError): void {
    if (this.#state === 'closed') return;
    const retryInMs = this.#retryLater();
    if (error.message !== this.#lastError) this.#log.warn({ retryInMs }, error.message);
    else this.#log.debug({ retryInMs }, error.message);
    this.#lastError = error.message;
    this.events.emit('connect-failed', { error, retryInMs });
  }

  #retryLater(): number {
    const delay = this.#backoff.next();
    this.#state = 'waiting';
    this.#timer = this.#ctx.clock.setTimeout(() => {
      this.#timer = undefined;
      void this.#open();
    }, delay);
    return delay;
  }
}
