import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeRequest, type ModbusRequest } from '../protocol/modbus/index.js';
import {
  attemptsFor,
  countsTowardDead,
  DEFAULT_PROBE,
  finalFailure,
  probeFrom,
  SlaveHealth,
} from './rtu-policy.js';

const hex = (b: Uint8Array | undefined) => (b === undefined ? undefined : Buffer.from(b).toString('hex'));
const decoded = (...bytes: number[]): ModbusRequest | undefined => {
  const d = decodeRequest(Uint8Array.from(bytes));
  return d.ok && d.request.kind !== 'raw' ? d.request : undefined;
};

test('reads get 1 + retries attempts; writes and raw requests one, unless retryWrites', () => {
  const p = { retries: 2, retryWrites: false };
  for (const fc of [1, 2, 3, 4, 8, 17, 43]) assert.equal(attemptsFor(fc, false, p), 3, `fc ${fc}`);
  for (const fc of [5, 6, 15, 16, 21, 22, 23]) assert.equal(attemptsFor(fc, false, p), 1, `fc ${fc}`);
  assert.equal(attemptsFor(0x41, true, p), 1, 'raw: effect unknown');
  assert.equal(attemptsFor(16, false, { retries: 2, retryWrites: true }), 3);
  assert.equal(attemptsFor(3, false, { retries: 0, retryWrites: true }), 1);
});

test('0x04 only when every attempt was corrupt', () => {
  assert.equal(finalFailure(['corrupt', 'corrupt']), 'corrupt');
  assert.equal(finalFailure(['corrupt', 'silent']), 'timeout');
  assert.equal(finalFailure(['silent']), 'timeout');
  assert.equal(finalFailure([]), 'timeout');
});

test('only silence to the decoded basic codes (FC 1–6, 15, 16) of a slave address counts towards dead', () => {
  for (const fc of [1, 2, 3, 4, 5, 6, 15, 16]) assert.equal(countsTowardDead(7, fc, false), true, `fc ${fc}`);
  for (const fc of [7, 8, 11, 12, 17, 20, 21, 22, 23, 24, 43, 100]) {
    assert.equal(countsTowardDead(7, fc, false), false, `optional fc ${fc}`);
  }
  for (const fc of [0x41, 0x42, 0x48, 0x65, 3])
    assert.equal(countsTowardDead(7, fc, true), false, `raw ${fc}`);
  for (const fc of [3, 5, 6, 16]) assert.equal(countsTowardDead(0, fc, false), false, `broadcast fc ${fc}`);
});

test('the probe: one item of the last read answered, else FC 3 register 0', () => {
  assert.equal(hex(DEFAULT_PROBE), '0300000001');
  assert.equal(hex(probeFrom(decoded(3, 0x12, 0x34, 0, 10))), '0312340001');
  assert.equal(hex(probeFrom(decoded(4, 0, 0x10, 0, 4))), '0400100001');
  assert.equal(hex(probeFrom(decoded(1, 0, 5, 0, 16))), '0100050001');
  assert.equal(hex(probeFrom(decoded(2, 0xff, 0xff, 0, 1))), '02ffff0001');
  assert.equal(probeFrom(decoded(6, 0, 1, 0, 2)), undefined, 'never a write');
  assert.equal(probeFrom(decoded(0x2b, 14, 1, 0)), undefined);
  assert.equal(probeFrom(undefined), undefined, 'raw');
});

test('3 counted silences back a slave off until a probe answers; periods double, capped', () => {
  const h = new SlaveHealth({ deadAfter: 3, baseMs: 1000, maxMs: 4000 });
  assert.equal(h.record(7, 'silent', 0, true), false);
  assert.equal(h.record(7, 'silent', 10, true), false);
  assert.equal(h.gate(7), 'ok');
  assert.equal(h.nextProbeAt(), undefined);
  assert.equal(h.record(7, 'silent', 20, true), true, 'the third backs it off');
  assert.equal(h.gate(7), 'backed-off');
  assert.equal(h.gate(8), 'ok', 'other slaves unaffected');
  assert.deepEqual(h.backedOff(), [7]);
  assert.equal(h.record(7, 'ok', 30, true), false, 'client attempts do not decide while backed off');
  assert.equal(h.gate(7), 'backed-off');
  assert.equal(h.nextProbeAt(), 1020);
  assert.equal(h.takeProbe(1019), undefined, 'not due yet');
  const p1 = h.takeProbe(1020);
  assert.equal(p1?.unit, 7);
  assert.equal(h.gate(7), 'backed-off', 'still failing fast while the probe is out');
  assert.equal(h.nextProbeAt(), undefined, 'one probe out at a time');
  assert.equal(h.takeProbe(5000), undefined);
  assert.equal(h.probed(p1?.token ?? 0, 'silent', 1100), true);
  assert.equal(h.want(7), true, 'a request for it failed fast');
  assert.equal(h.want(7), false, 'already wanted');
  assert.equal(h.nextProbeAt(), 3100, 'second period: 2 s');
  const p2 = h.takeProbe(3100);
  h.probed(p2?.token ?? 0, 'silent', 3100);
  h.want(7);
  assert.equal(h.nextProbeAt(), 7100, 'third: 4 s');
  const p3 = h.takeProbe(7100);
  h.probed(p3?.token ?? 0, 'silent', 7100);
  h.want(7);
  assert.equal(h.nextProbeAt(), 11_100, 'capped at 4 s');
  assert.deepEqual(h.snapshot(), [
    {
      unit: 7,
      since: 20,
      until: 11_100,
      periods: 4,
      probing: false,
      wanted: true,
      lastProbe: { at: 7100, result: 'silent' },
    },
  ]);
  const p4 = h.takeProbe(11_100);
  assert.equal(h.snapshot()[0]?.probing, true);
  h.probed(p4?.token ?? 0, 'alive', 11_150);
  assert.equal(h.gate(7), 'ok', 'the first probe answered ends it');
  assert.deepEqual(h.snapshot(), []);
  assert.equal(h.nextProbeAt(), undefined);
});

test('uncounted silences neither count nor clear; a reply clears; corrupt replies do neither', () => {
  const h = new SlaveHealth();
  for (let i = 0; i < 100; i++) h.record(1, 'silent', i, false);
  assert.equal(h.gate(1), 'ok', '100 unknown-code silences: still in service');
  h.record(1, 'silent', 0, true);
  h.record(1, 'silent', 0, true);
  h.record(1, 'silent', 0, false);
  h.record(1, 'ok', 0, false);
  h.record(1, 'silent', 0, true);
  h.record(1, 'corrupt', 0, true);
  h.record(1, 'silent', 0, true);
  assert.equal(h.gate(1), 'ok');
  h.record(1, 'silent', 1, true);
  assert.equal(h.gate(1), 'backed-off');
  h.clear();
  assert.equal(h.gate(1), 'ok');
});

test('probes: one at a time, earliest due first; not-sent retries after baseMs; stale tokens ignored', () => {
  const h = new SlaveHealth({ deadAfter: 1, baseMs: 1000 });
  h.record(5, 'silent', 100, true);
  h.record(3, 'silent', 0, true);
  const a = h.takeProbe(2000);
  assert.equal(a?.unit, 3, 'due first');
  assert.equal(h.takeProbe(2000), undefined, 'never two at once');
  h.probed(a?.token ?? 0, 'not-sent', 2000);
  assert.deepEqual(
    h.snapshot().map((s) => [s.unit, s.periods, s.until]),
    [
      [3, 1, 3000],
      [5, 1, 1100],
    ],
    'not-sent: retried baseMs later, period not lengthened',
  );
  const b = h.takeProbe(2000);
  assert.equal(b?.unit, 5);
  h.clear();
  assert.equal(h.isCurrent(b?.token ?? 0), false);
  assert.equal(h.probed(b?.token ?? 0, 'silent', 2100), false, 'stale after clear');
  assert.deepEqual(h.snapshot(), []);
});

test('after the first period a slave is probed only if a request for it came since the last probe', () => {
  const h = new SlaveHealth({ deadAfter: 1, baseMs: 1000 });
  assert.equal(h.want(4), false, 'not backed off: nothing to want');
  h.record(4, 'silent', 0, true);
  assert.equal(h.nextProbeAt(), 1000, 'the first probe always goes');
  const p1 = h.takeProbe(1000);
  h.probed(p1?.token ?? 0, 'silent', 1050);
  assert.equal(h.nextProbeAt(), undefined, 'nobody asked: no probe, no line time');
  assert.equal(h.takeProbe(60_000), undefined);
  assert.equal(h.gate(4), 'backed-off', 'still backed off');
  assert.deepEqual(
    h.snapshot().map((s) => [s.until, s.wanted]),
    [[3050, false]],
  );
  assert.equal(h.want(4), true, 'a request long after the period');
  assert.equal(h.nextProbeAt(), 3050, 'due already: the master probes at once');
  assert.equal(h.takeProbe(60_000)?.unit, 4);
});
