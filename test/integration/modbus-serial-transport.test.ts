/**
 * The serial transport (src/transport/serial-line.ts) on real ptys: a missing
 * device gives a clear error and is retried with back-off; once the device
 * appears the line opens; when it disappears (socat exits) the stream closes
 * and the line reopens when the device comes back. Bytes flow both ways.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { systemClock } from '../../src/shared/clock.js';
import { silentLogger } from '../../src/shared/logger.js';
import type { ByteStream } from '../../src/transport/byte-stream.js';
import { checkSerialDevice, SerialLine } from '../../src/transport/serial-line.js';
import { until } from '../support/modbus-wire.js';
import { peer } from '../support/peers.js';
import { hasSocat } from '../support/socat.js';

function startSocat(a: string, b: string): ChildProcess {
  return spawn('socat', [`pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stdio: 'ignore' });
}

async function stopSocat(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 2000))]);
}

test('missing device: explicit error; appears → opens; vanishes → closes and reopens', async (t) => {
  if (!peer(t, 'socat', await hasSocat())) return;
  const dir = mkdtempSync(join(tmpdir(), 'wattgate-serial-'));
  const a = join(dir, 'a');
  const b = join(dir, 'b');
  assert.match((await checkSerialDevice(a))?.message ?? '', /serial device .*\/a does not exist/);
  const line = new SerialLine(
    { log: silentLogger, clock: systemClock },
    { path: a, baud: 9600, parity: 'none', stopBits: 1, backoff: { baseMs: 20, maxMs: 100, jitter: 0 } },
  );
  const failures: string[] = [];
  const streams: ByteStream[] = [];
  line.events.on('connect-failed', (f) => failures.push(f.error.message));
  line.onConnection((s) => streams.push(s));
  let socat: ChildProcess | undefined;
  try {
    line.start();
    await until(() => failures.length >= 2, 'two failed attempts', 10_000);
    assert.match(failures[0] ?? '', /does not exist/);
    assert.match(line.lastError, /does not exist/);
    socat = startSocat(a, b);
    await until(() => streams.length === 1, 'line open', 15_000);
    assert.equal(line.state, 'connected');
    assert.equal(line.lastError, '');
    const got: number[] = [];
    streams[0]?.onData((c) => got.push(...c));
    const far = new SerialLine(
      { log: silentLogger, clock: systemClock },
      { path: b, baud: 9600, parity: 'none', stopBits: 1 },
    );
    far.onConnection((s) => s.write(Uint8Array.of(1, 2, 3)));
    far.start();
    await until(() => got.length === 3, 'bytes across', 10_000);
    far.close();
    assert.deepEqual(got, [1, 2, 3]);
    const first = streams[0] as ByteStream;
    const reasons: string[] = [];
    first.onClose((r) => reasons.push(r));
    await stopSocat(socat);
    await until(() => !first.isOpen, 'stream closed when the device vanished', 15_000);
    socat = startSocat(a, b);
    await until(() => streams.length === 2, 'reopened', 15_000);
    assert.equal(streams[1]?.isOpen, true);
  } finally {
    line.close();
    if (socat) await stopSocat(socat);
    rmSync(dir, { recursive: true, force: true });
  }
});
