/**
 * A fleet of simulated Modbus TCP devices in one process, for the acquisition
 * benchmark (bench/acquisition.ts): `--ports N` listeners on 127.0.0.1, each
 * answering every unit id (a device = host, port, unit), all from ONE shared
 * register image — so 1000 devices cost 1000 sockets, not 1000 × 384 KiB of
 * banks (sim/modbus/bank.ts). The image holds `--floats` float32 values
 * i + 0.5 from address 0 in both tables (valid values for the benchmark's
 * model of adjacent float32 measurements).
 *
 * Answers FC 3 and FC 4 (exception 02 beyond the image, 03 for a bad
 * quantity); any other function code → exception 01. Frames are cut by
 * Wattgate's own TcpFrameParser. Prints `{"event":"listening","ports":[…]}`
 * once ready; on a `stats [FROM TO]` line on stdin prints
 * `{"event":"stats","requests":N,"connections":N,"badFrames":N,"between":M}`,
 * M = requests received in the wall-clock seconds FROM ≤ s < TO (epoch ms,
 * per-second counts of the last 10 minutes are kept). Runs until
 * SIGINT/SIGTERM or stdin closes. Loopback only.
 *
 *   tsx sim/fleet.ts [--ports 10] [--floats 100]
 */
import { createServer, type Server, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { encodeException, type TcpAdu, TcpFrameParser } from '../src/protocol/modbus/index.js';
import { frame } from './modbus/tcp-slave.js';

export interface FleetImage {
  /** Register bytes (big-endian, 2 per register) from address 0. */
  readonly bytes: Uint8Array;
  readonly registers: number;
}

export function fleetImage(floats: number): FleetImage {
  const bytes = new Uint8Array(8 * floats); // room for the floats, then zeros
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < floats; i++) view.setFloat32(4 * i, i + 0.5);
  return { bytes, registers: bytes.length / 2 };
}

/** The reply ADU to one request ADU (FC 3/4 from the image, exceptions otherwise). */
export function fleetReply(image: FleetImage, adu: TcpAdu): Buffer {
  const pdu = adu.pdu;
  const fc = pdu[0] ?? 0;
  if ((fc !== 3 && fc !== 4) || pdu.length !== 5)
    return frame(adu.transactionId, adu.unitId, encodeException(fc, 1));
  const address = ((pdu[1] ?? 0) << 8) | (pdu[2] ?? 0);
  const quantity = ((pdu[3] ?? 0) << 8) | (pdu[4] ?? 0);
  if (quantity < 1 || quantity > 125) return frame(adu.transactionId, adu.unitId, encodeException(fc, 3));
  if (address + quantity > image.registers)
    return frame(adu.transactionId, adu.unitId, encodeException(fc, 2));
  const out = Buffer.allocUnsafe(9 + 2 * quantity);
  out.writeUInt16BE(adu.transactionId, 0);
  out.writeUInt16BE(0, 2);
  out.writeUInt16BE(3 + 2 * quantity, 4);
  out[6] = adu.unitId;
  out[7] = fc;
  out[8] = 2 * quantity;
  out.set(image.bytes.subarray(2 * address, 2 * (address + quantity)), 9);
  return out;
}

class Fleet {
  readonly sockets = new Set<Socket>();
  requests = 0;
  badFrames = 0;
  /** Requests per wall-clock second (epoch s → count), the last 600 s. */
  readonly perSecond = new Map<number, number>();

  count(n: number): void {
    this.requests += n;
    const sec = Math.floor(Date.now() / 1000);
    this.perSecond.set(sec, (this.perSecond.get(sec) ?? 0) + n);
    if (this.perSecond.size > 600) this.perSecond.delete(this.perSecond.keys().next().value as number);
  }

  between(fromMs: number, toMs: number): number {
    let n = 0;
    for (const [sec, count] of this.perSecond) if (sec * 1000 >= fromMs && sec * 1000 < toMs) n += count;
    return n;
  }

  constructor(readonly image: FleetImage) {}

  accept(socket: Socket): void {
    this.sockets.add(socket);
    socket.setNoDelay(true);
    const parser = new TcpFrameParser();
    socket.on('error', () => {});
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('data', (chunk: Buffer) => {
      const { adus, events } = parser.push(chunk);
      if (adus.length > 0) this.count(adus.length);
      this.badFrames += events.length;
      if (adus.length === 1) socket.write(fleetReply(this.image, adus[0] as TcpAdu));
      else if (adus.length > 1) socket.write(Buffer.concat(adus.map((a) => fleetReply(this.image, a))));
      if (parser.failed) socket.destroy();
    });
  }
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1', backlog: 2048 }, () =>
      resolve((server.address() as { port: number }).port),
    );
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { ports: { type: 'string', default: '10' }, floats: { type: 'string', default: '100' } },
  });
  const nPorts = Number(values.ports);
  const floats = Number(values.floats);
  if (!(Number.isInteger(nPorts) && nPorts >= 1 && nPorts <= 64)) throw new Error('--ports must be 1..64');
  if (!(Number.isInteger(floats) && floats >= 1 && floats <= 8000))
    throw new Error('--floats must be 1..8000');
  const fleet = new Fleet(fleetImage(floats));
  const servers = Array.from({ length: nPorts }, () =>
    createServer({ noDelay: true }, (s) => fleet.accept(s)),
  );
  const ports = await Promise.all(servers.map(listen));
  const stop = () => {
    for (const s of fleet.sockets) s.destroy();
    for (const s of servers) s.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const rl = createInterface({ input: process.stdin });
  rl.on('line', (line) => {
    const [word, from, to] = line.trim().split(/\s+/);
    if (word !== 'stats') return;
    const { requests, badFrames } = fleet;
    const between = fleet.between(Number(from ?? 0), Number(to ?? 0));
    const stats = { event: 'stats', requests, connections: fleet.sockets.size, badFrames, between };
    process.stdout.write(`${JSON.stringify(stats)}\n`);
  });
  rl.on('close', stop);
  process.stdout.write(`${JSON.stringify({ event: 'listening', ports })}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((e: unknown) => {
    process.stderr.write(`fleet: ${(e as Error).message}\n`);
    process.exit(2);
  });
}
