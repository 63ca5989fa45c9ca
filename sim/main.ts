/**
 * Simulator CLI: runs a simulated Modbus slave in its own process, for the
 * benchmarks, the demo and manual tests. Prints one JSON line once ready —
 * tcp: `{"event":"listening","host":…,"port":…,"units":[…]}`, rtu:
 * `{"event":"listening","path":…,"baud":…,"units":[…]}` — then runs until
 * SIGINT/SIGTERM (or --duration seconds). Banks are filled with the demo
 * pattern (register n holds n).
 *
 *   tcp [--host 127.0.0.1] [--port 0] [--units 1] [--latency-ms N | MIN-MAX] [--duration S]
 *   rtu --path /dev/X [--baud 19200] [--parity even|odd|none] [--stop-bits 1|2]
 *       [--units 1] [--latency-ms N | MIN-MAX] [--duration S]
 * rtu plays every listed slave address on one serial device (e.g. one end of
 * `socat pty,raw,echo=0,link=A pty,raw,echo=0,link=B`).
 */
import { parseArgs } from 'node:util';
import type { Latency } from './modbus/faults.js';
import { type Parity, startRtuSlave } from './modbus/rtu-slave.js';
import { startTcpSlave } from './modbus/tcp-slave.js';

const USAGE = [
  'usage: sim tcp [--host 127.0.0.1] [--port 0] [--units 1,2,3] [--latency-ms N|MIN-MAX] [--duration SECONDS]',
  '       sim rtu --path DEVICE [--baud 19200] [--parity even|odd|none] [--stop-bits 1|2] [--units 1,2,3]',
  '               [--latency-ms N|MIN-MAX] [--duration SECONDS]',
].join('\n');
const BAUDS = [1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200];

function fail(message: string): never {
  process.stderr.write(`sim: ${message}\n${USAGE}\n`);
  process.exit(2);
}

function parseUnits(text: string): number[] {
  const units = text.split(',').map((s) => Number(s.trim()));
  if (units.length === 0 || units.some((u) => !Number.isInteger(u) || u < 0 || u > 255)) {
    fail(`--units must be a comma-separated list of 0..255, got ${text}`);
  }
  return [...new Set(units)];
}

function parseLatency(text: string | undefined): Latency | undefined {
  if (text === undefined) return undefined;
  const parts = text.split('-').map(Number);
  if (parts.some((n) => !Number.isFinite(n) || n < 0) || parts.length > 2) fail(`bad --latency-ms ${text}`);
  const [min = 0, max = min] = parts;
  return parts.length === 2 ? [min, max] : min;
}

async function runTcp(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '0' },
      units: { type: 'string', default: '1' },
      'latency-ms': { type: 'string' },
      duration: { type: 'string' },
    },
    strict: true,
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`bad --port ${values.port}`);
  const units = parseUnits(values.units);
  const latencyMs = parseLatency(values['latency-ms']);
  const slave = await startTcpSlave({
    host: values.host,
    port,
    units,
    pattern: true,
    ...(latencyMs === undefined ? {} : { latencyMs }),
  });
  process.stdout.write(
    `${JSON.stringify({ event: 'listening', host: slave.host, port: slave.port, units })}\n`,
  );
  runUntilStopped(() => slave.close(), values.duration);
}

/** Stops on SIGINT/SIGTERM or after `durationText` seconds. */
function runUntilStopped(close: () => Promise<void>, durationText: string | undefined): void {
  const stop = () => {
    void close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  if (durationText !== undefined) {
    const duration = Number(durationText);
    if (!(duration > 0)) fail(`bad --duration ${durationText}`);
    setTimeout(stop, duration * 1000);
  }
}

function parseRtuLine(values: { baud: string; parity: string; 'stop-bits': string }) {
  const baud = Number(values.baud);
  if (!BAUDS.includes(baud)) fail(`--baud must be one of ${BAUDS.join(', ')}`);
  const parity = values.parity as Parity;
  if (!['none', 'even', 'odd'].includes(parity)) fail(`bad --parity ${values.parity}`);
  const stopBits = Number(values['stop-bits']);
  if (stopBits !== 1 && stopBits !== 2) fail(`bad --stop-bits ${values['stop-bits']}`);
  return { baud, parity, stopBits: stopBits as 1 | 2 };
}

async function runRtu(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      path: { type: 'string' },
      baud: { type: 'string', default: '19200' },
      parity: { type: 'string', default: 'even' },
      'stop-bits': { type: 'string', default: '1' },
      units: { type: 'string', default: '1' },
      'latency-ms': { type: 'string' },
      duration: { type: 'string' },
    },
    strict: true,
  });
  if (values.path === undefined) fail('rtu needs --path');
  const line = parseRtuLine(values);
  const units = parseUnits(values.units);
  if (units.some((u) => u < 1 || u > 247)) fail('RTU slave addresses are 1..247');
  const latencyMs = parseLatency(values['latency-ms']);
  const slave = await startRtuSlave({
    path: values.path,
    ...line,
    units,
    pattern: true,
    ...(latencyMs === undefined ? {} : { latencyMs }),
  });
  process.stdout.write(
    `${JSON.stringify({ event: 'listening', path: slave.path, baud: line.baud, units })}\n`,
  );
  runUntilStopped(() => slave.close(), values.duration);
}

const [command, ...rest] = process.argv.slice(2);
if (command === 'tcp') {
  runTcp(rest).catch((e: unknown) => fail((e as Error).message));
} else if (command === 'rtu') {
  runRtu(rest).catch((e: unknown) => fail((e as Error).message));
} else {
  fail(command === undefined ? 'missing command' : `unknown command ${command}`);
}
