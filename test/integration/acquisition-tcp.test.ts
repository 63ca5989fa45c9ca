/**
 * Acquisition against the Modbus TCP simulator (sim/modbus/tcp-slave.ts) over
 * real loopback sockets, time driven by a ManualClock (no test sleeps for
 * minutes): merged reads counted at the simulator, samples aligned to the
 * clock and stamped with the period start, invalid markers, timeouts →
 * comm-error and back-off, renames keep series ids, live watch leases.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTcpSlave, type TcpSlave } from '../../sim/modbus/tcp-slave.js';
import { ManualClock } from '../../src/shared/clock.js';
import { type AcquisitionHarness, acquisitionHarness } from '../support/acquisition-harness.js';
import { modelList, registersFor, TEST_METER, wideModel } from '../support/models.js';

const WIDE = wideModel(100);
const models = modelList([TEST_METER, WIDE]);
const MIN = 60_000;
const at = (hh: number, mm: number, ss = 0) => Date.UTC(2026, 2, 1, hh, mm, ss);
const iso = (t: number) => new Date(t).toISOString();

let sim: TcpSlave;
before(async () => {
  sim = await startTcpSlave({ units: [1, 2, 3, 4] });
  const meter = {
    VAB: 400.5,
    VBC: 401,
    VCA: 399.5,
    VAN: 230.25,
    VBN: 231,
    VCN: 229,
    F: 50,
    EAct: 9_876_543n,
  };
  for (const unit of [1, 3]) {
    for (const w of registersFor(TEST_METER, meter)) sim.bank(unit).setRegisters(w.table, w.address, w.words);
  }
  const wide = Object.fromEntries(WIDE.measurements.map((m, i) => [m.key, i + 0.5]));
  for (const w of registersFor(WIDE, wide)) sim.bank(2).setRegisters(w.table, w.address, w.words);
});
after(() => sim.close());

const tcp = (unit: number) => ({ kind: 'tcp', host: '127.0.0.1', port: sim.port, unit });

async function waitFor(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function started(h: AcquisitionHarness, connections: number): Promise<void> {
  h.part.start();
  await waitFor(() => sim.stats().connections >= connections);
}

describe('periodic acquisition over TCP', () => {
  let clock: ManualClock;
  let h: AcquisitionHarness;
  before(async () => {
    sim.resetStats();
    clock = new ManualClock(at(10, 7, 30));
    const voltages = ['VAB', 'VBC', 'VCA', 'VAN', 'VBN', 'VCN', 'F', 'EAct'];
    h = acquisitionHarness({
      clock,
      models,
      config: {
        devices: {
          nextId: 3,
          list: [
            { id: 1, name: 'Incomer', model: 'test-meter', location: tcp(1), measurements: voltages },
            { id: 2, name: 'Wide', model: 'test-wide', location: tcp(2), periodMinutes: 5 },
          ],
        },
      },
    });
    await started(h, 1); // both devices are units of one endpoint: one shared connection (tcp-pool.ts)
  });
  after(() => h.part.stop());

  test('merged reads: one request per register block, counted at the simulator', async () => {
    clock.advance(2 * MIN + 30_000); // 10:10:00: the 5-minute device only
    const wide = await h.next('samples', (b) => b.origin.id === 2);
    assert.equal(sim.count(1, 3), 0);
    clock.advance(5 * MIN); // 10:15:00: both
    const meter = await h.next('samples', (b) => b.origin.id === 1);
    await h.next('samples', (b) => b.origin.id === 2);
    // Voltages 3019–3032 (one 2-register hole, bridged) + F 3109 + EAct 3203: 3 blocks.
    assert.equal(sim.count(1, 3), 3);
    // 100 adjacent float32 = 200 registers: 2 reads of ≤ 125, per poll.
    assert.equal(sim.count(2, 3), 4);
    assert.equal(wide.readings.length, 100);
    assert.ok(wide.readings.every((r, i) => r.quality === 'valid' && r.value === i + 0.5));
    const by = Object.fromEntries(meter.readings.map((r) => [r.key, r]));
    assert.deepEqual(
      { ...by.VAB },
      {
        seriesId: 'modbus:1_mb_VAB',
        key: 'VAB',
        t: at(10, 15),
        value: 400.5,
        quality: 'valid',
      },
    );
    assert.equal(by.EAct?.value, 9_876_543n);
    assert.equal(by.VAN?.value, 230.25);
  });

  test('samples are aligned to the clock and stamped with the period start', async () => {
    for (const hhmm of ['10:20', '10:25', '10:30']) {
      clock.advance(5 * MIN);
      await h.next('samples', (b) => b.origin.id === 2 && iso(b.t).slice(11, 16) === hhmm);
    }
    await h.next('samples', (b) => b.origin.id === 1);
    const stamps1 = h.samples.filter((b) => b.origin.id === 1).map((b) => iso(b.t));
    const stamps2 = h.samples.filter((b) => b.origin.id === 2).map((b) => iso(b.t));
    assert.deepEqual(stamps1, ['2026-03-01T10:15:00.000Z', '2026-03-01T10:30:00.000Z']);
    assert.deepEqual(
      stamps2.map((t) => t.slice(11, 16)),
      ['10:10', '10:15', '10:20', '10:25', '10:30'],
    );
    const s = h.part.get(1).status;
    assert.equal(s.state, 'ok');
    assert.equal(s.lastSuccessAt, at(10, 30));
  });

  test('invalid markers → quality invalid, value null', async () => {
    sim.bank(1).setRegisters('holding', 3019, [0xffc0, 0]); // VAB Float32 0xFFC00000
    sim.bank(1).setRegisters('holding', 3203, [0x8000, 0, 0, 0]); // EAct INT64 0x8000…
    clock.advance(15 * MIN);
    const b = await h.next('samples', (x) => x.origin.id === 1);
    const by = Object.fromEntries(b.readings.map((r) => [r.key, r]));
    assert.deepEqual([by.VAB?.value, by.VAB?.quality], [null, 'invalid']);
    assert.deepEqual([by.EAct?.value, by.EAct?.quality], [null, 'invalid']);
    assert.deepEqual([by.VBC?.value, by.VBC?.quality], [401, 'valid']);
  });

  test('a rename keeps the series ids; a removed device is no longer polled', async () => {
    const view = h.part.update(1, { name: 'Main incomer' }, { actor: 'test' });
    assert.equal(view.device.name, 'Main incomer');
    assert.equal(view.series.VAB, 'modbus:1_mb_VAB');
    assert.equal(view.status.state, 'ok', 'status kept across the edit');
    clock.advance(15 * MIN);
    const b = await h.next('samples', (x) => x.origin.id === 1);
    assert.equal(b.readings[0]?.seriesId, 'modbus:1_mb_VAB');
    h.part.remove(2, { actor: 'test' });
    const n = h.samples.filter((x) => x.origin.id === 2).length;
    clock.advance(15 * MIN);
    await h.next('samples', (x) => x.origin.id === 1);
    assert.equal(h.samples.filter((x) => x.origin.id === 2).length, n);
    await waitFor(() => sim.stats().connections === 1);
  });
});

describe('communication errors', () => {
  test('a silent device: comm-error readings, status error, then back-off; recovery clears it', async (t) => {
    sim.faults.add({ unit: 3, fc: 3, silence: true });
    const clock = new ManualClock(at(8, 0, 30));
    const h = acquisitionHarness({
      clock,
      models,
      config: {
        devices: {
          nextId: 2,
          list: [{ id: 1, name: 'Mute', model: 'test-meter', location: tcp(3), periodMinutes: 1 }],
        },
        acquisition: { backoff: { afterFailures: 2, baseMs: 150_000, maxMs: 600_000 } },
      },
    });
    await started(h, 1);
    t.after(() => h.part.stop());
    const failOnce = async (toBoundaryMs: number) => {
      clock.advance(toBoundaryMs); // the boundary: the poll sends its first read
      await waitFor(() => sim.count(3, 3) > 0); // it reached the simulator (real time)
      sim.resetStats();
      clock.advance(1000); // its 1000 ms timeout
      return h.next('samples');
    };
    clock.advance(29_000); // 08:00:59
    const first = await failOnce(1000); // 08:01 poll, times out at 08:01:01
    assert.ok(first.readings.every((r) => r.quality === 'comm-error' && r.value === null));
    assert.equal(first.readings.length, 10);
    assert.equal(h.part.get(1).status.state, 'error');
    await failOnce(59_000); // 08:02 → second failure: backed off for 150 s
    const s = h.part.get(1).status;
    assert.equal(s.state, 'backed-off');
    assert.equal(s.lastError?.code, 'WG_ERR_TIMEOUT');
    assert.equal(s.backoffUntil, at(8, 2, 1) + 150_000);
    sim.faults.clear();
    clock.advance(2 * MIN); // 08:04:01 (08:03 and 08:04 skipped)
    assert.equal(sim.count(3, 3), 0);
    clock.advance(59_000); // 08:05:00: past 08:04:31, probed, answers
    const ok = await h.next('samples');
    assert.equal(ok.t, at(8, 5));
    assert.ok(ok.readings.every((r) => r.quality === 'valid'));
    assert.equal(h.part.get(1).status.state, 'ok');
    assert.equal(h.part.get(1).status.skipped, 2);
  });
});

describe('live values', () => {
  test('a watch lease polls the device every live interval until it expires; latest() merges', async (t) => {
    const clock = new ManualClock(at(9, 0, 10));
    const h = acquisitionHarness({
      clock,
      models,
      config: {
        devices: { nextId: 2, list: [{ id: 1, name: 'Meter', model: 'test-meter', location: tcp(1) }] },
        acquisition: { live: { intervalMs: 2000, leaseMs: 10_000 } },
      },
    });
    await started(h, 1);
    t.after(() => h.part.stop());
    sim.resetStats();
    const lease = h.part.watch([1]);
    for (let i = 0; i < 3; i++) {
      clock.advance(2000);
      await h.next('live');
    }
    const live = h.live.at(-1);
    assert.ok(live);
    assert.equal(live.periodMs, 2000);
    assert.ok(
      live.readings.some((r) => r.key === 'Model'),
      'live reads identity texts too',
    );
    assert.ok(!live.readings.some((r) => r.key === 'CtRatio'), 'but not settings');
    const latest = h.part.latest(1);
    assert.equal(latest.find((r) => r.key === 'VBC')?.value, 401);
    assert.equal(latest.find((r) => r.key === 'VBC')?.t, live.t);
    h.part.renewWatch(lease.id);
    clock.advance(12_000); // lease expires after 10 s without renewal
    await new Promise((r) => setTimeout(r, 50));
    const n = h.live.length;
    clock.advance(10_000);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(h.live.length, n, 'no live polls after the lease expired');
  });
});
