import assert from 'node:assert/strict';
import { test } from 'node:test';
import { modelList, registersFor, TEST_METER } from '../../test/support/models.js';
import type { DeviceConfig } from '../config/schema-devices.js';
import { buildRuntime } from '../devices/registry.js';
import { decodeRequest, encodeException } from '../protocol/modbus/index.js';
import { ErrorCodes, WattgateError } from '../shared/errors.js';
import type { DeviceLink } from './links.js';
import { pollDevice } from './poll.js';

const models = modelList([TEST_METER]);
const device = (measurements?: string[]): DeviceConfig => ({
  id: 7,
  name: 'meter',
  model: 'test-meter',
  enabled: true,
  location: { kind: 'tcp', host: '127.0.0.1', port: 502, unit: 1, timeoutMs: 1000, oneInFlight: false },
  usage: 'none',
  zone: '',
  commodity: 'electricity',
  periodMinutes: 15,
  ...(measurements ? { measurements } : {}),
});

/** A device whose holding registers are `regs`; `refuse(address, quantity)` → exception code or undefined. */
function fakeLink(
  regs: Map<number, number>,
  refuse: (a: number, q: number) => number | 'timeout' | undefined,
) {
  const asked: string[] = [];
  const link: DeviceLink = {
    kind: 'tcp',
    async request(pdu) {
      const r = decodeRequest(pdu);
      if (!r.ok || r.request.kind !== 'read-registers') throw new Error('unexpected request');
      const { address, quantity, fc } = r.request;
      asked.push(`${address}+${quantity}`);
      const no = refuse(address, quantity);
      if (no === 'timeout') throw new WattgateError(ErrorCodes.TIMEOUT, 'no reply');
      if (no !== undefined) return encodeException(fc, no);
      const out = new Uint8Array(2 + 2 * quantity);
      out[0] = fc;
      out[1] = 2 * quantity;
      for (let i = 0; i < quantity; i++) {
        const w = regs.get(address + i) ?? 0;
        out[2 + 2 * i] = w >> 8;
        out[3 + 2 * i] = w & 0xff;
      }
      return out;
    },
  };
  return { link, asked };
}

function registers(values: Record<string, number | bigint | string>): Map<number, number> {
  const out = new Map<number, number>();
  for (const w of registersFor(TEST_METER, values)) {
    w.words.forEach((x, i) => {
      out.set(w.address + i, x);
    });
  }
  return out;
}

const opts = (link: DeviceLink) => ({
  link,
  signal: new AbortController().signal,
  run: <T>(f: () => Promise<T>) => f(),
  now: () => 1000,
});

test('readings: decoded through the table, stamped t, series ids from the device id; markers → invalid', async () => {
  const d = buildRuntime(device(['VAB', 'VBC', 'EAct', 'Status', 'PTot']), models);
  const regs = registers({ VAB: 400.5, EAct: 123456789n, Status: 0xffff, PTot: 12340 });
  regs.set(3021, 0xffc0); // VBC: Float32 0xFFC00000
  regs.set(3022, 0);
  const { link } = fakeLink(regs, () => undefined);
  const out = await pollDevice(d, [...d.plan], 900_000, opts(link));
  assert.equal(out.failed, false);
  const by = Object.fromEntries(out.readings.map((r) => [r.key, r]));
  assert.deepEqual(
    { ...by.VAB },
    {
      seriesId: 'modbus:7_mb_VAB',
      key: 'VAB',
      t: 900_000,
      value: 400.5,
      quality: 'valid',
    },
  );
  assert.deepEqual([by.VBC?.value, by.VBC?.quality], [null, 'invalid']);
  assert.deepEqual([by.EAct?.value, by.EAct?.quality], [123456789n, 'valid']);
  assert.deepEqual([by.Status?.value, by.Status?.quality], [null, 'invalid']);
  assert.deepEqual([by.PTot?.value, by.PTot?.quality], [12340, 'valid']); // scale 10
});

test('exception 02 on a merged read: split into one read per measurement, kept for later polls', async () => {
  const d = buildRuntime(device(['VAB', 'VBC', 'VCA', 'VAN']), models);
  assert.equal(d.plan.length, 1);
  const regs = registers({ VAB: 1, VBC: 2, VCA: 3, VAN: 4 });
  // The device refuses reads that cross its undocumented hole at 3025–3026.
  const { link, asked } = fakeLink(regs, (a, q) => (a <= 3025 && a + q > 3025 ? 2 : undefined));
  const plan = [...d.plan];
  const out = await pollDevice(d, plan, 0, opts(link));
  assert.deepEqual(asked, ['3019+10', '3019+2', '3021+2', '3023+2', '3027+2']);
  assert.deepEqual(
    out.readings.map((r) => [r.key, r.value, r.quality]),
    [
      ['VAB', 1, 'valid'],
      ['VBC', 2, 'valid'],
      ['VCA', 3, 'valid'],
      ['VAN', 4, 'valid'],
    ],
  );
  assert.equal(plan.length, 4, 'the plan keeps the split');
  assert.equal(out.failed, false);
  assert.equal(out.error?.code, 'MODBUS_EXCEPTION_2');
});

test('a timeout: that read and the ones not yet sent are comm-error; one timeout per poll, not one per read', async () => {
  const d = buildRuntime(device(['VAB', 'F', 'EAct']), models);
  assert.equal(d.plan.length, 3);
  const { link, asked } = fakeLink(new Map(), () => 'timeout');
  const out = await pollDevice(d, [...d.plan], 0, opts(link));
  assert.equal(asked.length, 1);
  assert.equal(out.failed, true);
  assert.equal(out.error?.code, ErrorCodes.TIMEOUT);
  assert.deepEqual(
    out.readings.map((r) => [r.key, r.value, r.quality]),
    [
      ['VAB', null, 'comm-error'],
      ['F', null, 'comm-error'],
      ['EAct', null, 'comm-error'],
    ],
  );
});

test('exception 01 → invalid (the device answered); 0x0B from a gateway on the path → comm-error', async () => {
  const d = buildRuntime(device(['VAB', 'F']), models);
  const one = await pollDevice(d, [...d.plan], 0, opts(fakeLink(new Map(), () => 1).link));
  assert.equal(one.failed, false);
  assert.ok(one.readings.every((r) => r.quality === 'invalid'));
  const b = await pollDevice(d, [...d.plan], 0, opts(fakeLink(new Map(), () => 0x0b).link));
  assert.equal(b.failed, true);
  assert.ok(b.readings.every((r) => r.quality === 'comm-error'));
});

test('several reads in flight per device when allowed', async () => {
  const d = buildRuntime(device(['VAB', 'F', 'EAct', 'Status']), models);
  let active = 0;
  let peak = 0;
  const inner = fakeLink(registers({ VAB: 1, F: 50, EAct: 5n, Status: 1 }), () => undefined).link;
  const link: DeviceLink = {
    kind: 'tcp',
    async request(pdu, signal) {
      active++;
      peak = Math.max(peak, active);
      await new Promise((r) => setImmediate(r));
      active--;
      return inner.request(pdu, signal);
    },
  };
  const out = await pollDevice(d, [...d.plan], 0, { ...opts(link), inFlight: 3 });
  assert.equal(peak, 3);
  assert.equal(out.readings.length, 4);
  assert.ok(out.readings.every((r) => r.quality === 'valid'));
});
