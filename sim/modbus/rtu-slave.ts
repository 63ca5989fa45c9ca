/**
 * A simulated Modbus RTU slave bus on one serial device (normally one end of a
 * socat pty pair): `startRtuSlave({ path, baud, units: [1, 2, 3] })`. A pty is
 * point-to-point, so one simulator plays every slave address of the line.
 *
 * Requests are cut by Wattgate's own request-side RtuFrameParser (length +
 * CRC; bytes that form no request are discarded and counted) and answered from
 * each unit's UnitBank by answer.ts, exactly as the TCP simulator does. The
 * simulator stays silent for addresses it does not play and for broadcasts
 * (unit 0), whose writes (FC 5, 6, 15, 16, 22) it applies to every unit.
 * Faults (faults.ts) apply per unit and function code: latency / late reply,
 * silence, exception, garbage, bad CRC, a reply from the wrong address.
 *
 * `stats()` counts requests per unit and function code and the largest number
 * of outstanding transactions seen: a request that arrives while an earlier
 * reply has not been handed to the line yet makes 2. A pty ignores baud rate
 * and timing: put sim/relay.ts in front of the simulator for line timing.
 */
import { performance } from 'node:perf_hooks';
import { SerialPort } from 'serialport';
import {
  encodeException,
  encodeRtuAdu,
  type RtuAdu,
  RtuFrameParser,
} from '../../src/protocol/modbus/index.js';
import { answerPdu } from './answer.js';
import { type IdentityText, UnitBank } from './bank.js';
import { type FaultRule, type FaultSpec, FaultTable, type Latency, pickLatency } from './faults.js';

export { UnitBank } from './bank.js';
export type { FaultRule, FaultSpec, Latency } from './faults.js';

export type Parity = 'none' | 'even' | 'odd';

export interface RtuSlaveOptions {
  readonly path: string;
  readonly baud: number;
  /** Default 'even' (a pty ignores it; a real adapter does not). */
  readonly parity?: Parity;
  readonly stopBits?: 1 | 2;
  /** Slave addresses played, 1..247. */
  readonly units: readonly number[];
  /** Fill every bank with the demo pattern (register n = n). */
  readonly pattern?: boolean;
  readonly identity?: IdentityText;
  /** Latency before every reply (faults may override it). */
  readonly latencyMs?: Latency;
  readonly faults?: readonly FaultRule[];
  /** Keep the last N requests (unit, PDU, time); default 0. */
  readonly record?: number;
}

export interface RtuRecordedRequest {
  readonly unit: number;
  readonly pdu: Uint8Array;
  /** performance.now() when the frame was complete. */
  readonly t: number;
}

export interface RtuSimStats {
  /** Every frame parsed, broadcasts and unknown units included. */
  readonly requests: number;
  /** unit → function code → count (unit 0 = broadcasts). */
  readonly byUnit: Readonly<Record<number, Readonly<Record<number, number>>>>;
  readonly replies: number;
  readonly broadcasts: number;
  readonly unknownUnit: number;
  /** Bytes dropped by the parser (noise, bad CRC, truncated frames). */
  readonly discardedBytes: number;
  /** Replies scheduled, not yet handed to the line. */
  readonly inFlight: number;
  /** Largest number of transactions outstanding at once (1 = never overlapped). */
  readonly maxOutstanding: number;
  /** Requests received while an earlier reply was still pending. */
  readonly overlaps: number;
}

export interface RtuSlave {
  readonly path: string;
  readonly faults: FaultTable;
  readonly recorded: readonly RtuRecordedRequest[];
  bank(unit: number): UnitBank;
  stats(): RtuSimStats;
  count(unit: number, fc?: number): number;
  resetStats(): void;
  close(): Promise<void>;
}

const BROADCAST_WRITES = new Set([5, 6, 15, 16, 22]);
const NOISE = Uint8Array.of(0xff, 0x00, 0xff, 0x00, 0x55, 0xaa, 0x00, 0x00);

const zeroCounters = () => ({
  requests: 0,
  replies: 0,
  broadcasts: 0,
  unknownUnit: 0,
  discardedBytes: 0,
  inFlight: 0,
  maxOutstanding: 0,
  overlaps: 0,
});

/** The reply frame to one request, as shaped by `fault` (silence is decided before). */
export function rtuReply(bank: UnitBank, req: RtuAdu, fault: FaultSpec | undefined): Uint8Array {
  const fc = req.pdu[0] ?? 0;
  if (fault?.garbage === 'stream') return NOISE.slice();
  let pdu: Uint8Array;
  if (fault?.exception !== undefined) pdu = encodeException(fc, fault.exception);
  else if (fault?.garbage === 'pdu') pdu = Uint8Array.of(fc, 3, 0xee, 0xee, 0xee);
  else pdu = answerPdu(bank, req.pdu);
  const wrong = fault?.wrongAddress;
  const unitId =
    wrong === undefined || wrong === false ? req.unitId : wrong === true ? (req.unitId % 247) + 1 : wrong;
  const frame = encodeRtuAdu({ unitId, pdu });
  if (fault?.badCrc) {
    frame[frame.length - 1] = (frame[frame.length - 1] ?? 0) ^ 0xff;
    frame[frame.length - 2] = (frame[frame.length - 2] ?? 0) ^ 0xff;
  }
  return frame;
}

class RtuBus {
  readonly banks = new Map<number, UnitBank>();
  readonly faults = new FaultTable();
  readonly recorded: RtuRecordedRequest[] = [];
  readonly parser = new RtuFrameParser('request');
  readonly timers = new Set<NodeJS.Timeout>();
  byUnit = new Map<number, Map<number, number>>();
  c = zeroCounters();

  constructor(
    readonly opts: RtuSlaveOptions,
    readonly port: SerialPort,
  ) {
    for (const unit of opts.units) {
      if (!Number.isInteger(unit) || unit < 1 || unit > 247) throw new RangeError(`bad RTU unit ${unit}`);
      const bank = new UnitBank(unit, opts.identity);
      if (opts.pattern) bank.fillPattern();
      this.banks.set(unit, bank);
    }
    for (const rule of opts.faults ?? []) this.faults.add(rule);
  }

  data(chunk: Buffer): void {
    const { frames, events } = this.parser.push(chunk);
    for (const e of events) this.c.discardedBytes += e.bytes;
    for (const frame of frames) this.request(frame);
  }

  count(req: RtuAdu, fc: number): void {
    this.c.requests++;
    let fcs = this.byUnit.get(req.unitId);
    if (fcs === undefined) {
      fcs = new Map();
      this.byUnit.set(req.unitId, fcs);
    }
    fcs.set(fc, (fcs.get(fc) ?? 0) + 1);
    const limit = this.opts.record ?? 0;
    if (limit > 0) {
      this.recorded.push({ unit: req.unitId, pdu: req.pdu.slice(), t: performance.now() });
      if (this.recorded.length > limit) this.recorded.shift();
    }
  }

  request(req: RtuAdu): void {
    const fc = req.pdu[0] ?? 0;
    this.count(req, fc);
    if (req.unitId === 0) {
      this.broadcast(req, fc);
      return;
    }
    const bank = this.banks.get(req.unitId);
    if (bank === undefined) {
      this.c.unknownUnit++;
      return;
    }
    const outstanding = this.c.inFlight + 1;
    if (outstanding > 1) this.c.overlaps++;
    this.c.maxOutstanding = Math.max(this.c.maxOutstanding, outstanding);
    const fault = this.faults.size > 0 ? this.faults.match(req.unitId, fc) : undefined;
    if (fault?.silence || fault?.close) return;
    const ms = pickLatency(fault?.latencyMs ?? this.opts.latencyMs);
    this.schedule(rtuReply(bank, req, fault), ms);
  }

  broadcast(req: RtuAdu, fc: number): void {
    this.c.broadcasts++;
    if (!BROADCAST_WRITES.has(fc)) return;
    for (const bank of this.banks.values()) answerPdu(bank, req.pdu);
  }

  schedule(frame: Uint8Array, ms: number): void {
    this.c.inFlight++;
    // The transaction ends when the reply is handed to the port: the write
    // callback runs later (a thread-pool completion), and under load the
    // master's next request can be read before it — not an overlap.
    const send = () => {
      this.c.inFlight--;
      this.port.write(Buffer.from(frame), () => {
        this.c.replies++;
      });
    };
    if (ms <= 0) {
      send();
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (this.port.isOpen) send();
    }, ms);
    this.timers.add(timer);
  }

  total(unit: number, fc?: number): number {
    const fcs = this.byUnit.get(unit);
    if (fc !== undefined) return fcs?.get(fc) ?? 0;
    return [...(fcs?.values() ?? [])].reduce((a, b) => a + b, 0);
  }

  reset(): void {
    const inFlight = this.c.inFlight;
    this.byUnit = new Map();
    this.c = { ...zeroCounters(), inFlight, maxOutstanding: inFlight };
    this.recorded.length = 0;
  }

  stats(): RtuSimStats {
    const byUnit: Record<number, Record<number, number>> = {};
    for (const [unit, fcs] of this.byUnit) byUnit[unit] = Object.fromEntries(fcs);
    return { ...this.c, byUnit };
  }
}

/** Opens a serial device (8 data bits) and resolves once it is open. */
export function openSerial(path: string, baud: number, parity: Parity = 'even', stopBits: 1 | 2 = 1) {
  return new Promise<SerialPort>((resolve, reject) => {
    const port = new SerialPort({ path, baudRate: baud, dataBits: 8, parity, stopBits, autoOpen: false });
    port.open((err) => (err ? reject(err) : resolve(port)));
  });
}

/** Closes a serial port, ignoring "not open". */
export function closeSerial(port: SerialPort): Promise<void> {
  return new Promise((resolve) => {
    if (!port.isOpen) {
      resolve();
      return;
    }
    port.close(() => resolve());
  });
}

export async function startRtuSlave(opts: RtuSlaveOptions): Promise<RtuSlave> {
  const port = await openSerial(opts.path, opts.baud, opts.parity, opts.stopBits);
  let bus: RtuBus;
  try {
    bus = new RtuBus(opts, port);
  } catch (e) {
    await closeSerial(port);
    throw e;
  }
  port.on('data', (chunk: Buffer) => bus.data(chunk));
  port.on('error', () => {});
  return {
    path: opts.path,
    faults: bus.faults,
    recorded: bus.recorded,
    bank(unit) {
      const bank = bus.banks.get(unit);
      if (bank === undefined) throw new Error(`the simulator plays no unit ${unit}`);
      return bank;
    },
    stats: () => bus.stats(),
    count: (unit, fc) => bus.total(unit, fc),
    resetStats: () => bus.reset(),
    async close() {
      for (const t of bus.timers) clearTimeout(t);
      bus.timers.clear();
      await closeSerial(port);
    },
  };
}
