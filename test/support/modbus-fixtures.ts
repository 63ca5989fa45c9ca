/**
 * Shared fixtures for Modbus tests: a gateway identity and configuration
 * builders that start from the schema's own defaults (so a test states only
 * what it cares about and follows the schema when a default changes).
 */
import type { ModbusConfig } from '../../src/config/schema.js';
import type { DevicesConfig } from '../../src/config/schema-devices.js';
import { defaultConfig } from '../../src/config/validate.js';
import type { Identity } from '../../src/modbus/identity.js';
import type { TcpDeviceConfig } from '../../src/modbus/tcp-device.js';
import { type MemoryConfigView, memoryConfigView } from '../../src/shared/config-view.js';

export const TEST_IDENTITY: Identity = {
  vendorName: 'Wattgate project',
  vendorUrl: 'https://wattgate.example.org',
  productName: 'Wattgate panel server',
  productCode: 'WG-PS',
  modelName: 'Wattgate',
  productRange: 'Wattgate',
  productFamily: 'Panel server',
  hardwareVersion: '0.0.0',
  firmwareVersion: '0.1.0',
  serialNumber: 'WG2601A1B2C',
  capabilities: 'Modbus gateway',
};

/** `modbus.server` with the schema defaults, overridden by `over`. */
export function modbusServer(over: Partial<ModbusConfig['server']> = {}): ModbusConfig['server'] {
  return { ...defaultConfig().modbus.server, ...over };
}

/** The `modbus` section with the schema defaults; `server` fields and other parts overridden. */
export function modbusSection(
  server: Partial<ModbusConfig['server']> = {},
  rest: Partial<Omit<ModbusConfig, 'server'>> = {},
): ModbusConfig {
  return { ...defaultConfig().modbus, ...rest, server: modbusServer(server) };
}

/**
 * The `devices` section for gateway tests written as TCP routes (the v1
 * `modbus.tcpDevices` shape): one device per route, ids from 1, no model
 * (routed, not sampled), the route's virtual id.
 */
export function devicesFromRoutes(routes: readonly TcpDeviceConfig[]): DevicesConfig {
  const list = routes.map((r, i) => ({
    id: i + 1,
    name: r.name,
    enabled: true,
    location: {
      kind: 'tcp' as const,
      host: r.host,
      port: r.port,
      unit: r.unitId,
      timeoutMs: r.timeoutMs,
      oneInFlight: r.oneInFlight,
    },
    virtualId: r.virtualId,
    usage: 'none' as const,
    zone: '',
    commodity: 'electricity' as const,
    periodMinutes: 15 as const,
  }));
  return { nextId: list.length + 1, list };
}

/** A live `devices` view for a gateway under test (no devices unless given). */
export function devicesView(routes: readonly TcpDeviceConfig[] = []): MemoryConfigView<DevicesConfig> {
  return memoryConfigView(devicesFromRoutes(routes));
}
