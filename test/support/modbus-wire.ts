/**
 * Test support for wire-level Modbus TCP tests (unit tests beside the code,
 * test/integration/modbus-gateway-*): a raw MBAP socket client that sends
 * arbitrary bytes — malformed ones included — and reads whole answers, plus
 * hex helpers. Not used by production code. Every wait is bounded.
 */
import { connect, type Socket } from 'node:net';

/** Polls `cond` every 2 ms; throws after `ms`. */
export async function until(cond: () => boolean, what: string, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
export const hexBytes = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
export const h2 = (n: number): string => n.toString(16).padStart(2, '0');
export const h4 = (n: number): string => n.toString(16).padStart(4, '0');

/** An MBAP ADU as hex (spaces in `pdu` ignored); `length` defaults to the true one. */
export function adu(tid: number, unit: number, pdu: string, proto = 0, length?: number): string {
  const p = pdu.replace(/\s+/g, '');
  return `${h4(tid)}${h4(proto)}${h4(length ?? p.length / 2 + 1)}${h2(unit)}${p}`;
}

export class RawMbapClient {
  #chunks: Buffer[] = [];
  closed = false;
  readonly done: Promise<void>;

  constructor(readonly socket: Socket) {
    socket.on('data', (b: Buffer) => this.#chunks.push(b));
    socket.on('error', () => {});
    this.done = new Promise((r) => socket.on('close', () => r()));
    void this.done.then(() => {
      this.closed = true;
    });
  }

  /** Connects to host:port (from `localAddress`, to test per-source caps). */
  static open(port: number, localAddress = '127.0.0.1', host = '127.0.0.1'): Promise<RawMbapClient> {
    return new Promise((resolve, reject) => {
      const s = connect({ host, port, localAddress });
      s.once('error', reject);
      s.once('connect', () => resolve(new RawMbapClient(s)));
    });
  }

  /** Bytes received and not yet taken. */
  get received(): Buffer {
    return Buffer.concat(this.#chunks);
  }

  send(hex: string): void {
    this.socket.write(hexBytes(hex));
  }

  /** Takes exactly `n` bytes (hex); throws if the connection closes first or after `ms`. */
  async take(n: number, ms = 2000): Promise<string> {
    await until(() => this.received.length >= n || this.closed, `${n} bytes`, ms);
    const all = this.received;
    if (all.length < n) throw new Error(`closed after ${all.length} of ${n} bytes: ${all.toString('hex')}`);
    this.#chunks = [all.subarray(n)];
    return all.subarray(0, n).toString('hex');
  }

  /** One whole response ADU, as hex. */
  async readAdu(): Promise<string> {
    const head = await this.take(6);
    return head + (await this.take(Number.parseInt(head.slice(8, 12), 16)));
  }

  /** One request → its answer ADU (hex). */
  async ask(aduHex: string): Promise<string> {
    this.send(aduHex);
    return this.readAdu();
  }

  async expectClosed(what: string): Promise<void> {
    await until(() => this.closed, `${what}: connection closed`);
  }

  /** Waits `ms` and throws if anything arrived. */
  async expectNothing(ms = 40): Promise<void> {
    await sleep(ms);
    if (this.received.length > 0) throw new Error(`unexpected bytes ${this.received.toString('hex')}`);
  }

  close(): void {
    this.socket.destroy();
  }
}
