// Simulated radio sensors over a week of reports: counters only grow, powers
// agree with voltages, currents and PF, a daily load curve shows, alarms come
// now and then and go again, ambient values stay in their ranges; writes to
// partial and resettable counters act as the reference describes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ModelCatalog } from '../../src/devices/models/index.js';
import { SimulatedSensor } from './sensor.js';

const catalog = ModelCatalog.open();
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 5); // a Monday

function run(
  model: string,
  periodS: number,
  days: number,
  each: (t: number, v: Record<string, unknown>) => void,
) {
  const s = new SimulatedSensor({
    rfId: 0x00124b00000000a1n,
    model: catalog.require(model),
    periodS,
    now: T0,
  });
  for (let t = T0; t < T0 + days * DAY; t += periodS * 1000) each(t, s.report(t).values);
  return s;
}

test('energy sensor, a week at 60 s: counters grow, P = U·I·PF, a daily curve, alarms now and then', (t) => {
  let last = -1n;
  let alarms = 0;
  let inAlarm = false;
  const byHour = new Array<number>(24).fill(0);
  run('acti9-active', 60, 7, (t, v) => {
    const e = v.EActDelRecTot as bigint;
    assert.ok(e >= last, 'total energy never decreases');
    last = e;
    for (const ph of ['A', 'B', 'C']) {
      const p = (v[`V${ph}N`] as number) * (v[`I${ph}`] as number) * (v.PF as number);
      assert.ok(Math.abs(p - (v[`P${ph}`] as number)) < 1e-6 * Math.max(1, p));
    }
    byHour[new Date(t).getUTCHours()] = (byHour[new Date(t).getUTCHours()] ?? 0) + (v.PTot as number);
    const on = ['Alm', 'ProtAlm', 'PreAlm'].some((k) => (v[k] as number) !== 0);
    if (on && !inAlarm) alarms++;
    inAlarm = on;
  });
  const night = byHour[2] ?? 0;
  const day = Math.max(...byHour);
  assert.ok(day > 1.5 * night, `daily curve: peak hour ${day.toFixed(0)} vs 2 h ${night.toFixed(0)}`);
  assert.ok(alarms >= 8 && alarms <= 60, `${alarms} alarms in a week (mean gap 6 h)`);
  t.diagnostic(
    `${alarms} alarms in a week; mean PTot at 02 h ${(night / 7 / 60).toFixed(0)} W, peak hour ${(day / 7 / 60).toFixed(0)} W`,
  );
});

test('ambient sensor, a week at 120 s: temperature, humidity and CO2 in range; CO2 higher in office hours', () => {
  let office = 0;
  let night = 0;
  run('co2-sensor', 120, 7, (t, v) => {
    assert.ok((v.T as number) > 5 && (v.T as number) < 40);
    assert.ok((v.RH as number) >= 0.1 && (v.RH as number) <= 0.95);
    const ppm = (v.CO2 as number) * 1e6;
    assert.ok(ppm >= 380 && ppm < 2000, `CO2 ${ppm}`);
    const h = new Date(t).getUTCHours();
    if (h === 12) office = Math.max(office, ppm);
    if (h === 2) night = Math.max(night, ppm);
    assert.equal(v.AlmValid, 2 ** 7 + 2 ** 9, 'battery alarms valid');
  });
  assert.ok(office > night + 200, `CO2 at noon ${office.toFixed(0)} vs 2 h ${night.toFixed(0)}`);
});

test('writes: a partial counter set to v reads v; a resettable counter too; totals untouched; refusals', () => {
  const s = new SimulatedSensor({
    rfId: 7n,
    model: catalog.require('pte63-powertag-a9'),
    periodS: 5,
    now: T0,
  });
  const before = s.report(T0).values;
  assert.ok(s.apply('EActDelRecPartSet', 0, T0 + 1000));
  assert.ok(s.apply('EActDelRst', 500n, T0 + 1000));
  const after = s.report(T0 + 1000).values;
  assert.equal(after.EActDelRecPart, 0n);
  assert.equal(after.EActDelRst, 500n);
  assert.equal(after.EActDelRecPartSet, 0n, 'the set register reads 0');
  assert.ok((after.EActDelRecTot as bigint) >= (before.EActDelRecTot as bigint));
  assert.equal(s.apply('EActDelRecTot', 0, T0 + 2000), false, 'read-only');
  assert.equal(s.apply('EActDelRecPartSet', -1, T0 + 2000), false, 'negative');
  const later = s.report(T0 + 3_600_000).values;
  assert.ok((later.EActDelRecPart as bigint) > 0n, 'the partial counter counts again');
});
