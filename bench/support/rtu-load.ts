/**
 * Load clients of the RTU benchmark, each run as its own process, each
 * printing one JSON line (`LoadReport`) when its time is up.
 *
 *   tsx bench/support/rtu-load.ts tcp --port P [--units 1,2,3,4] [--connections 4]
 *                                     --quantity Q --duration-ms D
 *   tsx bench/support/rtu-load.ts ref --path DEV --baud B [--bits 11] [--units …]
 *                                     --quantity Q --duration-ms D
 *
 * tcp: Modbus TCP clients of Wattgate, one request outstanding per connection,
 * FC 3 × Q from address 0 of unit units[i mod n]; every reply is checked
 * against the simulator's pattern (register n holds n). Node is fast enough
 * here: the serial line is the bottleneck by orders of magnitude.
 * ref: a minimal RTU master on the line itself — send, wait for the reply
 * (length + CRC), wait t3.5 from its last byte with a performance.now() spin,
 * send the next — the harness's own ceiling, to compare Wattgate with.
 *
 * The rate is measured between completions: (n − 1) / (last − first), which
 * does not depend on where the window cuts a transaction.
 */
import { createConnection, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { closeSerial, openSerial } from '../../sim/modbus/rtu-slave.js';
import { lineTiming } from '../../sim/relay-timeline.js';
import { encodeRtuAdu, RtuFrameParser } from '../../src/protocol/modbus/index.js';

export interface LoadReport {
  readonly transactions: number;
  readonly errors: number;
  readonly txPerS: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

class Tally {
  readonly done: number[] = [];
  readonly latency: number[] = [];
  errors = 0;

  ok(start: number): void {
    const now = performance.now();
    this.done.push(now);
    this.latency.push(now - start);
  }

  report(): LoadReport {
    const n = this.done.length;
    const span = n > 1 ? (this.done[n - 1] ?? 0) - (this.done[0] ?? 0) : 0;
    const lat = [...this.latency].sort((a, b) => a - b);
    const at = (p: number) => lat[Math.min(lat.length - 1, Math.floor(lat.length * p))] ?? 0;
    return {
      transactions: n,
      errors: this.errors,
      txPerS: span > 0 ? ((n - 1) * 1000) / span : 0,
      p50Ms: at(0.5),
      p99Ms: at(0.99),
    };
  }
}

/** True when `pdu` is the FC 3 reply of the simulator's pattern for address 0 × q. */
function patternOk(pdu: Uint8Array, q: number): boolean {
  if (pdu[0] !== 3 || pdu[1] !== 2 * q || pdu.length !== 2 + 2 * q) return false;
  const last = ((pdu[2 * q] ?? 0) << 8) | (pdu[2 * q + 1] ?? 0);
  return last === q - 1;
}

/** One TCP connection's loop until `deadline`. */
async function tcpConnection(port: number, unit: number, q: number, deadline: number, tally: Tally) {
  const socket: Socket = createConnection({ host: '127.0.0.1', port, noDelay: true });
  await new Promise<void>((ok, fail) => socket.once('connect', ok).once('error', fail));
  let buf = Buffer.alloc(0);
  let waiting: ((b: Buffer) => void) | undefined;
  socket.on('data', (chunk: Buffer) => {
    buf = Buffer.concat([buf, chunk]);
    if (buf.length >= 6 && buf.length >= 6 + buf.readUInt16BE(4)) {
      const adu = buf.subarray(0, 6 + buf.readUInt16BE(4));
      buf = buf.subarray(adu.length);
      waiting?.(adu);
    }
  });
  socket.on('error', () => {});
  for (let tid = 1; performance.now() < deadline; tid = (tid + 1) & 0xffff) {
    const start = performance.now();
    const reply = new Promise<Buffer | undefined>((ok) => {
      const timer = setTimeout(() => ok(undefined), 5000);
      waiting = (b) => {
        clearTimeout(timer);
        ok(b);
      };
    });
    socket.write(Buffer.from([tid >> 8, tid & 0xff, 0, 0, 0, 6, unit, 3, 0, 0, 0, q]));
    const adu = await reply;
    if (adu && adu.readUInt16BE(0) === tid && patternOk(adu.subarray(7), q)) tally.ok(start);
    else tally.errors++;
  }
  socket.destroy();
}

async function runTcp(o: Options): Promise<LoadReport> {
  const tally = new Tally();
  const deadline = performance.now() + o.durationMs;
  const conns = Array.from({ length: o.connections }, (_, i) =>
    tcpConnection(o.port, o.units[i % o.units.length] ?? 1, o.quantity, deadline, tally),
  );
  await Promise.all(conns);
  return tally.report();
}

function spinUntil(t: number): Promise<void> {
  return new Promise((ok) => {
    const spin = () => (performance.now() >= t ? ok() : setImmediate(spin));
    spin();
  });
}

async function runRef(o: Options): Promise<LoadReport> {
  const timing = lineTiming(o.baud, o.bits);
  const port = await openSerial(o.path, o.baud);
  const parser = new RtuFrameParser('response');
  let onFrame: ((pdu: Uint8Array | undefined) => void) | undefined;
  let lastRx = 0;
  port.on('data', (chunk: Buffer) => {
    lastRx = performance.now();
    for (const f of parser.push(chunk).frames) onFrame?.(f.pdu);
  });
  const tally = new Tally();
  const deadline = performance.now() + o.durationMs;
  for (let i = 0; performance.now() < deadline; i++) {
    const unit = o.units[i % o.units.length] ?? 1;
    parser.expect(unit, 3);
    const start = performance.now();
    const reply = new Promise<Uint8Array | undefined>((ok) => {
      const timer = setTimeout(() => ok(undefined), 2000);
      onFrame = (pdu) => {
        clearTimeout(timer);
        ok(pdu);
      };
    });
    port.write(Buffer.from(encodeRtuAdu({ unitId: unit, pdu: Uint8Array.of(3, 0, 0, 0, o.quantity) })));
    const pdu = await reply;
    if (pdu && patternOk(pdu, o.quantity)) tally.ok(start);
    else tally.errors++;
    parser.reset();
    await spinUntil(lastRx + timing.t35Ms);
  }
  await closeSerial(port);
  return tally.report();
}

type Options = ReturnType<typeof options>;

function options() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      port: { type: 'string', default: '0' },
      path: { type: 'string', default: '' },
      baud: { type: 'string', default: '9600' },
      bits: { type: 'string', default: '11' },
      units: { type: 'string', default: '1,2,3,4' },
      connections: { type: 'string', default: '4' },
      quantity: { type: 'string', default: '1' },
      'duration-ms': { type: 'string', default: '3000' },
    },
  });
  return {
    mode: positionals[0],
    port: Number(values.port),
    path: values.path,
    baud: Number(values.baud),
    bits: Number(values.bits),
    units: values.units.split(',').map(Number),
    connections: Number(values.connections),
    quantity: Number(values.quantity),
    durationMs: Number(values['duration-ms']),
  };
}

const opts = options();
const job = opts.mode === 'tcp' ? runTcp(opts) : opts.mode === 'ref' ? runRef(opts) : undefined;
if (job === undefined) {
  process.stderr.write('usage: rtu-load.ts tcp|ref …\n');
  process.exit(2);
}
job.then(
  (r) => {
    process.stdout.write(`${JSON.stringify(r)}\n`);
    process.exit(0);
  },
  (e: unknown) => {
    process.stderr.write(`rtu-load: ${(e as Error).message}\n`);
    process.exit(1);
  },
);
