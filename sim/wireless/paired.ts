/**
 * Paired wireless devices written the short way — radio id, model, name,
 * label, virtual id — as entries of `devices.list` (where a paired device
 * lives: src/config/schema-devices.ts), for the demo, the harness and tests.
 */
import type { DeviceConfig } from '../../src/config/schema-devices.js';

export interface PairedSpec {
  readonly rfId: string;
  readonly model: string;
  readonly name: string;
  readonly label?: string;
  readonly virtualId?: number;
}

export type DeviceDefaults = Partial<Pick<DeviceConfig, 'usage' | 'zone' | 'commodity' | 'periodMinutes'>>;

/** One device entry per spec, ids from `firstId`, with the schema's defaults unless `defaults` says otherwise. */
export function pairedEntries(
  specs: readonly PairedSpec[],
  firstId = 1,
  defaults: DeviceDefaults = {},
): DeviceConfig[] {
  return specs.map((p, i) => ({
    id: firstId + i,
    name: p.name,
    model: p.model,
    enabled: true,
    location: { kind: 'wireless', rfId: p.rfId, label: p.label ?? '' },
    ...(p.virtualId === undefined ? {} : { virtualId: p.virtualId }),
    usage: defaults.usage ?? 'none',
    zone: defaults.zone ?? '',
    commodity: defaults.commodity ?? 'electricity',
    periodMinutes: defaults.periodMinutes ?? 15,
  }));
}
