/**
 * A wireless Part on the simulator radio, wired like the composition root
 * wires it, for tests and benchmarks: in-memory configuration views (a save
 * validates the whole configuration, like the ConfigStore), the built-in
 * model catalog, an injected clock, and every published event recorded.
 *
 *   const h = await startWirelessHarness({ clock, paired, wireless: { simulator: { sensors } } });
 *   clock.advance(10_000); h.radio.sensor('00124B0000000001')?.disconnect();
 */
import type { Config } from '../../src/config/schema.js';
import type { WirelessConfig } from '../../src/config/schema-wireless.js';
import { validateConfig } from '../../src/config/validate.js';
import { ModelCatalog } from '../../src/devices/models/index.js';
import type { Identity } from '../../src/modbus/identity.js';
import type { Clock } from '../../src/shared/clock.js';
import { type MemoryConfigView, memoryConfigView } from '../../src/shared/config-view.js';
import { type Logger, silentLogger } from '../../src/shared/logger.js';
import type { WirelessEvents } from '../../src/wireless/events.js';
import { type PermanentLatch, WirelessPart } from '../../src/wireless/part.js';
import { type PairedSpec, pairedEntries } from './paired.js';
import { SimulatorRadio, type SimulatorRadioOptions } from './radio.js';

export interface HarnessOptions {
  readonly clock: Clock;
  /** Merged over the schema defaults. */
  readonly wireless?: Partial<WirelessConfig>;
  readonly modbus?: Partial<Config['modbus']>;
  /** Devices paired at start (entries of `devices.list`, ids from 1). */
  readonly paired?: readonly PairedSpec[];
  /** Other devices of `devices.list` (e.g. TCP devices whose virtual ids the wireless ones avoid). */
  readonly devices?: readonly unknown[];
  readonly radio?: SimulatorRadioOptions;
  readonly latch?: PermanentLatch;
  /** Unit 255's identity, for the devices' Panel* registers. */
  readonly panel?: Identity;
  readonly log?: Logger;
  /** Do not start the Part (default: started). */
  readonly noStart?: boolean;
}

export type RecordedEvent = {
  [K in keyof WirelessEvents]: { name: K; payload: WirelessEvents[K] };
}[keyof WirelessEvents];

export interface WirelessHarness {
  readonly part: WirelessPart;
  readonly wireless: MemoryConfigView<WirelessConfig>;
  readonly modbus: MemoryConfigView<Config['modbus']>;
  readonly devices: MemoryConfigView<Config['devices']>;
  /** The paired devices as saved (the wireless entries of `devices.list`). */
  paired(): PairedSpec[];
  /** Replaces the paired devices (a device keeps its id when its radio id stays), validated. */
  setPaired(specs: readonly PairedSpec[]): Promise<void>;
  readonly events: RecordedEvent[];
  readonly catalog: ModelCatalog;
  /** The simulator driver (throws when the Part has none). */
  readonly radio: SimulatorRadio;
  /** Events of one name. */
  of<K extends keyof WirelessEvents>(name: K): Array<WirelessEvents[K]>;
}

let catalog: ModelCatalog | undefined;

export async function startWirelessHarness(opts: HarnessOptions): Promise<WirelessHarness> {
  catalog ??= ModelCatalog.open();
  const models = catalog;
  const list = [...pairedEntries(opts.paired ?? []), ...(opts.devices ?? [])];
  const ids = list.map((d) => (d as { id?: number }).id ?? 0);
  const base = validateConfig({
    wireless: opts.wireless ?? {},
    modbus: opts.modbus ?? {},
    devices: { nextId: Math.max(0, ...ids) + 1, list },
  });
  const wireless = memoryConfigView(base.wireless);
  const modbus = memoryConfigView(base.modbus);
  const devices = memoryConfigView(base.devices);
  const events: RecordedEvent[] = [];
  const part = new WirelessPart({
    log: opts.log ?? silentLogger,
    clock: opts.clock,
    events: { emit: (name, payload) => events.push({ name, payload } as RecordedEvent) },
    config: wireless,
    modbus,
    devices,
    models,
    createDriver: (_kind, ctx) => new SimulatorRadio(ctx, opts.radio),
    saveDevices: async (next) => {
      const valid = validateConfig({
        ...base,
        wireless: wireless.get(),
        modbus: modbus.get(),
        devices: next,
      });
      await devices.set(valid.devices);
    },
    ...(opts.latch ? { permanentLatch: opts.latch } : {}),
    ...(opts.panel ? { panel: opts.panel } : {}),
  });
  if (opts.noStart !== true) await part.start();
  return {
    part,
    wireless,
    modbus,
    devices,
    paired: () =>
      devices.get().list.flatMap((d) =>
        d.location.kind === 'wireless'
          ? [
              {
                rfId: d.location.rfId,
                model: d.model ?? '',
                name: d.name,
                label: d.location.label,
                ...(d.virtualId === undefined ? {} : { virtualId: d.virtualId }),
              },
            ]
          : [],
      ),
    async setPaired(specs) {
      const cur = devices.get();
      const idOf = new Map(
        cur.list.flatMap((d) =>
          d.location.kind === 'wireless' ? [[d.location.rfId.toUpperCase(), d.id]] : [],
        ),
      );
      let nextId = cur.nextId;
      const wired = cur.list.filter((d) => d.location.kind !== 'wireless');
      const paired = specs.map((p) => pairedEntries([p], idOf.get(p.rfId.toUpperCase()) ?? nextId++)[0]);
      const valid = validateConfig({ ...base, devices: { nextId, list: [...wired, ...paired] } });
      await devices.set(valid.devices);
    },
    events,
    catalog: models,
    get radio(): SimulatorRadio {
      const d = part.driver;
      if (!(d instanceof SimulatorRadio)) throw new Error('no simulator radio');
      return d;
    },
    of: <K extends keyof WirelessEvents>(name: K) =>
      events.filter((e) => e.name === name).map((e) => e.payload as WirelessEvents[K]),
  };
}
