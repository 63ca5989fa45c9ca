import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { generateSeries, KINDS, panelSeries, QUALITY, type SeriesOptions } from './meter-data.js';

const START = Date.UTC(2026, 0, 5); // a Monday
const MIN = 60_000;
const base: SeriesOptions = { kind: 'active-power', start: START, step: MIN, count: 14 * 1440, seed: 4 };

const hourOf = (t: number) => new Date(t + 3_600_000).getUTCHours(); // the default UTC+1 device time

describe('realistic meter data', () => {
  test('deterministic per seed; different seeds differ', () => {
    const a = generateSeries(base);
    const b = generateSeries(base);
    const c = generateSeries({ ...base, seed: 5 });
    assert.deepEqual([...a.v.subarray(0, a.length)], [...b.v.subarray(0, b.length)]);
    assert.notDeepEqual([...a.v.subarray(0, 100)], [...c.v.subarray(0, 100)]);
  });

  test('office load: daily curve (day ≫ night) and weekdays ≫ weekend', () => {
    const s = generateSeries({ ...base, profile: 'office' });
    const mean = (pred: (t: number) => boolean) => {
      let sum = 0;
      let n = 0;
      for (let i = 0; i < s.length; i++) {
        if (s.q[i] === 0 && pred(s.t[i] as number)) {
          sum += s.v[i] as number;
          n++;
        }
      }
      return sum / n;
    };
    const weekday = (t: number) => ((Math.floor((t + 3_600_000) / 86_400_000) + 4) % 7) % 6 !== 0;
    const day = mean((t) => weekday(t) && hourOf(t) >= 9 && hourOf(t) < 17);
    const night = mean((t) => weekday(t) && (hourOf(t) < 5 || hourOf(t) >= 22));
    const weekend = mean((t) => !weekday(t) && hourOf(t) >= 9 && hourOf(t) < 17);
    assert.ok(day > 2.5 * night, `day ${day} night ${night}`);
    assert.ok(day > 2.5 * weekend, `weekday ${day} weekend ${weekend}`);
  });

  test('noise: consecutive values differ (not a smooth curve)', () => {
    const s = generateSeries({ ...base, kind: 'current' });
    let changes = 0;
    for (let i = 1; i < s.length; i++) if (s.v[i] !== s.v[i - 1]) changes++;
    assert.ok(changes > 0.9 * s.length);
  });

  test('energy counter: whole Wh, grows except for resets to about 0', () => {
    const s = generateSeries({ ...base, kind: 'active-energy', resetRate: 1e-4 });
    let resets = 0;
    for (let i = 1; i < s.length; i++) {
      const v = s.v[i] as number;
      if (s.q[i] !== 0 || s.q[i - 1] !== 0) continue;
      assert.ok(Number.isInteger(v));
      if (v < (s.v[i - 1] as number)) {
        resets++;
        assert.ok(v < 1000, `a reset restarts near 0, got ${v}`);
      }
    }
    assert.ok(resets >= 1, 'at a 1e-4 rate, resets happen in two weeks');
  });

  test('missing samples (outages) and invalid readings (NaN, quality INVALID)', () => {
    const s = generateSeries({ ...base, missingRate: 0.002, invalidRate: 0.001 });
    assert.ok(s.length < base.count && s.length > 0.9 * base.count, `${s.length} of ${base.count}`);
    let gaps = 0;
    for (let i = 1; i < s.length; i++) if ((s.t[i] as number) - (s.t[i - 1] as number) > MIN) gaps++;
    assert.ok(gaps > 5);
    let invalid = 0;
    for (let i = 0; i < s.length; i++) {
      if (s.q[i] === QUALITY.INVALID) {
        invalid++;
        assert.ok(Number.isNaN(s.v[i]));
      }
    }
    assert.ok(invalid > 0);
  });

  test('values carry the meter resolution: float32 decimals by default, float64 decimals on request', () => {
    for (const kind of Object.keys(KINDS) as Array<keyof typeof KINDS>) {
      const d = KINDS[kind].decimals;
      const s = generateSeries({ ...base, kind, count: 500, invalidRate: 0 });
      for (let i = 0; i < s.length; i++) {
        const v = s.v[i] as number;
        const n = Math.round(v * 10 ** d);
        const as = KINDS[kind].counter ? n / 10 ** d : Math.fround(n / 10 ** d);
        assert.equal(v, as, `${kind}: ${v}`);
      }
    }
    const f64 = generateSeries({ ...base, kind: 'voltage', count: 100, representation: 'float64-decimal' });
    assert.ok([...f64.v.subarray(0, f64.length)].every((v) => Math.round(v * 10) / 10 === v));
  });

  test('a panel: 10 measurements a meter, 2 a sensor, stable ids; 50 meters ≈ 500 points a minute', () => {
    const p = panelSeries({ meters: 50, sensors: 2, start: START, step: MIN, count: 10 });
    assert.equal(p.length, 504);
    assert.equal(p[0]?.id, 'modbus:1_mb_VAN');
    assert.equal(p.at(-1)?.id, 'wireless:2_zd_RH');
    assert.equal(new Set(p.map((x) => x.id)).size, p.length);
  });
});
