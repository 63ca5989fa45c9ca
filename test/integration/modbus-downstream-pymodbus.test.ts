// The TCP device target (src/modbus/tcp-device.ts) against a real, independent
// Modbus TCP slave: Debian's pymodbus 3.0 (`zero_mode=True`: protocol address
// n is element n), started with /usr/bin/python3 on a free loopback port.
// FC 1, 2, 3, 4, 5, 6, 8, 15, 16, 22, 23, 43/14 and an exception reply pass
// through with MBAP unit id = cfg.unitId; pipelined requests get their own
// replies; one-in-flight mode works too.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { TargetRequest } from '../../src/modbus/target.js';
import type { TcpDeviceConfig } from '../../src/modbus/tcp-device.js';
import { createTcpDeviceTarget, type TcpDeviceTarget } from '../../src/modbus/tcp-device.js';
import {
  bytesToHex,
  decodeResponse,
  encodeRequest,
  type ModbusRequest,
  type ModbusResponse,
} from '../../src/protocol/modbus/index.js';
import { systemClock } from '../../src/shared/clock.js';
import { silentLogger } from '../../src/shared/logger.js';
import { peer } from '../support/peers.js';
import { hasPymodbus, type PymodbusSlave, startPymodbusSlave } from '../support/pymodbus.js';

let available = false;
let slave: PymodbusSlave | undefined;
let port = 0;
const devices: TcpDeviceTarget[] = [];

before(async () => {
  available = await hasPymodbus();
  if (!available) return;
  slave = await startPymodbusSlave();
  port = slave.port;
});

after(() => {
  for (const d of devices.splice(0)) d.stop();
  slave?.stop();
});

async function device(oneInFlight = false): Promise<TcpDeviceTarget> {
  const cfg: TcpDeviceConfig = {
    name: 'pymodbus',
    host: '127.0.0.1',
    port,
    unitId: 1,
    virtualId: 42,
    timeoutMs: 2000,
    oneInFlight,
  };
  const d = createTcpDeviceTarget(cfg, { log: silentLogger, clock: systemClock });
  devices.push(d);
  d.start();
  const end = Date.now() + 5000;
  while (!d.stats.connected) {
    if (Date.now() > end) throw new Error('no connection to pymodbus');
    await new Promise((r) => setTimeout(r, 5));
  }
  return d;
}

function target(request: ModbusRequest): TargetRequest {
  return {
    unitId: 42,
    pdu: encodeRequest(request),
    request,
    signal: new AbortController().signal,
    source: 'test',
  };
}

async function ask(d: TcpDeviceTarget, request: ModbusRequest): Promise<ModbusResponse> {
  const pdu = await d.handle(target(request));
  const r = decodeResponse(pdu, request);
  assert.ok(r.ok, `undecodable reply ${bytesToHex(pdu)}`);
  return r.response;
}

async function registers(d: TcpDeviceTarget, fc: 3 | 4, address: number, quantity: number) {
  const r = await ask(d, { kind: 'read-registers', fc, address, quantity });
  assert.equal(r.kind, 'read-registers');
  return r.kind === 'read-registers' ? r.values : [];
}

test('pymodbus: reads and writes of every public function code pass through', async (t) => {
  if (!peer(t, 'pymodbus', available)) return;
  const d = await device();
  assert.deepEqual(await registers(d, 3, 0, 5), [1, 4, 7, 10, 13]);
  assert.deepEqual(await registers(d, 4, 10, 2), [1010, 1011]);
  const coils = await ask(d, { kind: 'read-bits', fc: 1, address: 0, quantity: 6 });
  assert.deepEqual(coils.kind === 'read-bits' && coils.values, [true, false, false, true, false, false]);
  const inputs = await ask(d, { kind: 'read-bits', fc: 2, address: 0, quantity: 3 });
  assert.deepEqual(inputs.kind === 'read-bits' && inputs.values, [false, true, false]);
  await ask(d, { kind: 'write-single-coil', fc: 5, address: 1, value: true });
  await ask(d, { kind: 'write-multiple-coils', fc: 15, address: 2, values: [true, true] });
  const written = await ask(d, { kind: 'read-bits', fc: 1, address: 0, quantity: 4 });
  assert.deepEqual(written.kind === 'read-bits' && written.values, [true, true, true, true]);
  await ask(d, { kind: 'write-single-register', fc: 6, address: 50, value: 0xabcd });
  await ask(d, { kind: 'write-multiple-registers', fc: 16, address: 51, values: [1, 2, 3] });
  assert.deepEqual(await registers(d, 3, 50, 4), [0xabcd, 1, 2, 3]);
  await ask(d, { kind: 'mask-write-register', fc: 0x16, address: 50, andMask: 0x00ff, orMask: 0x1200 });
  assert.deepEqual(await registers(d, 3, 50, 1), [0x12cd]);
  const rw = await ask(d, {
    kind: 'read-write-registers',
    fc: 0x17,
    readAddress: 60,
    readQuantity: 2,
    writeAddress: 61,
    values: [777],
  });
  assert.deepEqual(rw.kind === 'read-write-registers' && rw.values, [181, 777]);
});

test('pymodbus: FC 8 echo, 43/14 identification and exception replies', async (t) => {
  if (!peer(t, 'pymodbus', available)) return;
  const d = await device();
  const echo = target({ kind: 'diagnostics', fc: 8, subFunction: 0, data: Uint8Array.of(0xa5, 0x37) });
  assert.equal(bytesToHex(await d.handle(echo)), bytesToHex(echo.pdu));
  const id = await ask(d, { kind: 'read-device-identification', fc: 0x2b, readCode: 1, objectId: 0 });
  assert.equal(id.kind, 'read-device-identification');
  if (id.kind === 'read-device-identification') {
    const text = id.objects.map((o) => new TextDecoder().decode(o.value));
    assert.deepEqual(text, ['pymodbus-peer', 'PM', '3.0']);
  }
  const outside = target({ kind: 'read-registers', fc: 3, address: 1000, quantity: 1 });
  assert.equal(bytesToHex(await d.handle(outside)), '83 02');
});

test('pymodbus: pipelined and one-in-flight requests each get their own reply', async (t) => {
  if (!peer(t, 'pymodbus', available)) return;
  for (const oneInFlight of [false, true]) {
    const d = await device(oneInFlight);
    const addresses = Array.from({ length: 30 }, (_, i) => 100 + i);
    const replies = await Promise.all(addresses.map((a) => registers(d, 3, a, 1)));
    assert.deepEqual(
      replies,
      addresses.map((a) => [a * 3 + 1]),
      `oneInFlight=${oneInFlight}`,
    );
    assert.equal(d.stats.strayReplies + d.stats.badReplies + d.stats.timeouts, 0);
  }
});
