// Modbus gateway live reconfiguration over real sockets (PRODUCT G1, G7, G10;
// SECURITY G2, convention 17): switching a network off closes its port and its
// connections at once, a port change moves the listener, allow-list and limit
// changes apply to open connections. Timing runs on a ManualClock.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { describe, test } from 'node:test';
import type { Config, ModbusConfig } from '../../src/config/schema.js';
import type { ModbusEvents } from '../../src/modbus/events.js';
import { createGateway } from '../../src/modbus/gateway.js';
import { createSerialLineTarget } from '../../src/modbus/serial-line-target.js';
import { ManualClock } from '../../src/shared/clock.js';
import { memoryConfigView } from '../../src/shared/config-view.js';
import { TypedEvents } from '../../src/shared/events.js';
import { silentLogger } from '../../src/shared/logger.js';
import { devicesView, modbusSection, TEST_IDENTITY } from '../support/modbus-fixtures.js';
import { adu, RawMbapClient as Raw, until } from '../support/modbus-wire.js';

function modbusConfig(over: Partial<ModbusConfig['server']> = {}): ModbusConfig {
  return modbusSection({
    enabled: { LO: true },
    maxConnections: 12,
    maxConnectionsPerSource: 4,
    frameDeadlineMs: 500,
    ...over,
  });
}

function makeGateway(modbus: ModbusConfig, networks: Config['networks'], clock = new ManualClock()) {
  const modbusView = memoryConfigView(modbus);
  const gateway = createGateway({
    log: silentLogger,
    clock,
    events: new TypedEvents<ModbusEvents>(),
    modbus: modbusView,
    networks: memoryConfigView(networks),
    identity: TEST_IDENTITY,
    devices: devicesView(),
    createSerialLineTarget,
    createDeviceTarget: () => {
      throw new Error('no TCP devices in this test');
    },
  });
  return { gateway, modbusView };
}

const SERIAL_READ = adu(0x5a5a, 255, '03 0064 0006');
const SERIAL_ANSWER = adu(0x5a5a, 255, `030c${Buffer.from('WG2601A1B2C\0').toString('hex')}`);
const LO = { LO: { addresses: ['127.0.0.1'], description: '' } };

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

describe('Modbus gateway live reconfiguration (G1, SEC-G2)', () => {
  test('disabling a network closes its port and connections; the other network stays up', async () => {
    const port = await freePort();
    const networks = {
      LO: { addresses: ['127.0.0.1'], description: '' },
      LO2: { addresses: ['127.0.0.7'], description: '' },
    };
    const cfg = modbusConfig({ port, enabled: { LO: true, LO2: true } });
    const { gateway, modbusView } = makeGateway(cfg, networks);
    await gateway.start();
    try {
      const a = await Raw.open(port, '127.0.0.2', '127.0.0.1');
      const b = await Raw.open(port, '127.0.0.2', '127.0.0.7');
      await modbusView.set(modbusConfig({ port, enabled: { LO: false, LO2: true } }));
      await a.expectClosed('network LO switched off');
      await assert.rejects(Raw.open(port, '127.0.0.2', '127.0.0.1'), { code: 'ECONNREFUSED' });
      b.send(SERIAL_READ);
      assert.equal(await b.readAdu(), SERIAL_ANSWER);
      b.close();
    } finally {
      await gateway.stop();
    }
  });

  test('changing the port moves the listener', async () => {
    const [p1, p2] = [await freePort(), await freePort()];
    const { gateway, modbusView } = makeGateway(modbusConfig({ port: p1 }), LO);
    await gateway.start();
    try {
      const old = await Raw.open(p1);
      await modbusView.set(modbusConfig({ port: p2 }));
      await old.expectClosed('old port closed');
      await assert.rejects(Raw.open(p1), { code: 'ECONNREFUSED' });
      const moved = await Raw.open(p2);
      moved.send(SERIAL_READ);
      assert.equal(await moved.readAdu(), SERIAL_ANSWER);
      moved.close();
      assert.deepEqual(
        gateway.addresses().map((a) => a.boundPort),
        [p2],
      );
    } finally {
      await gateway.stop();
    }
  });
  test('allow list and idle timeout changes apply to open connections at once (G10, G7)', async () => {
    const port = await freePort();
    const clock = new ManualClock();
    const { gateway, modbusView } = makeGateway(modbusConfig({ port }), LO, clock);
    await gateway.start();
    try {
      const a = await Raw.open(port, '127.0.0.2');
      const b = await Raw.open(port, '127.0.0.9');
      assert.equal(await b.ask(SERIAL_READ), SERIAL_ANSWER);
      await modbusView.set(modbusConfig({ port, allowList: { LO: ['127.0.0.9/32'] } }));
      await a.expectClosed('source no longer on the allow list');
      const refused = await Raw.open(port, '127.0.0.2');
      await refused.expectClosed('refused by the allow list');
      assert.equal(refused.received.length, 0);
      assert.equal(await b.ask(SERIAL_READ), SERIAL_ANSWER);
      await modbusView.set(modbusConfig({ port, allowList: { LO: ['127.0.0.9/32'] }, idleTimeoutMs: 1000 }));
      clock.advance(999);
      await b.expectNothing(20);
      assert.equal(b.closed, false);
      clock.advance(1);
      await b.expectClosed('idle timeout lowered live');
      await until(() => gateway.stats.connections.current === 0, 'connections released');
    } finally {
      await gateway.stop();
    }
  });
});
