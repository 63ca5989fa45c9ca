import assert from 'node:assert/strict';
import { test } from 'node:test';
import { implausibility, judgePlausibility, probeMeasurements } from './plausibility.js';

const V = (value: number | null) => ({ key: 'VAN', unit: 'V', value });
const Hz = (value: number | null) => ({ key: 'Freq', unit: 'Hz', value });
const A = (value: number | bigint | null) => ({ key: 'IA', unit: 'A', value });
/** float32 0x00000001, what register pattern [0, 1] decodes to. */
const SUBNORMAL = new DataView(new Uint8Array([0, 0, 0, 1]).buffer).getFloat32(0);

test('plausible readings of a live meter, an unpowered meter and unavailable phases', () => {
  assert.deepEqual(judgePlausibility([V(230.1), Hz(50.02), A(12.5)]), { plausible: true });
  assert.deepEqual(judgePlausibility([V(0), Hz(0), A(0)]), { plausible: true });
  assert.deepEqual(judgePlausibility([V(null), Hz(null), A(null)]), { plausible: true });
  assert.deepEqual(
    judgePlausibility([V(20_000), Hz(60), A(-3.2)]),
    { plausible: true },
    'MV network, signed current',
  );
  assert.deepEqual(judgePlausibility([]), { plausible: true }, 'nothing probed: not judged');
});

test('the README simulator case: 1.4e-45 V is not a voltage', () => {
  assert.ok(SUBNORMAL > 0 && SUBNORMAL < 1e-44);
  const v = judgePlausibility([V(SUBNORMAL), Hz(0), A(0)]);
  assert.equal(v.plausible, false);
  assert.match(v.plausible ? '' : (v.reasons[0] ?? ''), /VAN = 1\.4\d*e-45 V: vanishingly small/);
});

test('each rule at its bounds', () => {
  const bad = (p: Parameters<typeof implausibility>[0]) => implausibility(p) !== undefined;
  for (const v of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
    assert.ok(bad(V(v)) && bad(Hz(v)) && bad(A(v)), String(v));
  }
  assert.ok(bad(V(0.999)) && !bad(V(1)) && !bad(V(1_000_000)) && bad(V(1_000_001)) && bad(V(-230)));
  assert.ok(bad(Hz(39.9)) && !bad(Hz(40)) && !bad(Hz(70)) && bad(Hz(70.1)) && bad(Hz(-50)));
  assert.ok(!bad(A(1_000_000)) && !bad(A(-1_000_000)) && bad(A(1_000_001)) && bad(A(5e-10)));
  assert.ok(!bad(A(0.001)), '1 mA is a reading');
  assert.ok(!bad(A(12n)), 'integers of 64-bit types are numbers');
  assert.ok(bad({ key: 'VAN', unit: 'V', value: 'abc' }));
  assert.ok(!bad({ key: 'T', unit: '°C', value: 1e-40 * 0 }), 'other units: only finiteness');
  assert.ok(bad({ key: 'T', unit: '°C', value: Number.NaN }));
});

test('a verdict lists every implausible value', () => {
  const v = judgePlausibility([V(7e-40), Hz(12), A(3)]);
  assert.equal(v.plausible, false);
  assert.equal(v.plausible ? 0 : v.reasons.length, 2);
});

test('probe measurements: one V, Hz and A instant each, preferred keys first', () => {
  const m = (key: string, unit: string, kind = 'instant', type = 'float32') => ({ key, unit, kind, type });
  const list = [
    m('VAB', 'V'),
    m('VAN', 'V'),
    m('IAvg', 'A'),
    m('IA', 'A'),
    m('Freq', 'Hz'),
    m('EActDelTot', 'Wh', 'counter', 'uint64'),
    m('Name', 'V', 'text', 'string'),
  ];
  assert.deepEqual(
    probeMeasurements(list).map((x) => x.key),
    ['VAN', 'Freq', 'IA'],
  );
  assert.deepEqual(
    probeMeasurements([m('VX', 'V'), m('Ix', 'A')]).map((x) => x.key),
    ['VX', 'Ix'],
    'any key with the unit when no preferred key',
  );
  assert.deepEqual(probeMeasurements([m('T', '°C'), m('RH', '')]), [], 'sensors are not probed');
});
