/**
 * `SerialStream`: an open serialport (`serialport@13`) seen as a `ByteStream`
 * (ARCHITECTURE convention 2), the same shape as a TCP connection, so the RTU
 * master above does not care whether it talks to a local RS-485 adapter or to
 * a serial device server over TCP.
 *
 * `remote` is the device path, `local` is 'serial'. The port's errors never
 * escape: a write or read error, or the device vanishing (USB adapter
 * unplugged, pty closed: serialport's close event with `disconnected`), ends
 * the stream with reason 'disconnected' or 'error'; the owner (serial-line.ts)
 * reopens with back-off. The frame deadline works as on a socket. No idle
 * timeout: a quiet RS-485 line is normal.
 */
import type { SerialPort } from 'serialport';
import type { TimerHandle } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import { type ByteStream, CloseReasons, type TransportContext } from './byte-stream.js';

let lastId = 0;

export const SerialCloseReasons = {
  /** The device went away (unplugged, pty closed). */
  DISCONNECTED: 'disconnected',
} as const;

export class SerialStream implements ByteStream {
  readonly id = ++lastId + 1_000_000;
  readonly remote: string;
  readonly local = 'serial';
  readonly #port: SerialPort;
  readonly #ctx: TransportContext;
  readonly #log: Logger;
  readonly #dataFns = new Set<(bytes: Uint8Array) => void>();
  readonly #closeFns = new Set<(reason: string) => void>();
  #reason: string | undefined;
  #deadline: TimerHandle | undefined;

  constructor(port: SerialPort, ctx: TransportContext) {
    this.#port = port;
    this.#ctx = ctx;
    this.remote = port.path;
    this.#log = ctx.log.child({ stream: this.id, device: port.path });
    port.on('data', (chunk: Buffer) => this.#onData(chunk));
    port.on('error', (e: NodeJS.ErrnoException) => {
      this.#log.debug({ code: e.code, message: e.message }, 'serial port error');
      this.close(CloseReasons.ERROR);
    });
    port.on('close', (e: { disconnected?: boolean } | null) => {
      this.#finish(e?.disconnected ? SerialCloseReasons.DISCONNECTED : CloseReasons.PEER);
    });
  }

  get isOpen(): boolean {
    return this.#reason === undefined;
  }

  get closeReason(): string | undefined {
    return this.#reason;
  }

  write(bytes: Uint8Array): boolean {
    if (!this.isOpen) return false;
    this.#port.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    return true;
  }

  close(reason: string = CloseReasons.LOCAL): void {
    if (!this.isOpen) return;
    this.#finish(reason);
    if (this.#port.isOpen) {
      this.#port.close((e) => {
        if (e) this.#log.debug({ message: e.message }, 'serial port close failed');
      });
    }
  }

  onData(fn: (bytes: Uint8Array) => void): () => void {
    this.#dataFns.add(fn);
    return () => this.#dataFns.delete(fn);
  }

  onClose(fn: (reason: string) => void): () => void {
    const reason = this.#reason;
    if (reason !== undefined) {
      queueMicrotask(() => fn(reason));
      return () => {};
    }
    this.#closeFns.add(fn);
    return () => this.#closeFns.delete(fn);
  }

  armDeadline(ms: number): void {
    if (!this.isOpen || this.#deadline) return;
    this.#deadline = this.#ctx.clock.setTimeout(() => {
      this.#deadline = undefined;
      this.close(CloseReasons.FRAME_DEADLINE);
    }, ms);
  }

  disarmDeadline(): void {
    this.#deadline?.cancel();
    this.#deadline = undefined;
  }

  #onData(chunk: Buffer): void {
    if (!this.isOpen) return;
    for (const fn of [...this.#dataFns]) {
      try {
        fn(chunk);
      } catch (error) {
        this.#log.error({ err: error }, 'data handler threw: closing the stream');
        this.close(CloseReasons.ERROR);
        return;
      }
      if (!this.isOpen) return;
    }
  }

  #finish(reason: string): void {
    if (!this.isOpen) return;
    this.#reason = reason;
    this.disarmDeadline();
    this.#dataFns.clear();
    const fns = [...this.#closeFns];
    this.#closeFns.clear();
    for (const fn of fns) {
      try {
        fn(reason);
      } catch (error) {
        this.#log.error({ err: error }, 'close handler threw');
      }
    }
  }
}
