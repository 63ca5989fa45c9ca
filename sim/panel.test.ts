import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeValue } from '../src/protocol/modbus/index.js';
import { ManualClock } from '../src/shared/clock.js';
import { loadShape, startPanel } from './panel.js';

test('meters move plausibly: energy only grows, P ≈ 3·U·I·PF, voltage near nominal', async () => {
  const clock = new ManualClock(Date.UTC(2026, 10, 27, 0));
  const panel = await startPanel({ units: [1, 2], clock });
  try {
    const read = (unit: number) => {
      const r = panel.slave.bank(unit).getRegisters('holding', 0, 14);
      const f = (i: number) => Number(decodeValue({ type: 'float32' }, r.slice(i, i + 2)));
      return {
        u: f(0),
        i: f(2),
        kw: f(4),
        pf: f(6),
        hz: f(8),
        wh: Number(decodeValue({ type: 'uint64' }, r.slice(10, 14))),
      };
    };
    let prev = read(2).wh;
    for (let h = 0; h < 48; h++) {
      clock.advance(3_600_000);
      const m = read(2);
      assert.ok(m.wh >= prev, 'energy never decreases');
      prev = m.wh;
      assert.ok(Math.abs(m.u - 230) <= 2.01, `voltage ${m.u}`);
      assert.ok(Math.abs(m.kw - (3 * m.u * m.i * m.pf) / 1000) < 0.01, 'power consistent');
      assert.ok(m.hz > 49.9 && m.hz < 50.1);
    }
    assert.ok(loadShape(Date.UTC(2026, 0, 1, 14)) > loadShape(Date.UTC(2026, 0, 1, 2)));
  } finally {
    await panel.close();
  }
});
