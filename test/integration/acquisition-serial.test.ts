/**
 * Acquisition over a serial line (PRODUCT G5, L3): the device's reads go to
 * the gateway's line (SerialLineTarget, RTU master) with priority 'low', on a
 * socat pty with the RTU simulator at the far end; merged reads counted at
 * the simulator; an unknown line name gives comm-error, not a crash; a line
 * that appears later (gateway reconfigured) is used from then on.
 * Scheduling runs on a ManualClock; the line itself runs in real time.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type RtuSlave, startRtuSlave } from '../../sim/modbus/rtu-slave.js';
import type { RtuRequestOptions } from '../../src/modbus/rtu-master.js';
import { serialLineConfig } from '../../src/modbus/serial-line-config.js';
import { createSerialLineTarget, type SerialLineTarget } from '../../src/modbus/serial-line-target.js';
import { ManualClock, systemClock } from '../../src/shared/clock.js';
import { silentLogger } from '../../src/shared/logger.js';
import { acquisitionHarness } from '../support/acquisition-harness.js';
import { modelList, registersFor, TEST_METER } from '../support/models.js';
import { peer } from '../support/peers.js';
import { hasSocat, openPtyPair } from '../support/socat.js';

const models = modelList([TEST_METER]);
const at = (hh: number, mm: number, ss = 0) => Date.UTC(2026, 5, 1, hh, mm, ss);

/** The line, with every request's priority recorded. */
function spied(line: SerialLineTarget, priorities: string[]): SerialLineTarget {
  return Object.assign(Object.create(line) as SerialLineTarget, {
    config: line.config,
    request(unit: number, pdu: Uint8Array, o?: RtuRequestOptions) {
      priorities.push(o?.priority ?? 'high');
      return line.request(unit, pdu, o);
    },
  });
}

test('serial devices are polled through the gateway line with low priority', async (t) => {
  if (!peer(t, 'socat', await hasSocat())) return;
  const pty = await openPtyPair();
  t.after(() => pty.close());
  const rtu: RtuSlave = await startRtuSlave({ path: pty.b, baud: 19200, units: [3] });
  t.after(() => rtu.close());
  const values = {
    VAB: 400,
    VBC: 401,
    VCA: 402,
    VAN: 230,
    VBN: 231,
    VCN: 232,
    F: 49.5,
    EAct: 42n,
    Status: 1,
  };
  for (const w of registersFor(TEST_METER, values)) rtu.bank(3).setRegisters(w.table, w.address, w.words);
  const cfg = serialLineConfig({ name: 'RS485-1', path: pty.a, timeoutMs: 200, retries: 0 });
  const line = createSerialLineTarget(cfg, { log: silentLogger, clock: systemClock });
  line.start();
  t.after(() => line.stop());
  const priorities: string[] = [];
  let lines: SerialLineTarget[] = [];
  const clock = new ManualClock(at(12, 0, 30));
  const h = acquisitionHarness({
    clock,
    models,
    serialLines: () => lines,
    config: {
      modbus: { serialLines: [cfg] },
      devices: {
        nextId: 2,
        list: [
          {
            id: 1,
            name: 'Meter on RS485',
            model: 'test-meter',
            location: { kind: 'serial', line: 'RS485-1', slave: 3 },
            periodMinutes: 1,
            measurements: ['VAB', 'VBC', 'VCA', 'VAN', 'VBN', 'VCN', 'F', 'EAct'],
          },
        ],
      },
    },
  });
  h.part.start();
  t.after(() => h.part.stop());

  clock.advance(30_000); // 12:01: the gateway has no such line (yet)
  const none = await h.next('samples');
  assert.ok(none.readings.every((r) => r.quality === 'comm-error'));
  assert.equal(h.part.get(1).status.lastError?.code, 'WG_ERR_UNAVAILABLE');

  lines = [spied(line, priorities)];
  clock.advance(60_000); // 12:02
  const b = await h.next('samples');
  assert.equal(b.t, at(12, 2));
  const by = Object.fromEntries(b.readings.map((r) => [r.key, r.value]));
  assert.deepEqual(by, { VAB: 400, VBC: 401, VCA: 402, VAN: 230, VBN: 231, VCN: 232, F: 49.5, EAct: 42n });
  assert.equal(rtu.stats().requests, 3, 'three register blocks, three requests');
  assert.deepEqual(priorities, ['low', 'low', 'low']);
  assert.equal(h.part.get(1).status.state, 'ok');
});
