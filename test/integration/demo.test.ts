/**
 * PRODUCT X4 (issue 8 part 4): `wattgate demo` — the README's first command —
 * shows a living switchboard within a minute. The real CLI runs for 70 s on
 * random high ports with a kept data directory; a real Modbus master (Debian's
 * mbpoll) reads unit 255's wireless list (10 sensors at virtual ids 100–109),
 * a wireless sensor's voltage, the meters behind the gateway (TCP and the
 * simulated RS-485 line on a socat pty pair) and the pulse
 * counters; afterwards the history database holds the 28 back-filled days and
 * live samples taken after the start, for a TCP meter and a wireless sensor.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Value } from 'typebox/value';
import { DEMO_INSTALL_CODE } from '../../sim/wireless/demo-panel.js';
import { HistorySchema } from '../../src/config/schema-history.js';
import { HistoryStore } from '../../src/history/store.js';
import { mbpollTcp } from '../support/mbpoll.js';
import { hasCommand, peer } from '../support/peers.js';
import { hasSocat } from '../support/socat.js';

const MAIN = join(import.meta.dirname, '../../src/main.ts');
const mbpoll = await hasCommand('mbpoll', ['-V']);

function waitFor(text: RegExp, out: () => string, ms: number): Promise<void> {
  const until = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const tick = () => {
      if (text.test(out())) return resolve();
      if (Date.now() > until) return reject(new Error(`no ${text} in: ${out()}`));
      setTimeout(tick, 100);
    };
    tick();
  });
}

test('X4: wattgate demo serves meters, wireless sensors, pulse inputs and a filled history within a minute', async (t) => {
  if (!peer(t, 'mbpoll', mbpoll) || !peer(t, 'socat', await hasSocat())) return;
  const dir = mkdtempSync(join(tmpdir(), 'wattgate-demo-test-'));
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const started = Date.now();
  const proc = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      MAIN,
      'demo',
      '--duration',
      '70',
      '--data-dir',
      dir,
      '--modbus-port',
      String(port),
      '--web-port',
      String(port + 1),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  proc.stdout.setEncoding('utf8').on('data', (c: string) => {
    out += c;
  });
  proc.stderr.setEncoding('utf8').on('data', (c: string) => {
    out += c;
  });
  const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
  try {
    await waitFor(/Press Ctrl-C to stop/, () => out, 60_000);
    // Sensors connect within their first period (energy sensors 5 s).
    await new Promise((r) => setTimeout(r, 8000));
    const opts = { port };
    const list = await mbpollTcp(opts, 255, 501, 50);
    const virtualIds = Array.from({ length: 10 }, (_, i) => list[i * 5 + 4]);
    assert.deepEqual(
      virtualIds,
      [100, 101, 102, 103, 104, 105, 106, 107, 108, 109],
      'ten wireless sensors listed',
    );
    const meter = await mbpollTcp(opts, 1, 1, 2);
    assert.equal(meter.length, 2);
    assert.match(out, /Serial line {4}: RS485-1/, 'socat is a CI peer: the demo starts its serial line');
    // The sensor waiting for pairing: its install code as the simulator knows it (sim/wireless/demo-panel.ts).
    assert.match(out, new RegExp(`install code ${DEMO_INSTALL_CODE}`));
    assert.match(out, /cl110, RF id 00124B00DE000011/);
    const rs485 = await mbpollTcp(opts, 21, 1, 2);
    assert.equal(rs485.length, 2, 'a meter on the simulated RS-485 line answers through the gateway');
    const inputs = await mbpollTcp(opts, 255, 1001, 4);
    assert.equal(inputs.length, 4);
    assert.equal(await exited, 0, out);
  } finally {
    proc.kill('SIGKILL');
  }
  const store = HistoryStore.open({
    path: join(dir, 'history.db'),
    settings: Value.Default(HistorySchema, {}) as never,
  });
  try {
    const series = store.reader.listSeries().map((s) => s.id);
    assert.ok(
      series.includes('modbus:1_mb_PTot') && series.includes('modbus:3_mb_EActDelTot'),
      series.join(' '),
    );
    const back = store.reader.raw('modbus:1_mb_PTot', { from: started - 28 * 86_400_000, to: started });
    assert.ok(back.length > 2000, `back-filled points: ${back.length}`);
    const live = store.reader.raw('modbus:1_mb_PTot', { from: started, to: Date.now() });
    assert.ok(live.length >= 1, 'a live sample after the start');
    for (let i = 0; i < live.length; i++) {
      assert.equal(live.q[i], 0);
      assert.ok((live.v[i] as number) > 0 && (live.v[i] as number) < 1e6, `power ${live.v[i]}`);
    }
  } finally {
    store.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
