/**
 * Issue acceptance (G5): 20 TCP clients addressing 20 different slaves on ONE
 * serial line, through the whole application. The byte timeline recorded on a
 * baud-accurate relay (sim/relay.ts, in its own process with the RTU slave
 * simulator: bench/support/rtu-line.ts) shows at most one outstanding
 * transaction and a silence of at least t3.5 before every request; every
 * client gets its own correct answer.
 *
 *   Wattgate ── pty pair 1 ── relay (19200 baud, 11-bit chars) ── pty pair 2 ── simulator
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type App, createApp, defaultParts } from '../../src/app.js';
import { silentLogger } from '../../src/shared/logger.js';
import { h4, RawMbapClient } from '../support/modbus-wire.js';
import { peer } from '../support/peers.js';
import { freePort } from '../support/pymodbus.js';
import { hasSocat, openPtyPair, type PtyPair } from '../support/socat.js';

const BAUD = 19200;
const UNITS = Array.from({ length: 20 }, (_, i) => i + 1);
const ROUNDS = 3;
const LINE = fileURLToPath(new URL('../../bench/support/rtu-line.ts', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'wattgate-timeline-'));
let available = false;
let pairs: PtyPair[] = [];
let line: ChildProcess | undefined;
let lines: Interface | undefined;
let app: App | undefined;
let port = 0;
let t35 = 0;

function nextLine(): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('line process did not answer')), 20_000);
    lines?.once('line', (l) => {
      clearTimeout(timer);
      resolve(JSON.parse(l) as Record<string, unknown>);
    });
  });
}

before(async () => {
  available = await hasSocat();
  if (!available) return;
  pairs = [await openPtyPair(), await openPtyPair()];
  const [p1, p2] = pairs as [PtyPair, PtyPair];
  const args = ['--master-end', p1.b, '--slave-end', p2.a, '--sim-path', p2.b, '--baud', String(BAUD)];
  line = spawn(process.execPath, ['--import', 'tsx', LINE, ...args, '--units', UNITS.join(',')], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  lines = createInterface({ input: line.stdout as NodeJS.ReadableStream });
  const ready = await nextLine();
  assert.equal(ready.event, 'ready');
  t35 = Number(ready.t35Ms);
  port = await freePort();
  app = createApp({ dataDir: join(root, 'data'), log: silentLogger, parts: (ctx) => defaultParts(ctx) });
  const base = app.ctx.config.get();
  const serial = { name: 'RS485-1', path: p1.a, baud: BAUD, parity: 'even', stopBits: 1, unitIds: UNITS };
  app.ctx.config.replace({
    ...base,
    networks: { LOOP: { addresses: ['127.0.0.1'], description: 'test' } },
    web: { ...base.web, enabled: {} },
    modbus: {
      ...base.modbus,
      server: {
        ...base.modbus.server,
        port,
        enabled: { LOOP: true },
        maxConnections: 32,
        maxConnectionsPerSource: 32,
      },
      serialLines: [serial],
    },
  });
  await app.start();
});

after(async () => {
  await app?.stop();
  line?.stdin?.end();
  line?.kill('SIGTERM');
  for (const p of pairs) await p.close();
  rmSync(root, { recursive: true, force: true });
});

test('20 clients, 20 slaves, one line: one transaction at a time, ≥ t3.5 before every request', async (t) => {
  if (!peer(t, 'socat', available)) return;
  line?.stdin?.write('{"cmd":"clear"}\n');
  assert.equal((await nextLine()).ok, true);
  const clients = await Promise.all(UNITS.map(() => RawMbapClient.open(port)));
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const answers = await Promise.all(
        clients.map((c, i) => {
          const unit = UNITS[i] ?? 0;
          const address = unit * 10 + round;
          return c.ask(`${h4(round)}00000006${unit.toString(16).padStart(2, '0')}03${h4(address)}0002`);
        }),
      );
      answers.forEach((a, i) => {
        const unit = UNITS[i] ?? 0;
        const address = unit * 10 + round;
        // The simulator's pattern: register n holds n.
        const expected = `${h4(round)}00000007${unit.toString(16).padStart(2, '0')}0304${h4(address)}${h4(address + 1)}`;
        assert.equal(a, expected, `client ${i} round ${round}`);
      });
    }
  } finally {
    for (const c of clients) c.socket.destroy();
  }
  line?.stdin?.write('{"cmd":"report","timeoutMs":1000}\n');
  const report = (await nextLine()) as {
    summary: {
      requests: number;
      replies: number;
      maxOutstanding: number;
      gapsBelowT35: number;
      minRequestGapMs: number;
    };
    relay: { collisions: number };
  };
  const n = UNITS.length * ROUNDS;
  assert.equal(report.summary.requests, n, JSON.stringify(report.summary));
  assert.equal(report.summary.replies, n);
  assert.equal(report.summary.maxOutstanding, 1);
  assert.equal(report.summary.gapsBelowT35, 0, `min gap ${report.summary.minRequestGapMs} ms`);
  assert.equal(report.relay.collisions, 0);
  t.diagnostic(
    `min request gap ${report.summary.minRequestGapMs.toFixed(3)} ms, t3.5 = ${t35.toFixed(3)} ms`,
  );
});
