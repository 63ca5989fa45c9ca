/**
 * PRODUCT L5, "loses nothing": digital input counters survive a restart
 * (storage/input-counters.ts: one JSON file, atomic writes, saved every
 * minute and at stop), and an unreadable file is set aside without stopping
 * the part. Simulated pulse inputs (the demo's water and gas meters) on an
 * injected clock.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { seededRandom } from '../../sim/devices/values.js';
import { demoInputs } from '../../sim/wireless/demo-panel.js';
import { validateConfig } from '../../src/config/validate.js';
import type { ReadingBatch } from '../../src/devices/reading.js';
import { inputCounterFile } from '../../src/inputs/counter-file.js';
import { InputsPart } from '../../src/inputs/part.js';
import { createSimulatedInputs } from '../../src/inputs/simulator.js';
import { ManualClock } from '../../src/shared/clock.js';
import { memoryConfigView } from '../../src/shared/config-view.js';
import { silentLogger } from '../../src/shared/logger.js';

const inputs = validateConfig({ inputs: demoInputs() }).inputs;

function run(clock: ManualClock, file: string, seed: number) {
  const readings: ReadingBatch[] = [];
  const part = new InputsPart({
    log: silentLogger,
    clock,
    config: memoryConfigView(inputs),
    createDriver: (_kind, c) => createSimulatedInputs({ ...c, random: seededRandom(seed) }),
    events: {
      emit: (name, payload) => {
        if (name === 'inputs.samples') readings.push(payload as ReadingBatch);
      },
    },
    store: inputCounterFile(file, silentLogger),
  });
  const last = (input: string) => {
    const b = readings.filter((r) => r.origin.id === input).at(-1);
    const pulses = b?.readings.find((r) => r.key === 'pulses');
    return pulses === undefined ? -1 : Number(pulses.value);
  };
  return { part, last };
}

test('L5: pulse counters continue after a restart; the file is 0600', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wattgate-inputs-'));
  try {
    const file = join(dir, 'input-counters.json');
    const clock = new ManualClock(Date.UTC(2026, 10, 27, 8, 0, 0));
    const a = run(clock, file, 1);
    await a.part.start();
    for (let i = 0; i < 180; i++) clock.advance(1000);
    const before = a.last('DI1');
    assert.ok(before > 10, `pulses counted in 3 minutes: ${before}`);
    await a.part.stop();
    assert.equal(statSync(file).mode & 0o777, 0o600);

    const b = run(clock, file, 2);
    await b.part.start();
    for (let i = 0; i < 60; i++) clock.advance(1000);
    assert.ok(b.last('DI1') >= before, `after the restart ${b.last('DI1')} ≥ ${before}`);
    await b.part.stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('L5: an unreadable counter file is set aside and counting starts from zero', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wattgate-inputs-bad-'));
  try {
    const file = join(dir, 'input-counters.json');
    writeFileSync(file, '{"DI1": {"pulsesTotal": "lots"}');
    const clock = new ManualClock(Date.UTC(2026, 10, 27, 8, 0, 0));
    const a = run(clock, file, 1);
    await a.part.start();
    for (let i = 0; i < 60; i++) clock.advance(1000);
    assert.ok(a.last('DI1') >= 0);
    await a.part.stop();
    assert.ok(
      readdirSync(dir).some((f) => f.startsWith('input-counters.json.bad-')),
      'the bad file is kept',
    );
    assert.ok(existsSync(file), 'a new file was written');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
