// Per-unit counters of the downstream links (unit-counters.ts): each slave of
// an RTU line and each unit id behind a TCP endpoint counts its own requests,
// responses, exceptions, timeouts and CRC errors. Oracles: what the scripted
// slave or the simulated device itself received and sent; the per-unit
// figures add up to the link's own counters.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { startTcpSlave } from '../../sim/modbus/tcp-slave.js';
import { drive, FakeLine, reply, type SlaveScript } from '../../test/support/rtu-line.js';
import { ManualClock, systemClock } from '../shared/clock.js';
import { silentLogger } from '../shared/logger.js';
import { RtuMaster } from './rtu-master.js';
import { ModbusTcpMaster } from './tcp-master.js';
import { UNIT_COUNTERS, UnitCounters } from './unit-counters.js';

type Behaviour = 'ok' | 'exception' | 'bad-crc' | 'silent';

/** Slave u behaves as `who[u]`; every frame it answers with a bad CRC is counted in `corrupt`. */
function script(who: Record<number, Behaviour>, corrupt: Map<number, number>): SlaveScript {
  return (unit) => {
    const b = who[unit] ?? 'silent';
    if (b === 'silent') return undefined;
    if (b === 'exception') return { bytes: reply(unit, [0x83, 0x02]), delayMs: 1 };
    const bytes = reply(unit, [3, 2, 0, unit]);
    if (b === 'ok') return { bytes, delayMs: 1 };
    corrupt.set(unit, (corrupt.get(unit) ?? 0) + 1);
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 0xff;
    return { bytes, delayMs: 1 };
  };
}

test('unit counters: zeros for a unit never seen; units listed once seen; unit ids wrap to a byte', () => {
  const c = new UnitCounters();
  assert.deepEqual(c.get(9), { requests: 0, responses: 0, exceptions: 0, timeouts: 0, crcErrors: 0 });
  c.request(9);
  c.response(9, true);
  c.request(256 + 3);
  c.timeout(3);
  c.crcError(3);
  assert.deepEqual(c.units(), [3, 9]);
  assert.deepEqual(c.get(9), { requests: 1, responses: 1, exceptions: 1, timeouts: 0, crcErrors: 0 });
  assert.deepEqual(c.get(3), { requests: 1, responses: 0, exceptions: 0, timeouts: 1, crcErrors: 1 });
});

test('RTU line: each slave its own counters, as its side of the wire saw them; they add up to the line', async () => {
  const runs = Number(process.env.WATTGATE_FUZZ_RUNS ?? 0) > 0 ? 60 : 15;
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.constantFrom<Behaviour>('ok', 'exception', 'bad-crc', 'silent'), {
        minLength: 4,
        maxLength: 4,
      }),
      fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 25 }),
      async (behaviours, asks) => {
        const who = Object.fromEntries(behaviours.map((b, i) => [i + 1, b]));
        const corrupt = new Map<number, number>();
        const clock = new ManualClock();
        const line = new FakeLine(clock, script(who, corrupt));
        const master = new RtuMaster({ log: silentLogger, clock }, line, {
          name: 'L',
          baud: 19200,
          timeoutMs: 20,
          retries: 1,
          retryWrites: false,
          pauseMs: 0,
          maxQueue: 64,
          queueTimeoutMs: 60_000,
          broadcastDelayMs: 10,
        });
        master.start();
        let settled = 0;
        const outcomes = asks.map((u) =>
          master
            .request(u, Uint8Array.of(3, 0, 0, 0, 1))
            .then(
              () => 'answered',
              () => 'timeout',
            )
            .finally(() => settled++),
        );
        for (let i = 0; i < 200 && settled < asks.length; i++) await drive(clock, 100, 1);
        const results = await Promise.all(outcomes);
        master.stop();
        const line_ = master.stats;
        for (let u = 1; u <= 4; u++) {
          const mine = asks.map((a, i) => (a === u ? results[i] : undefined)).filter((r) => r !== undefined);
          const s = master.unitStats(u);
          const b = who[u];
          assert.equal(s.requests, mine.length, `slave ${u} (${b}) requests`);
          assert.equal(s.crcErrors, corrupt.get(u) ?? 0, `slave ${u} (${b}): corrupt frames it sent`);
          assert.equal(
            s.responses,
            b === 'ok' || b === 'exception' ? mine.length : 0,
            `slave ${u} responses`,
          );
          assert.equal(s.exceptions, b === 'exception' ? mine.length : 0, `slave ${u} exceptions`);
          assert.equal(s.timeouts, b === 'silent' ? mine.length : 0, `slave ${u} timeouts`);
          assert.equal(mine.filter((r) => r === 'timeout').length, s.timeouts, `slave ${u}: timeouts seen`);
        }
        for (const k of ['requests', 'responses', 'timeouts', 'crcErrors'] as const) {
          const sum = [1, 2, 3, 4].reduce((n, u) => n + master.unitStats(u)[k], 0);
          assert.equal(sum, line_[k], `sum of the slaves' ${k} = the line's`);
        }
      },
    ),
    { numRuns: runs },
  );
});

test('TCP endpoint: each unit id its own counters, as the device received them', async () => {
  // Unit 1 answers, unit 3 answers exception 02, unit 2 does not exist (the device stays silent).
  const sim = await startTcpSlave({ units: [1, 3], faults: [{ unit: 3, exception: 2 }] });
  const master = new ModbusTcpMaster(
    { name: 'ep', host: '127.0.0.1', port: sim.port },
    { log: silentLogger, clock: systemClock },
  );
  try {
    master.start();
    const signal = new AbortController().signal;
    const ask = (unitId: number) =>
      master
        .request({ unitId, pdu: Uint8Array.of(3, 0, 0, 0, 1), request: undefined, signal, timeoutMs: 150 })
        .then(
          (pdu) => (pdu[0] === 0x83 ? 'exception' : 'answered'),
          () => 'failed',
        );
    const asks = [1, 2, 3, 1, 1, 2, 3, 1, 2, 1];
    const results = await Promise.all(asks.map(ask));
    const n = (u: number, r?: string) =>
      asks.filter((a, i) => a === u && (r === undefined || results[i] === r)).length;
    assert.deepEqual(master.unitStats(1), { requests: 5, responses: 5, exceptions: 0, timeouts: 0 });
    assert.deepEqual(master.unitStats(2), { requests: 3, responses: 0, exceptions: 0, timeouts: 3 });
    assert.deepEqual(master.unitStats(3), { requests: 2, responses: 2, exceptions: 2, timeouts: 0 });
    for (const u of [1, 2, 3]) assert.equal(sim.count(u), n(u), `unit ${u}: requests the device received`);
    assert.equal(n(2, 'failed'), 3);
    assert.equal(n(3, 'exception'), 2);
    const s = master.stats;
    assert.equal(s.requests, asks.length);
    assert.equal(s.timeouts, 3, "the endpoint's timeouts are unit 2's");
    assert.deepEqual(
      Object.keys(master.unitStats(7)),
      UNIT_COUNTERS.filter((k) => k !== 'crcErrors'),
    );
  } finally {
    master.stop();
    await sim.close();
  }
});
