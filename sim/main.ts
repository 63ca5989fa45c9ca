/**
 * Simulator CLI (`npm run sim -- tcp --port 15020 --units 1,2,3`): runs a
 * Modbus TCP slave in its own process, for the benchmark and the demo. Prints
 * one JSON line once listening — `{"event":"listening","host":…,"port":…,
 * "units":[…]}` — then runs until SIGINT/SIGTERM (or --duration seconds).
 * Banks are filled with the demo pattern (register n holds n).
 *
 *   tcp [--host 127.0.0.1] [--port 0] [--units 1] [--latency-ms N | MIN-MAX] [--duration S]
 */
import { parseArgs } from 'node:util';
import type { Latency } from './modbus/faults.js';
import { startTcpSlave } from './modbus/tcp-slave.js';

const USAGE =
  'usage: sim tcp [--host 127.0.0.1] [--port 0] [--units 1,2,3] [--latency-ms N|MIN-MAX] [--duration SECONDS]';

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
  const stop = () => {
    void slave.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const duration = values.duration === undefined ? undefined : Number(values.duration);
  if (duration !== undefined) {
    if (!(duration > 0)) fail(`bad --duration ${values.duration}`);
    setTimeout(stop, duration * 1000);
  }
}

const [command, ...rest] = process.argv.slice(2);
if (command === 'tcp') {
  runTcp(rest).catch((e: unknown) => fail((e as Error).message));
} else {
  fail(command === undefined ? 'missing command' : `unknown command ${command}`);
}
