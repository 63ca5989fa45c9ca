/**
 * Shared fixtures for Modbus tests: a gateway identity and configuration
 * builders that start from the schema's own defaults (so a test states only
 * what it cares about and follows the schema when a default changes).
 */
import type { ModbusConfig } from '../../src/config/schema.js';
import { defaultConfig } from '../../src/config/validate.js';
import type { Identity } from '../../src/modbus/identity.js';

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
