import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateConfig } from '../config/validate.js';
import type { ReadingBatch } from '../devices/reading.js';
import { ManualClock } from '../shared/clock.js';
import type { WirelessReadingsEvent } from './events.js';
import { wirelessSampler } from './sampler.js';

const RF = '00124B00DE000001';
const T0 = Date.UTC(2026, 10, 27, 10, 0, 0);

function setup(periodMinutes: number, measurements?: string[]) {
  const clock = new ManualClock(T0 + 1000);
  const cfg = validateConfig({
    devices: {
      nextId: 8,
      list: [
        {
          id: 7,
          name: 'Kitchen',
          model: 'acti9-active',
          location: { kind: 'wireless', rfId: RF },
          periodMinutes,
          ...(measurements ? { measurements } : {}),
        },
      ],
    },
  });
  const out: ReadingBatch[] = [];
  const s = wirelessSampler({ clock, devices: () => cfg.devices, record: (b) => out.push(b) });
  const frame = (t: number, p: number): WirelessReadingsEvent => ({
    rfId: RF,
    virtualId: 100,
    model: 'acti9-active',
    name: 'Kitchen',
    t,
    periodMs: 5000,
    readings: [
      { key: 'PTot', value: p, quality: 'valid' },
      { key: 'VAN', value: 230.1, quality: 'valid' },
    ],
  });
  return { clock, s, out, frame };
}

test('one sample per device period at the aligned boundary, from the latest fresh frame', () => {
  const { clock, s, out, frame } = setup(5);
  s.start();
  s.onReadings(frame(T0 + 2000, 1000));
  clock.advance(4 * 60_000); // 10:04:01: no 5-minute boundary yet
  assert.equal(out.length, 0);
  s.onReadings(frame(T0 + 5 * 60_000 - 3000, 1500));
  clock.advance(60_000); // crosses 10:05:00
  assert.equal(out.length, 1);
  const b = out[0] as ReadingBatch;
  assert.equal(b.t, T0 + 5 * 60_000);
  assert.deepEqual(
    b.readings.map((r) => [r.seriesId, r.t, r.value, r.quality]),
    [
      ['modbus:7_mb_PTot', T0 + 5 * 60_000, 1500, 'valid'],
      ['modbus:7_mb_VAN', T0 + 5 * 60_000, 230.1, 'valid'],
    ],
  );
  s.stop();
});

test('a sensor silent for more than 2 periods is sampled as a communication error; keys follow the selection', () => {
  const { s, out, frame } = setup(1, ['PTot']);
  s.onReadings(frame(T0 - 60_000, 800));
  assert.equal(s.sample(T0), 1);
  assert.deepEqual(
    (out[0] as ReadingBatch).readings.map((r) => [r.key, r.value, r.quality]),
    [['PTot', null, 'comm-error']],
  );
  s.onReadings(frame(T0 + 59_000, 900));
  s.sample(T0 + 60_000);
  assert.deepEqual(
    (out[1] as ReadingBatch).readings.map((r) => [r.key, r.value, r.quality]),
    [['PTot', 900, 'valid']],
  );
});
