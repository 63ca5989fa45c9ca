// The gateway Part: endpoints from configuration (G1, N2, G10), time setting
// through unit 255 with its bus event (G11, SEC-D1 seam), stats (X2).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  devicesFromRoutes,
  devicesView,
  modbusSection,
  TEST_IDENTITY,
} from '../../test/support/modbus-fixtures.js';
import { RawMbapClient } from '../../test/support/modbus-wire.js';
import type { ModbusConfig, NetworksConfig } from '../config/schema.js';
import { ManualClock } from '../shared/clock.js';
import { memoryConfigView } from '../shared/config-view.js';
import { TypedEvents } from '../shared/events.js';
import { silentLogger } from '../shared/logger.js';
import type { ModbusEvents, TimeSetEvent } from './events.js';
import { createGateway, gatewayEndpoints } from './gateway.js';
import { createSerialLineTarget } from './serial-line-target.js';

const modbus = (over: Partial<ModbusConfig['server']> = {}): ModbusConfig =>
  modbusSection({ maxConnections: 8, ...over });

test('endpoints: every address of each enabled network, with its allow list', () => {
  const networks: NetworksConfig = {
    ETH1: { addresses: ['10.0.0.2', 'fd00::2'], description: '' },
    ETH2: { addresses: ['192.168.1.2'], description: '' },
    OT: { addresses: ['172.16.0.1'], description: '' },
  };
  const cfg = modbus({
    port: 1502,
    enabled: { ETH1: true, ETH2: false, GONE: true },
    allowList: { ETH1: [] },
  });
  assert.deepEqual(gatewayEndpoints(cfg, networks), [
    { host: '10.0.0.2', port: 1502, name: 'ETH1', allowList: [] },
    { host: 'fd00::2', port: 1502, name: 'ETH1', allowList: [] },
  ]);
  const both = modbus({ enabled: { ETH1: true, OT: true }, allowList: { OT: ['172.16.0.0/24'] } });
  assert.deepEqual(gatewayEndpoints(both, networks, 0), [
    { host: '10.0.0.2', port: 0, name: 'ETH1' },
    { host: 'fd00::2', port: 0, name: 'ETH1' },
    { host: '172.16.0.1', port: 0, name: 'OT', allowList: ['172.16.0.0/24'] },
  ]);
});

async function rawAsk(port: number, hex: string): Promise<string> {
  const client = await RawMbapClient.open(port);
  try {
    return await client.ask(hex);
  } finally {
    client.close();
  }
}

test('FC 16 on 116–119: refused until allowed live, then setTime and a modbus.time-set event', async () => {
  const view = memoryConfigView(modbus({ enabled: { LO: true } }));
  const events = new TypedEvents<ModbusEvents>();
  const seen: TimeSetEvent[] = [];
  events.on('modbus.time-set', (e) => seen.push(e as TimeSetEvent));
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const gateway = createGateway(
    {
      log: silentLogger,
      clock,
      events,
      modbus: view,
      networks: memoryConfigView({ LO: { addresses: ['127.0.0.1'], description: '' } }),
      identity: { ...TEST_IDENTITY, productName: 'Wattgate', productCode: 'WG', capabilities: '' },
      devices: devicesView(),
      createSerialLineTarget,
      createDeviceTarget: () => {
        throw new Error('unused');
      },
      setTime: (ms) => clock.setWall(ms),
    },
    { portOverride: 0 },
  );
  await gateway.start();
  try {
    const port = gateway.addresses()[0]?.boundPort ?? 0;
    // 2027-02-03 04:05:06.007 → 001b 0203 0405 1777
    const write = '0001 0000 000f ff 10 0073 0004 08 001b 0203 0405 1777';
    assert.equal(await rawAsk(port, write), '000100000003ff9001');
    await view.set(modbus({ enabled: { LO: true }, allowTimeSetting: true }));
    assert.equal(await rawAsk(port, write), '000100000006ff1000730004');
    assert.equal(clock.now(), Date.UTC(2027, 1, 3, 4, 5, 6, 7));
    assert.equal(seen.length, 1);
    assert.equal(seen[0]?.previousEpochMs, Date.UTC(2026, 0, 1));
    assert.match(seen[0]?.source ?? '', /^127\.0\.0\.1:\d+$/);
    const readBack = await rawAsk(port, '0002 0000 0006 ff 03 0073 0004');
    assert.equal(readBack, '00020000000bff0308001b020304051777');
    const stats = gateway.stats;
    assert.equal(stats.requests, 3);
    assert.equal(stats.exceptions[1], 1);
    assert.deepEqual(stats.units[255], { requests: 3, exceptions: 1 });
  } finally {
    await gateway.stop();
  }
});

test('a configuration changed between construction and start is the one served (regression: demo)', async () => {
  const view = memoryConfigView(modbus({ enabled: { LO: true } }));
  const devices = devicesView();
  const started: string[] = [];
  const gateway = createGateway(
    {
      log: silentLogger,
      clock: new ManualClock(),
      events: new TypedEvents<ModbusEvents>(),
      modbus: view,
      networks: memoryConfigView({ LO: { addresses: ['127.0.0.1'], description: '' } }),
      identity: {
        ...TEST_IDENTITY,
        vendorUrl: '',
        productName: 'Wattgate',
        productCode: 'WG',
        capabilities: '',
      },
      devices,
      createSerialLineTarget,
      createDeviceTarget: (cfg) => ({
        kind: 'tcp-device' as const,
        name: cfg.name,
        start: () => void started.push(cfg.name),
        stop: () => {},
        // Answers every read with one register holding the virtual id.
        handle: () => Promise.resolve(Uint8Array.of(0x03, 0x02, 0x00, cfg.virtualId)),
      }),
    },
    { portOverride: 0 },
  );
  const device = {
    name: 'late',
    host: '127.0.0.1',
    port: 1,
    unitId: 1,
    virtualId: 7,
    timeoutMs: 500,
    oneInFlight: false,
  };
  await devices.set(devicesFromRoutes([device]));
  await gateway.start();
  try {
    const port = gateway.addresses()[0]?.boundPort ?? 0;
    assert.deepEqual(started, ['late']);
    assert.equal(
      await rawAsk(port, '0009 0000 0006 07 03 0000 0001'),
      '000900000005070302 0007'.replace(' ', ''),
    );
  } finally {
    await gateway.stop();
  }
});
