/**
 * The gateway's routing table from the configuration (PRODUCT G2, G6): the
 * `modbus` section (server rules, serial lines and the unit ids they serve)
 * and the devices of `devices.list` that the gateway proxies — every enabled
 * device with a TCP location and a virtual id. One device is defined once
 * (config/schema-devices.ts); this is where the gateway reads its part of it.
 * Wireless devices' virtual ids are served by their virtual servers
 * (wireless/), handed to the router apart (`setWirelessTargets`). Pure.
 */
import type { ModbusConfig } from '../config/schema.js';
import type { DevicesConfig } from '../config/schema-devices.js';
import type { RouterConfig } from './router.js';
import type { TcpDeviceConfig } from './tcp-device.js';

export function tcpDeviceRoutes(devices: DevicesConfig): TcpDeviceConfig[] {
  const out: TcpDeviceConfig[] = [];
  for (const d of devices.list) {
    const loc = d.location;
    if (!d.enabled || loc.kind !== 'tcp' || d.virtualId === undefined) continue;
    out.push({
      name: d.name,
      host: loc.host,
      port: loc.port,
      unitId: loc.unit,
      virtualId: d.virtualId,
      timeoutMs: loc.timeoutMs,
      oneInFlight: loc.oneInFlight,
    });
  }
  return out;
}

export function gatewayRoutes(modbus: ModbusConfig, devices: DevicesConfig): RouterConfig {
  return { server: modbus.server, serialLines: modbus.serialLines, tcpDevices: tcpDeviceRoutes(devices) };
}
