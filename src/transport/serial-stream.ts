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
import type { Logger } from '../shared/logger.js';
import { type ByteStream, CloseReasons, type TransportContext } from './byte-stream.js';
import { StreamBase } from './stream-base.js';

let lastId = 0;

export const SerialCloseReasons = {
  /** The device went away (unplugged, pty closed). */
  DISCONNECTED: 'disconnected',
} as const;

export class SerialStream extends StreamBase implements ByteStream {
  readonly id = ++lastId + 1_000_000;
  readonly remote: string;
  readonly local = 'serial';
  protected readonly log: Logger;
  readonly #port: SerialPort;

  constructor(port: SerialPort, ctx: TransportContext) {
    super(ctx.clock);
    this.#port = port;
    this.remote = port.path;
    this.log = ctx.log.child({ stream: this.id, device: port.path });
    port.on('data', (chunk: Buffer) => this.dispatch(chunk));
    port.on('error', (e: NodeJS.ErrnoException) => {
      this.log.debug({ code: e.code, message: e.message }, 'serial port error');
      this.close(CloseReasons.ERROR);
    });
    port.on('close', (e: { disconnected?: boolean } | null) => {
      this.finish(e?.disconnected ? SerialCloseReasons.DISCONNECTED : CloseReasons.PEER);
    });
  }

  write(bytes: Uint8Array): boolean {
    if (!this.isOpen) return false;
    this.#port.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    return true;
  }

  close(reason: string = CloseReasons.LOCAL): void {
    if (!this.isOpen) return;
    this.finish(reason);
    if (this.#port.isOpen) {
      this.#port.close((e) => {
        if (e) this.log.debug({ message: e.message }, 'serial port close failed');
      });
    }
  }
}
