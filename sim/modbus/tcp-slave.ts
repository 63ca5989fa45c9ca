/**
 * A simulated Modbus TCP slave (server) for tests, benchmarks and the demo:
 * `startTcpSlave({ port: 0, units: [1, 2] })` → `{ port, bank(unit), stats(),
 * faults, close() }`. Frames are cut by Wattgate's own TcpFrameParser and
 * answered by answer.ts; a fatal framing error closes the connection.
 *
 * Requests are answered independently: with latency faults, replies come back
 * out of order, as from a real multi-threaded device. `stats()` counts
 * requests per unit and function code (so a test can assert that nothing
 * reached the device) and the largest number of requests in progress at once
 * (received, reply not yet sent) across all connections.
 *
 * A request for a unit the slave does not have is ignored (`unknownUnit:
 * 'silence'`, the default, like a plain device) or answered with an exception.
 * Plain node:net sockets, no limits: this is a simulator, not the product.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { encodeException, type TcpAdu, TcpFrameParser } from '../../src/protocol/modbus/index.js';
import { answerPdu, answerReadHolding } from './answer.js';
import { type IdentityText, UnitBank } from './bank.js';
import { type FaultRule, type FaultSpec, FaultTable, type Latency, pickLatency } from './faults.js';

export { UnitBank } from './bank.js';
export type { FaultRule, FaultSpec, Latency } from './faults.js';

export interface TcpSlaveOptions {
  /** 0 (default) = an ephemeral port. */
  readonly port?: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  readonly units: readonly number[];
  /** Fill every bank with the demo pattern (register n = n). */
  readonly pattern?: boolean;
  readonly identity?: IdentityText;
  /** Default 'silence'; a number = answer with that exception code. */
  readonly unknownUnit?: 'silence' | number;
  /** Latency added to every reply (faults may override it). */
  readonly latencyMs?: Latency;
  /** Keep the last N requests received (unit, transaction id, PDU); default 0. */
  readonly record?: number;
  readonly faults?: readonly FaultRule[];
}

export interface RecordedRequest {
  readonly unitId: number;
  readonly transactionId: number;
  readonly pdu: Uint8Array;
}

export interface SimStats {
  readonly accepted: number;
  readonly connections: number;
  readonly requests: number;
  /** unit → function code → count. */
  readonly byUnit: Readonly<Record<number, Readonly<Record<number, number>>>>;
  readonly inFlight: number;
  readonly maxInFlight: number;
  readonly unknownUnit: number;
  readonly badFrames: number;
}

export interface TcpSlave {
  readonly host: string;
  readonly port: number;
  readonly faults: FaultTable;
  readonly recorded: readonly RecordedRequest[];
  bank(unit: number): UnitBank;
  stats(): SimStats;
  /** Requests received for `unit` (and `fc` when given). */
  count(unit: number, fc?: number): number;
  resetStats(): void;
  /** Closes every open connection (the listener stays). */
  dropConnections(): void;
  close(): Promise<void>;
}

class Slave {
  readonly banks = new Map<number, UnitBank>();
  readonly faults = new FaultTable();
  readonly sockets = new Set<Socket>();
  readonly recorded: RecordedRequest[] = [];
  byUnit = new Map<number, Map<number, number>>();
  counters = { accepted: 0, requests: 0, inFlight: 0, maxInFlight: 0, unknownUnit: 0, badFrames: 0 };

  constructor(readonly opts: TcpSlaveOptions) {
    for (const unit of opts.units) {
      const bank = new UnitBank(unit, opts.identity);
      if (opts.pattern) bank.fillPattern();
      this.banks.set(unit, bank);
    }
    for (const rule of opts.faults ?? []) this.faults.add(rule);
  }

  accept(socket: Socket): void {
    this.counters.accepted++;
    this.sockets.add(socket);
    socket.setNoDelay(true);
    const parser = new TcpFrameParser();
    socket.on('error', () => {});
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('data', (chunk: Buffer) => {
      const { adus, events } = parser.push(chunk);
      if (adus.length > 1) socket.cork();
      for (const adu of adus) this.request(socket, adu);
      if (adus.length > 1) socket.uncork();
      if (events.length > 0) this.counters.badFrames += events.length;
      if (parser.failed) socket.destroy();
    });
  }

  count(adu: TcpAdu, fc: number): void {
    this.counters.requests++;
    let fcs = this.byUnit.get(adu.unitId);
    if (fcs === undefined) {
      fcs = new Map();
      this.byUnit.set(adu.unitId, fcs);
    }
    fcs.set(fc, (fcs.get(fc) ?? 0) + 1);
    const limit = this.opts.record ?? 0;
    if (limit > 0) {
      this.recorded.push({ unitId: adu.unitId, transactionId: adu.transactionId, pdu: adu.pdu.slice() });
      if (this.recorded.length > limit) this.recorded.shift();
    }
  }

  request(socket: Socket, adu: TcpAdu): void {
    const fc = adu.pdu[0] ?? 0;
    this.count(adu, fc);
    const bank = this.banks.get(adu.unitId);
    if (bank === undefined) {
      this.unknown(socket, adu, fc);
      return;
    }
    const fault = this.faults.size > 0 ? this.faults.match(adu.unitId, fc) : undefined;
    const latency = fault?.latencyMs ?? this.opts.latencyMs;
    if (fault === undefined && latency === undefined) {
      socket.write(answerReadHolding(bank, adu.transactionId, adu.unitId, adu.pdu) ?? this.reply(bank, adu));
      return;
    }
    if (fault?.close) {
      socket.destroy();
      return;
    }
    if (fault?.silence) return;
    this.delayed(socket, bank, adu, fault, pickLatency(latency));
  }

  delayed(socket: Socket, bank: UnitBank, adu: TcpAdu, fault: FaultSpec | undefined, ms: number): void {
    const c = this.counters;
    c.inFlight++;
    c.maxInFlight = Math.max(c.maxInFlight, c.inFlight);
    const send = () => {
      c.inFlight--;
      if (!socket.destroyed) socket.write(this.faulty(bank, adu, fault));
    };
    if (ms > 0) setTimeout(send, ms);
    else queueMicrotask(send);
  }

  faulty(bank: UnitBank, adu: TcpAdu, fault: FaultSpec | undefined): Buffer {
    const fc = adu.pdu[0] ?? 0;
    if (fault?.garbage === 'stream')
      return Buffer.from([adu.transactionId >> 8, adu.transactionId, 0, 0, 0xff, 0xff, 1, 2]);
    if (fault?.garbage === 'pdu')
      return frame(adu.transactionId, adu.unitId, Uint8Array.of(fc, 0xee, 1, 2, 3));
    if (fault?.exception !== undefined)
      return frame(adu.transactionId, adu.unitId, encodeException(fc, fault.exception));
    const tid = fault?.wrongTransactionId ? (adu.transactionId + 1) & 0xffff : adu.transactionId;
    return this.reply(bank, { ...adu, transactionId: tid });
  }

  reply(bank: UnitBank, adu: TcpAdu): Buffer {
    return frame(adu.transactionId, adu.unitId, answerPdu(bank, adu.pdu));
  }

  unknown(socket: Socket, adu: TcpAdu, fc: number): void {
    this.counters.unknownUnit++;
    const code = this.opts.unknownUnit ?? 'silence';
    if (code !== 'silence') socket.write(frame(adu.transactionId, adu.unitId, encodeException(fc, code)));
  }

  total(unit: number, fc?: number): number {
    const fcs = this.byUnit.get(unit);
    if (fc !== undefined) return fcs?.get(fc) ?? 0;
    return [...(fcs?.values() ?? [])].reduce((a, b) => a + b, 0);
  }

  reset(): void {
    this.byUnit = new Map();
    const inFlight = this.counters.inFlight;
    this.counters = {
      accepted: 0,
      requests: 0,
      inFlight,
      maxInFlight: inFlight,
      unknownUnit: 0,
      badFrames: 0,
    };
    this.recorded.length = 0;
  }

  stats(): SimStats {
    const byUnit: Record<number, Record<number, number>> = {};
    for (const [unit, fcs] of this.byUnit) byUnit[unit] = Object.fromEntries(fcs);
    return { ...this.counters, connections: this.sockets.size, byUnit };
  }
}

/** MBAP header + PDU as one Buffer. */
export function frame(transactionId: number, unitId: number, pdu: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(7 + pdu.length);
  out.writeUInt16BE(transactionId & 0xffff, 0);
  out.writeUInt16BE(0, 2);
  out.writeUInt16BE(pdu.length + 1, 4);
  out[6] = unitId;
  out.set(pdu, 7);
  return out;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const addr = server.address();
      resolve(typeof addr === 'object' && addr ? addr.port : port);
    });
  });
}

export async function startTcpSlave(opts: TcpSlaveOptions): Promise<TcpSlave> {
  const slave = new Slave(opts);
  const server = createServer({ noDelay: true }, (s) => slave.accept(s));
  const host = opts.host ?? '127.0.0.1';
  const port = await listen(server, opts.port ?? 0, host);
  const dropConnections = () => {
    for (const s of slave.sockets) s.destroy();
  };
  return {
    host,
    port,
    faults: slave.faults,
    recorded: slave.recorded,
    bank(unit) {
      const bank = slave.banks.get(unit);
      if (bank === undefined) throw new Error(`the simulator has no unit ${unit}`);
      return bank;
    },
    stats: () => slave.stats(),
    count: (unit, fc) => slave.total(unit, fc),
    resetStats: () => slave.reset(),
    dropConnections,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        dropConnections();
      }),
  };
}
