// The demo's wireless slice is a valid configuration whose ten paired sensors
// all connect and answer on their virtual servers; the eleventh waits for its
// install code.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateConfig } from '../../src/config/validate.js';
import { ManualClock } from '../../src/shared/clock.js';
import { DEMO_INSTALL_CODE, demoInputs, demoWireless } from './demo-panel.js';
import { startWirelessHarness } from './harness.js';
import { pairedEntries } from './paired.js';

test('demo: 10 paired sensors of different families connect; the 11th joins with its install code', async () => {
  const { paired, simulator } = demoWireless();
  const cfg = validateConfig({
    wireless: { simulator },
    devices: { nextId: 11, list: pairedEntries(paired) },
    inputs: demoInputs(),
  });
  assert.deepEqual(cfg.inputs, demoInputs(), 'the inputs slice is complete (no defaults needed)');
  const families = new Set(cfg.devices.list.map((d) => d.model?.split('-')[0]));
  assert.ok(families.size >= 8, `${families.size} families`);
  const clock = new ManualClock(Date.UTC(2026, 2, 10, 9, 0, 0));
  const h = await startWirelessHarness({ clock, paired, wireless: { simulator } });
  clock.advance(121_000);
  assert.deepEqual(
    h.part.devices().map((d) => d.status),
    new Array(10).fill('connected'),
  );
  assert.deepEqual([...h.part.targets().keys()], [100, 101, 102, 103, 104, 105, 106, 107, 108, 109]);
  assert.equal(h.part.unknownDevices()[0]?.reason, 'not-permitted');
  await h.part.permitJoin({ installCodes: [{ code: DEMO_INSTALL_CODE }] });
  clock.advance(61_000);
  await new Promise((r) => setImmediate(r));
  assert.equal(h.part.list().length, 11);
  assert.equal(h.part.list()[10]?.virtualId, 110);
  await h.part.stop();
});
