// Modbus gateway robustness from raw sockets on 127.0.0.0/8 (PRODUCT G1–G4,
// G7, G10; SECURITY H1–H3). Each case asserts the exact bytes answered, or
// that the connection was closed; a good client on its own connection is
// checked after every case. Timing (frame deadline) runs on a ManualClock;
// every wait is bounded.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import type { Config, ModbusConfig } from '../../src/config/schema.js';
import type { ModbusEvents } from '../../src/modbus/events.js';
import { createGateway } from '../../src/modbus/gateway.js';
import { createSerialLineTarget } from '../../src/modbus/serial-line-target.js';
import type { TargetRequest, UnitTarget } from '../../src/modbus/target.js';
import type { TcpDeviceConfig } from '../../src/modbus/tcp-device.js';
import { ManualClock } from '../../src/shared/clock.js';
import { memoryConfigView } from '../../src/shared/config-view.js';
import { ErrorCodes, WattgateError } from '../../src/shared/errors.js';
import { TypedEvents } from '../../src/shared/events.js';
import { silentLogger } from '../../src/shared/logger.js';
import { devicesView, TEST_IDENTITY as IDENTITY, modbusSection } from '../support/modbus-fixtures.js';
import { adu, h2, h4, hexBytes, RawMbapClient as Raw, sleep, until } from '../support/modbus-wire.js';

// ---- in-test downstream targets -----------------------------------------------------

class TestTarget implements UnitTarget {
  readonly kind = 'tcp-device';
  count = 0;
  constructor(
    readonly name: string,
    readonly fn: (req: TargetRequest) => Promise<Uint8Array>,
  ) {}
  handle(req: TargetRequest): Promise<Uint8Array> {
    this.count++;
    return this.fn(req);
  }
  start(): void {}
  stop(): void {}
}

const held: Array<() => void> = [];
const pipeline: Array<{ req: TargetRequest; done: (b: Uint8Array) => void }> = [];
const fail = (code: (typeof ErrorCodes)[keyof typeof ErrorCodes]) => () =>
  Promise.reject(new WattgateError(code, 'test'));
const TARGETS: Record<string, TestTarget> = {
  echo: new TestTarget('echo', async (r) => r.pdu),
  hold: new TestTarget('hold', (r) => new Promise((res) => held.push(() => res(r.pdu)))),
  timeout: new TestTarget('timeout', fail(ErrorCodes.TIMEOUT)),
  busy: new TestTarget('busy', fail(ErrorCodes.BUSY)),
  readonly: new TestTarget('readonly', async (r) => r.pdu),
  // answers only once 10 requests wait, newest first
  pipe: new TestTarget(
    'pipe',
    (req) =>
      new Promise((done) => {
        pipeline.push({ req, done });
        if (pipeline.length < 10) return;
        const batch = pipeline.splice(0).reverse();
        setImmediate(() => {
          for (const p of batch) p.done(p.req.pdu);
        });
      }),
  ),
};
const UNITS = { echo: 10, hold: 11, timeout: 12, busy: 13, readonly: 14, pipe: 15 } as const;

const device = (name: keyof typeof UNITS): TcpDeviceConfig => ({
  name,
  host: '192.0.2.1',
  port: 502,
  unitId: 1,
  virtualId: UNITS[name],
  timeoutMs: 1000,
  oneInFlight: false,
});

function modbusConfig(over: Partial<ModbusConfig['server']> = {}): ModbusConfig {
  return modbusSection(
    {
      enabled: { LO: true },
      maxConnections: 12,
      maxConnectionsPerSource: 4,
      frameDeadlineMs: 500,
      readOnlyUnits: [UNITS.readonly],
      ...over,
    },
    {},
  );
}

function makeGateway(modbus: ModbusConfig, networks: Config['networks'], clock: ManualClock, port?: number) {
  const modbusView = memoryConfigView(modbus);
  const networksView = memoryConfigView(networks);
  const gateway = createGateway(
    {
      log: silentLogger,
      clock,
      events: new TypedEvents<ModbusEvents>(),
      modbus: modbusView,
      networks: networksView,
      identity: IDENTITY,
      devices: devicesView((Object.keys(UNITS) as Array<keyof typeof UNITS>).map(device)),
      createDeviceTarget: (cfg) => TARGETS[cfg.name] as TestTarget,
      createSerialLineTarget,
    },
    port === undefined ? {} : { portOverride: port },
  );
  return { gateway, modbusView, networksView };
}

const SERIAL_READ = adu(0x5a5a, 255, '03 0064 0006');
const SERIAL_ANSWER = adu(0x5a5a, 255, `030c${Buffer.from('WG2601A1B2C\0').toString('hex')}`);

describe('Modbus gateway robustness (shared gateway, good client throughout)', () => {
  const clock = new ManualClock();
  const { gateway, modbusView } = makeGateway(
    modbusConfig(),
    { LO: { addresses: ['127.0.0.1'], description: '' } },
    clock,
    0,
  );
  let port = 0;
  let good: Raw;
  const open: Raw[] = [];
  const dial = async (local = '127.0.0.1') => {
    const r = await Raw.open(port, local);
    open.push(r);
    return r;
  };

  before(async () => {
    await gateway.start();
    port = gateway.addresses()[0]?.boundPort ?? 0;
    good = await Raw.open(port, '127.0.0.2');
  });
  after(async () => {
    good.close();
    await gateway.stop();
  });
  afterEach(async () => {
    for (const r of open.splice(0)) r.close();
    assert.equal(good.closed, false, 'the good client is still connected');
    good.send(SERIAL_READ);
    assert.equal(await good.readAdu(), SERIAL_ANSWER);
  });

  for (const length of [0, 1, 255, 0xffff]) {
    test(`MBAP length ${length} closes the connection, nothing sent (SEC-H1)`, async () => {
      const r = await dial();
      r.send(adu(1, 255, '03 0064 0001', 0, length));
      await r.expectClosed(`length ${length}`);
      assert.equal(r.received.length, 0);
    });
  }

  test('length shorter than sent: the short frame is answered, the rest waits and hits the deadline', async () => {
    const r = await dial();
    r.send(adu(7, 255, '03 0064 0001', 0, 3)); // frame = ff 03 00; leftover 00 64 00 01
    assert.equal(await r.readAdu(), adu(7, 255, '83 03'));
    await r.expectNothing();
    clock.advance(500);
    await r.expectClosed('leftover bytes never form a frame');
    assert.equal(r.received.length, 0);
  });

  test('length longer than sent: nothing answered, closed at the frame deadline', async () => {
    const r = await dial();
    r.send(adu(8, 255, '03 0064 0001', 0, 9));
    await r.expectNothing();
    clock.advance(499);
    await r.expectNothing(20);
    assert.equal(r.closed, false);
    clock.advance(1);
    await r.expectClosed('frame deadline');
  });

  test('protocol id ≠ 0: that frame is skipped exactly, the next one answered (SEC-H2)', async () => {
    const r = await dial();
    r.send(
      adu(9, 255, '03 0064 0001', 1) + adu(10, 255, '03 0064 0001', 0xffff) + adu(11, 255, '03 0064 0001'),
    );
    assert.equal(await r.readAdu(), adu(11, 255, '03 02 5747'));
    await r.expectNothing();
  });

  // biome-ignore format: a compact table of well-formed request bodies per known function code
  const BODIES: Record<number, string> = {
    1: '0000 0001', 2: '0000 0001', 3: '0064 0001', 4: '0000 0001', 5: '0000 ff00', 6: '0000 0001',
    8: '0000 1234', 15: '0000 0001 01 01', 16: '0000 0001 02 0001', 17: '', 22: '0000 00ff 0000',
    23: '0000 0001 0000 0001 02 0001', 43: '0e 01 00', 100: '04 04 01 009e',
  };

  const obj = (id: number, s: string) => `${h2(id)}${h2(s.length)}${Buffer.from(s).toString('hex')}`;
  const UNIT255: Record<number, string> = {
    3: '03 02 5747',
    43: `2b0e01820000 03${obj(0, IDENTITY.vendorName)}${obj(1, IDENTITY.productCode)}${obj(2, '000.001.000')}`,
    100: '64 04 04 01 0000',
  };

  test('every function code 0–255 to unit 255: an answer or exception 01, never a crash (SEC-H2)', async () => {
    const r = await dial();
    for (let fc = 0; fc <= 255; fc++) {
      r.send(adu(fc, 255, h2(fc) + (BODIES[fc] ?? '0102')));
      assert.equal(await r.readAdu(), adu(fc, 255, UNIT255[fc] ?? `${h2(fc | 0x80)}01`), `fc ${fc}`);
    }
  });

  test('every function code 0–255 to a downstream unit: forwarded unchanged (1–127) or 01', async () => {
    const r = await dial();
    const before = TARGETS.echo?.count ?? 0;
    for (let fc = 0; fc <= 255; fc++) {
      const pdu = h2(fc) + (BODIES[fc] ?? '0102');
      r.send(adu(fc, UNITS.echo, pdu));
      const expected = fc >= 1 && fc <= 127 ? pdu : `${h2(fc | 0x80)}01`;
      assert.equal(await r.readAdu(), adu(fc, UNITS.echo, expected), `fc ${fc}`);
    }
    assert.equal((TARGETS.echo?.count ?? 0) - before, 127);
  });

  test('quantities over the limits and byte counts that disagree → 03/02, nothing reaches the target', async () => {
    const r = await dial();
    const before = TARGETS.echo?.count ?? 0;
    const cases: Array<[string, string]> = [
      ['01 0000 07d1', '8103'], // 2001 coils
      ['03 0000 007e', '8303'], // 126 registers
      ['04 0000 0000', '8403'], // 0 registers
      [`0f 0000 07b1 f7 ${'00'.repeat(247)}`, '8f03'], // 1969 coils
      [`10 0000 007c f8 ${'00'.repeat(247)}`, '9003'], // 124 registers (truncated to 253 bytes)
      ['17 0000 007e 0000 0001 02 0001', '9703'], // read 126
      [`17 0000 0001 0000 007a f4 ${'00'.repeat(243)}`, '9703'], // write 122 (truncated to 253 bytes)
      ['10 0000 0002 03 000000', '9003'], // byte count 3 for 2 registers
      ['10 0000 0002 04 000000', '9003'], // byte count 4, 3 bytes follow
      ['0f 0000 0010 01 ff', '8f03'], // 16 coils in 1 byte
      ['03 ffff 0002', '8302'], // address overflow
      ['64 05 04 01 0000', 'e403'], // odd 100-4 byte count
    ];
    let tid = 100;
    for (const [pdu, answer] of cases) {
      r.send(adu(++tid, UNITS.echo, pdu));
      assert.equal(await r.readAdu(), adu(tid, UNITS.echo, answer), pdu.slice(0, 20));
    }
    assert.equal((TARGETS.echo?.count ?? 0) - before, 0, 'the counting target saw nothing');
  });

  test('byte-by-byte sender: served within the frame deadline, closed beyond it (SEC-H3)', async () => {
    const fast = await dial();
    for (const b of hexBytes(adu(20, 255, '03 0064 0001'))) {
      fast.socket.write(Uint8Array.of(b));
      await sleep(2);
      clock.advance(30); // 12 bytes × 30 ms < 500 ms
    }
    assert.equal(await fast.readAdu(), adu(20, 255, '03 02 5747'));
    const connected = gateway.stats.connections.current;
    const slow = await dial();
    await until(() => gateway.stats.connections.current === connected + 1, 'slow sender accepted');
    const timers = clock.pendingTimers;
    const bytes = hexBytes(adu(21, 255, '03 0064 0001'));
    slow.socket.write(bytes.subarray(0, 1));
    await until(() => clock.pendingTimers > timers, 'deadline armed');
    for (const b of bytes.subarray(1, 8)) {
      slow.socket.write(Uint8Array.of(b));
      await sleep(2);
      clock.advance(70); // a trickle never extends the deadline: 7 × 70 ≥ 490
    }
    clock.advance(10);
    await slow.expectClosed('slow sender');
    assert.equal(slow.received.length, 0);
  });

  test('connection flood beyond the per-source and total caps (G7, SEC-H3)', async () => {
    await until(() => gateway.stats.connections.current === 1, 'only the good client connected');
    const refused0 = gateway.stats.connections.refused;
    const flood = await Promise.all(Array.from({ length: 10 }, () => dial('127.0.0.3')));
    await until(() => flood.filter((r) => r.closed).length === 6, '6 refused by the per-source cap');
    const others: Raw[] = [];
    for (const [src, n] of [
      ['127.0.0.4', 4],
      ['127.0.0.5', 3],
      ['127.0.0.6', 1],
    ] as const) {
      for (let i = 0; i < n; i++) others.push(await dial(src));
    }
    // 1 good + 4 + 4 + 3 = 12 = maxConnections: the connection from .6 is refused
    await until(() => others.filter((r) => r.closed).length === 1, '1 refused by the total cap (12)');
    assert.equal(others.at(-1)?.closed, true);
    const refused = gateway.stats.connections.refused;
    assert.equal(refused['source-cap'] - refused0['source-cap'], 6);
    assert.equal(refused['total-cap'] - refused0['total-cap'], 1);
    for (const r of [...flood, ...others].filter((x) => x.closed)) assert.equal(r.received.length, 0);
    const admitted = flood.find((r) => !r.closed) as Raw;
    admitted.send(adu(30, 255, '03 0064 0001'));
    assert.equal(await admitted.readAdu(), adu(30, 255, '03 02 5747'));
    for (const r of open.splice(0)) r.close();
    await until(() => gateway.stats.connections.current === 1, 'flood connections released');
  });

  test('10 pipelined requests on one socket, each answered with its own transaction id', async () => {
    const r = await dial();
    let burst = '';
    for (let i = 0; i < 10; i++) burst += adu(0x100 + i, UNITS.pipe, `03 ${h4(i)} 0001`);
    r.send(burst);
    for (let i = 9; i >= 0; i--) {
      assert.equal(await r.readAdu(), adu(0x100 + i, UNITS.pipe, `03 ${h4(i)} 0001`), `answer ${i}`);
    }
  });

  test('pending cap → 0x06 at once, applied live; held requests still answered', async () => {
    await modbusView.set(modbusConfig({ maxPendingPerConnection: 3 }));
    const r = await dial();
    let burst = '';
    for (let i = 0; i < 4; i++) burst += adu(40 + i, UNITS.hold, `03 ${h4(i)} 0001`);
    r.send(burst);
    assert.equal(await r.readAdu(), adu(43, UNITS.hold, '83 06'));
    await until(() => held.length === 3, 'three requests held');
    for (const release of held.splice(0)) release();
    for (let i = 0; i < 3; i++) assert.equal(await r.readAdu(), adu(40 + i, UNITS.hold, `03 ${h4(i)} 0001`));
    assert.equal(gateway.stats.pendingCapRejected, 1);
    await modbusView.set(modbusConfig());
  });

  test('read-only unit → 01 for writes, reads pass (G10)', async () => {
    const r = await dial();
    r.send(adu(50, UNITS.readonly, '06 0000 0001') + adu(51, UNITS.readonly, '03 0000 0001'));
    assert.equal(await r.readAdu(), adu(50, UNITS.readonly, '86 01'));
    assert.equal(await r.readAdu(), adu(51, UNITS.readonly, '03 0000 0001'));
  });

  test('no route → 0x0A; target timeout → 0x0B; busy target → 0x06 (G4)', async () => {
    const r = await dial();
    r.send(adu(60, 77, '03 0000 0001'));
    assert.equal(await r.readAdu(), adu(60, 77, '83 0a'));
    r.send(adu(61, UNITS.timeout, '03 0000 0001'));
    assert.equal(await r.readAdu(), adu(61, UNITS.timeout, '83 0b'));
    r.send(adu(62, UNITS.busy, '10 0000 0001 02 0001'));
    assert.equal(await r.readAdu(), adu(62, UNITS.busy, '90 06'));
  });

  test('a client that goes away: its held request is aborted, nothing is written', async () => {
    const r = await dial();
    r.send(adu(70, UNITS.hold, '03 0000 0001'));
    await until(() => held.length === 1, 'request held');
    const unanswered = gateway.stats.unanswered;
    r.close();
    await until(() => gateway.stats.connections.current === 1, 'connection released');
    held.splice(0)[0]?.();
    await until(() => gateway.stats.unanswered === unanswered + 1, 'answer dropped');
  });
});
