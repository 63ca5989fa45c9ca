/**
 * The one configuration schema: defaults, path-precise messages naming the
 * rule, several errors at once, unknown properties rejected, and the
 * cross-field rules (G2 unit-id ownership naming both owners, unique names,
 * network references).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Format } from 'typebox/format';
import { defaultConfig, validateConfig } from '../../src/config/validate.js';
import { ErrorCodes, type ErrorDetail, hasCode } from '../../src/shared/errors.js';

function detailsOf(input: unknown): ErrorDetail[] {
  try {
    validateConfig(input);
  } catch (e) {
    assert.ok(hasCode(e, ErrorCodes.INVALID_CONFIG), `expected INVALID_CONFIG, got ${String(e)}`);
    return [...e.details];
  }
  assert.fail('configuration was accepted');
}

function has(details: ErrorDetail[], path: string, message: RegExp): void {
  assert.ok(
    details.some((d) => d.path === path && message.test(d.message)),
    `no detail ${path}: ${message} in ${JSON.stringify(details, null, 1)}`,
  );
}

const line = (name: string, path: string, unitIds: number[]) => ({ name, path, unitIds });
/** A TCP device routed by the gateway under `virtualId` (id = virtualId + 1000, unit 255). */
const device = (name: string, virtualId: number, unit = 255) => ({
  id: virtualId + 1000,
  name,
  location: { kind: 'tcp', host: '192.168.1.20', unit },
  virtualId,
});
const devices = (...list: unknown[]) => ({ nextId: 5000, list });

describe('config schema', () => {
  test('an empty object gets every default', () => {
    const cfg = defaultConfig();
    assert.deepEqual(cfg.system, { name: 'Wattgate', location: '', timezone: 'UTC' });
    assert.deepEqual(cfg.networks, {
      ETH1: { addresses: ['0.0.0.0'], description: 'Upstream (IT) network' },
    });
    assert.deepEqual(cfg.modbus.server, {
      port: 502,
      enabled: { ETH1: true },
      maxConnections: 32,
      maxConnectionsPerSource: 8,
      idleTimeoutMs: 120_000,
      frameDeadlineMs: 2000,
      maxPendingPerConnection: 16,
      unknownFunctionCodes: 'forward',
      allowList: {},
      readOnlyUnits: [],
      allowTimeSetting: false,
    });
    assert.deepEqual(cfg.devices.list, []);
    assert.deepEqual(cfg.modbus.serialLines, []);
    assert.ok(Object.isFrozen(cfg) && Object.isFrozen(cfg.modbus.server.enabled), 'deep-frozen');
  });

  test('defaults are filled inside array items and partial sections, given values kept', () => {
    const cfg = validateConfig({
      system: { name: 'Board A' },
      networks: { ETH1: { addresses: ['10.0.0.5'] }, ETH2: { addresses: ['192.168.50.1', 'fd00::1'] } },
      modbus: {
        server: {
          port: 1502,
          enabled: { ETH1: true, ETH2: false },
          allowList: { ETH1: ['10.0.0.0/8', '::1'] },
        },
        serialLines: [line('RS485-1', '/dev/ttyS0', [1, 2, 3])],
      },
      devices: devices(device('pm', 10)),
    });
    assert.equal(cfg.system.name, 'Board A');
    assert.equal(cfg.system.timezone, 'UTC');
    assert.equal(cfg.networks.ETH2?.description, '');
    assert.equal(cfg.modbus.server.port, 1502);
    assert.equal(cfg.modbus.server.maxConnections, 32);
    assert.deepEqual(cfg.devices.list[0], {
      id: 1010,
      name: 'pm',
      location: {
        kind: 'tcp',
        host: '192.168.1.20',
        unit: 255,
        port: 502,
        timeoutMs: 1000,
        oneInFlight: false,
      },
      virtualId: 10,
      enabled: true,
      usage: 'none',
      zone: '',
      commodity: 'electricity',
      periodMinutes: 15,
    });
    assert.deepEqual(cfg.modbus.serialLines[0], {
      name: 'RS485-1',
      path: '/dev/ttyS0',
      unitIds: [1, 2, 3],
      baud: 19200,
      parity: 'even',
      stopBits: 1,
      timeoutMs: 1000,
      retries: 1,
      pauseMs: 0,
      enabled: true,
      transport: 'serial',
      port: 502,
      retryWrites: false,
      maxQueue: 64,
      queueTimeoutMs: 5000,
      broadcast: false,
      broadcastDelayMs: 100,
    });
  });

  test('several errors at once, each naming the path and the rule', () => {
    const d = detailsOf({
      system: { timezone: 'Mars/Olympus_Mons', name: '' },
      modbus: {
        server: {
          port: 70000,
          unknownFunctionCodes: 'drop',
          maxConnections: 0,
          allowList: { ETH1: ['10.0.0.0/33'] },
        },
        serialLines: [
          { name: 'L1', path: '/dev/ttyS0', baud: 12345, parity: 'mark', stopBits: 3, unitIds: [0, 248] },
        ],
      },
      devices: devices({ id: 1, name: 'x', location: { kind: 'tcp', host: 'bad host!' }, virtualId: 300 }),
    });
    has(d, '/modbus/server/port', /^must be <= 65535$/);
    has(d, '/modbus/server/unknownFunctionCodes', /must be one of "forward", "reject"/);
    has(d, '/modbus/server/maxConnections', /must be >= 1/);
    has(d, '/modbus/server/allowList/ETH1/0', /CIDR/);
    has(d, '/system/timezone', /IANA time zone/);
    has(d, '/system/name', /must not have fewer than 1 characters|characters/);
    has(d, '/modbus/serialLines/0/baud', /must be one of 1200, 2400, .*115200/);
    has(d, '/modbus/serialLines/0/parity', /"none", "even", "odd"/);
    has(d, '/modbus/serialLines/0/stopBits', /must be one of 1, 2/);
    has(d, '/modbus/serialLines/0/unitIds/0', /must be >= 1/);
    has(d, '/modbus/serialLines/0/unitIds/1', /must be <= 247/);
    has(d, '/devices/list/0/location/host', /IP address or DNS host name/);
    has(d, '/devices/list/0/virtualId', /must be <= 247/);
    assert.ok(d.length >= 13);
  });

  test('the error message itself lists path: rule', () => {
    assert.throws(
      () => validateConfig({ modbus: { server: { port: 65536 } } }),
      (e) =>
        hasCode(e, ErrorCodes.INVALID_CONFIG) && e.message.includes('/modbus/server/port: must be <= 65535'),
    );
  });

  test('unknown properties are rejected at every level, not stripped', () => {
    const d = detailsOf({
      colour: 'red',
      system: { nmae: 'typo' },
      networks: { ETH1: { addresses: ['0.0.0.0'], vlan: 3 } },
      modbus: { server: { prot: 502 } },
      devices: devices({ ...device('a', 3), extra: true }),
    });
    has(d, '/colour', /unknown property is not allowed/);
    has(d, '/system/nmae', /unknown property/);
    has(d, '/networks/ETH1/vlan', /unknown property/);
    has(d, '/modbus/server/prot', /unknown property/);
    has(d, '/devices/list/0/extra', /unknown property/);
  });

  test('required fields, bad network names and wrong types are reported with their paths', () => {
    const d = detailsOf({
      networks: { 'eth 1': { addresses: [] }, ETH1: { addresses: ['999.1.1.1'] } },
      modbus: { server: { enabled: 'yes' } },
      devices: devices({ name: 'a', location: { kind: 'tcp' } }),
    });
    has(d, '/networks/eth 1', /name must match pattern/);
    has(d, '/networks/eth 1/addresses', /must not have fewer than 1 items|items/);
    has(d, '/networks/ETH1/addresses/0', /IPv4 or IPv6 address/);
    has(d, '/devices/list/0/id', /is required/);
    has(d, '/devices/list/0/location', /host|required|match/);
    has(d, '/modbus/server/enabled', /must be object/);
  });

  test('non-object inputs are refused at the root', () => {
    for (const input of [null, [], 'config', 42, true, undefined]) {
      const d = detailsOf(input);
      has(d, '/', /must be object|plain JSON/);
    }
  });

  test('__proto__ / constructor keys are refused and pollute nothing', () => {
    has(detailsOf(JSON.parse('{"__proto__": {"polluted": 1}}')), '/__proto__', /unknown property/);
    has(
      detailsOf(JSON.parse('{"system": {"__proto__": {"name": 1}}}')),
      '/system/__proto__',
      /unknown property/,
    );
    has(
      detailsOf(JSON.parse('{"networks": {"__proto__": {"addresses": ["1.1.1.1"]}}}')),
      '/networks/__proto__',
      /name/,
    );
    has(detailsOf({ constructor: { prototype: { polluted: 1 } } }), '/constructor', /unknown property/);
    assert.equal(Object.hasOwn(Object.prototype, 'polluted'), false);
  });

  test('a Format.Reset() elsewhere does not weaken the semantic checks', () => {
    Format.Reset(); // TypeBox treats unknown formats as valid
    has(detailsOf({ system: { timezone: 'Not/AZone' } }), '/system/timezone', /IANA/);
  });

  test('limits: at most 128 routed TCP devices (G6), 100 wireless (W1), maxDevices wired', () => {
    const tcp = Array.from({ length: 129 }, (_, i) => ({
      ...device(`d${i}`, (i % 247) + 1, i),
      id: i + 1,
      virtualId: i + 1,
    }));
    const wired = { acquisition: { maxDevices: 200 } };
    has(detailsOf({ ...wired, devices: devices(...tcp) }), '/devices/list', /129 TCP devices .* 128/);
    has(
      detailsOf({ devices: devices(...tcp) }),
      '/devices/list',
      /129 wired devices is more than \/acquisition\/maxDevices \(128\)/,
    );
    assert.doesNotThrow(() => validateConfig({ devices: devices(...tcp.slice(0, 128)) }));
    const radio = Array.from({ length: 101 }, (_, i) => ({
      id: i + 1,
      name: `w${i}`,
      model: 'th110',
      location: {
        kind: 'wireless',
        rfId: (0x00124b0000000000n + BigInt(i)).toString(16).toUpperCase().padStart(16, '0'),
      },
    }));
    has(detailsOf({ devices: devices(...radio) }), '/devices/list', /101 wireless devices is more than 100/);
  });
});

describe('cross-field rules', () => {
  test('G2: a TCP virtual id equal to a serial slave id names both owners', () => {
    const d = detailsOf({
      modbus: { serialLines: [line('RS485-1', '/dev/ttyS0', [4, 5])] },
      devices: devices(device('meter-A', 5)),
    });
    assert.equal(d.length, 1);
    has(
      d,
      '/modbus/serialLines/0/unitIds/1',
      /unit id 5 has two owners: TCP device "meter-A".*serial line "RS485-1"/,
    );
  });

  test('G2: two serial lines serving the same id name both lines', () => {
    const d = detailsOf({
      modbus: { serialLines: [line('L1', '/dev/ttyS0', [7]), line('L2', '/dev/ttyS1', [8, 7])] },
    });
    has(d, '/modbus/serialLines/1/unitIds/1', /unit id 7 has two owners: serial line "L1".*serial line "L2"/);
  });

  test('G2: two TCP devices with the same virtual id are refused', () => {
    const d = detailsOf({ devices: devices(device('a', 9, 1), { ...device('b', 9, 2), id: 2 }) });
    has(d, '/devices/list/1/virtualId', /unit id 9 has two owners: TCP device "a".*TCP device "b"/);
  });

  test('G2: 255 belongs to the gateway (schema limits keep it out of devices and lines)', () => {
    has(detailsOf({ devices: devices(device('a', 255)) }), '/devices/list/0/virtualId', /<= 247/);
    has(
      detailsOf({ modbus: { serialLines: [line('L', '/dev/x', [255])] } }),
      '/modbus/serialLines/0/unitIds/0',
      /<= 247/,
    );
  });

  test('unique names and serial paths', () => {
    const d = detailsOf({
      modbus: {
        serialLines: [line('L', '/dev/ttyS0', [3]), line('L', '/dev/ttyS0', [4])],
      },
      devices: devices(device('m', 1, 1), device('m', 2, 2)),
    });
    has(d, '/devices/list/1/name', /"m" is already used at \/devices\/list\/0\/name/);
    has(d, '/modbus/serialLines/1/name', /"L" is already used/);
    has(d, '/modbus/serialLines/1/path', /"\/dev\/ttyS0" is already used/);
  });

  test('a serial line has what its transport needs: a path, or a host for RTU over TCP', () => {
    const d = detailsOf({
      modbus: {
        serialLines: [
          { name: 'A', unitIds: [1] },
          { name: 'B', transport: 'rtu-over-tcp', unitIds: [2] },
          { name: 'C', transport: 'rtu-over-tcp', host: 'gw-485.local', port: 4001, unitIds: [3] },
          { name: 'D', transport: 'rtu-over-tcp', host: '10.0.0.9', unitIds: [4] },
        ],
      },
    });
    has(d, '/modbus/serialLines/0/path', /needs the path of its serial device/);
    has(d, '/modbus/serialLines/1/host', /needs the host of its serial device server/);
    assert.equal(
      d.filter((x) => /serialLines\/[23]/.test(x.path)).length,
      0,
      'two device servers without a path',
    );
  });

  test('networks referenced by the Modbus server must exist; an address has one network', () => {
    const d = detailsOf({
      networks: { ETH1: { addresses: ['10.0.0.1'] }, ETH2: { addresses: ['10.0.0.1'] } },
      modbus: { server: { enabled: { ETH1: true, ETH3: true }, allowList: { ETH9: ['10.0.0.0/8'] } } },
    });
    has(d, '/modbus/server/enabled/ETH3', /network "ETH3" is not defined/);
    has(d, '/modbus/server/allowList/ETH9', /network "ETH9" is not defined/);
    has(d, '/networks/ETH2/addresses/0', /already belongs to network "ETH1"/);
  });

  test('a network named by web.enabled must exist (a renamed network leaves no silent HTTPS gap)', () => {
    const d = detailsOf({ networks: { OT: { addresses: ['10.0.0.1'] } }, web: { enabled: { ETH1: true } } });
    has(d, '/web/enabled/ETH1', /network "ETH1" is not defined in \/networks \(known: OT\)/);
  });

  test('one device, one place: what a device entry needs of itself', () => {
    const serial = {
      id: 1,
      name: 's',
      model: 'wattgate-demo-meter',
      location: { kind: 'serial', line: 'L', slave: 4 },
      virtualId: 9,
    };
    const d = detailsOf({
      modbus: { serialLines: [line('L', '/dev/ttyS0', [4])] },
      devices: devices(serial, {
        id: 2,
        name: 'n',
        location: { kind: 'tcp', host: 'h' },
        measurements: ['VLNAvg'],
      }),
    });
    has(d, '/devices/list/0/virtualId', /reached at its slave address \(4\) through its line/);
    has(d, '/devices/list/1/measurements', /set the model first/);
    assert.equal(d.length, 2);
    const ok = validateConfig({
      devices: devices({ id: 3, name: 'fwd', location: { kind: 'tcp', host: 'h' }, virtualId: 9 }),
    });
    assert.equal(ok.devices.list[0]?.model, undefined, 'a device without a model is routed, not sampled');
  });

  test('maxConnectionsPerSource may not exceed maxConnections', () => {
    has(
      detailsOf({ modbus: { server: { maxConnections: 4, maxConnectionsPerSource: 8 } } }),
      '/modbus/server/maxConnectionsPerSource',
      /must be <= maxConnections \(4\)/,
    );
  });
});
