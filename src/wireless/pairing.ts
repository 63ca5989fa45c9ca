/**
 * The paired wireless devices ARE the entries of `devices.list` with a
 * wireless location (one device, one place: config/schema-devices.ts).
 * Pairing appends one (next device id, model, a default name, the virtual
 * id it got, the default sampling), unpairing removes it; both are
 * configuration changes that the Part saves through the configuration store,
 * validated and audited like any other. Pure functions.
 */
import type { DeviceConfig, DevicesConfig, WirelessLocation } from '../config/schema-devices.js';

export type WirelessEntry = DeviceConfig & { readonly location: WirelessLocation };

const isWireless = (d: DeviceConfig): d is WirelessEntry => d.location.kind === 'wireless';

/** The wireless devices of the list, in list order. */
export function wirelessEntries(devices: DevicesConfig): WirelessEntry[] {
  return devices.list.filter(isWireless);
}

export function findWireless(devices: DevicesConfig, rfIdHex: string): WirelessEntry | undefined {
  const hex = rfIdHex.toUpperCase();
  return wirelessEntries(devices).find((d) => d.location.rfId.toUpperCase() === hex);
}

/** "pte63-powertag-a9" + "00124B0000A1B2C3" → "pte63-powertag-A1B2C3" (≤ 20 characters). */
export function defaultDeviceName(modelId: string, rfIdHex: string): string {
  return `${modelId.slice(0, 13)}-${rfIdHex.slice(-6)}`;
}

export interface NewPairing {
  readonly rfIdHex: string;
  readonly model: string;
  readonly virtualId: number | undefined;
}

/** The list with a newly paired device appended (sampled at the schema's default period). */
export function withPaired(
  devices: DevicesConfig,
  p: NewPairing,
): { next: DevicesConfig; device: DeviceConfig } {
  const taken = new Set(devices.list.map((d) => d.name));
  let name = defaultDeviceName(p.model, p.rfIdHex);
  for (let n = 2; taken.has(name); n++) name = `${defaultDeviceName(p.model, p.rfIdHex).slice(0, 17)}-${n}`;
  const device = {
    id: devices.nextId,
    name,
    model: p.model,
    enabled: true,
    location: { kind: 'wireless', rfId: p.rfIdHex, label: '' },
    ...(p.virtualId === undefined ? {} : { virtualId: p.virtualId }),
    usage: 'none',
    zone: '',
    commodity: 'electricity',
    periodMinutes: 15,
  } satisfies DeviceConfig;
  return { next: { nextId: devices.nextId + 1, list: [...devices.list, device] }, device };
}

/** The list without the given wireless devices (the ids stay spent). */
export function withoutWireless(devices: DevicesConfig, rfIds: ReadonlySet<string>): DevicesConfig {
  return {
    ...devices,
    list: devices.list.filter((d) => !isWireless(d) || !rfIds.has(d.location.rfId.toUpperCase())),
  };
}
