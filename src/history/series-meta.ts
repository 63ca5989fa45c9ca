/**
 * Series metadata (names, unit, counter or gauge, usage, zone) for the
 * history store, built here from the configuration and the device models:
 *
 * - a device's series (`origin.kind === 'device'`): "<device name>
 *   <measurement name>", the measurement's unit and kind (`counter` for a
 *   cumulative register such as an energy counter), the device's usage, zone
 *   and sampling period;
 * - a digital input's series (`'input'`): "<input name> <field>", the input's
 *   unit for the accumulated value and its flow unit for the flow; pulses,
 *   accumulated value, activations and active time are counters.
 *
 * The lookup is called for every stored reading: it answers the same object
 * for a series until its source changes (the `devices` or `inputs` section
 * is replaced, or the model catalog changes — `modelsChanged`), so the
 * recorder writes metadata only when it really changed (a rename).
 */
import type { DevicesConfig } from '../config/schema-devices.js';
import type { InputChannelConfig, InputsConfig } from '../config/schema-inputs.js';
import type { ModelSource } from '../devices/model-source.js';
import type { ReadingOrigin } from '../devices/reading.js';
import type { ConfigView } from '../shared/config-view.js';
import type { SeriesMeta } from './types.js';

export type SeriesMetaLookup = (origin: ReadingOrigin, key: string) => SeriesMeta | undefined;

export interface SeriesMetaContext {
  readonly devices: ConfigView<DevicesConfig>;
  readonly inputs?: ConfigView<InputsConfig>;
  readonly models: ModelSource;
  /** Subscribes to model catalog changes; returns the unsubscribe function. */
  readonly modelsChanged?: (fn: () => void) => () => void;
}

const INPUT_COUNTERS = new Set(['pulses', 'accumulated', 'operations', 'operatingTimeS']);

function deviceMeta(ctx: SeriesMetaContext, deviceId: number, key: string): SeriesMeta | undefined {
  const d = ctx.devices.get().list.find((x) => x.id === deviceId);
  if (!d) return undefined;
  const m =
    d.model === undefined ? undefined : ctx.models.get(d.model)?.measurements.find((x) => x.key === key);
  return {
    name: m ? `${d.name} ${m.name}` : `${d.name} ${key}`,
    device: d.name,
    measurement: key,
    ...(m ? { unit: m.unit, kind: m.kind === 'counter' ? 'counter' : 'gauge' } : {}),
    usage: d.usage,
    zone: d.zone,
    periodMinutes: d.periodMinutes,
  };
}

function inputUnit(cfg: InputChannelConfig, key: string): string | undefined {
  if (key === 'accumulated') return cfg.unit || undefined;
  if (key === 'flow') return cfg.flowUnit || undefined;
  if (key === 'operatingTimeS') return 's';
  return undefined;
}

function inputMeta(ctx: SeriesMetaContext, input: string, key: string): SeriesMeta | undefined {
  const cfg = (ctx.inputs?.get().channels as Record<string, InputChannelConfig | undefined> | undefined)?.[
    input
  ];
  if (!cfg) return undefined;
  const device = cfg.name || input;
  const unit = inputUnit(cfg, key);
  return {
    name: `${device} ${key}`,
    device,
    measurement: key,
    ...(unit === undefined ? {} : { unit }),
    kind: INPUT_COUNTERS.has(key) ? 'counter' : 'gauge',
  };
}

/** The lookup, with its cache; `stop()` drops the model subscription. */
export function seriesMetaLookup(ctx: SeriesMetaContext): { lookup: SeriesMetaLookup; stop(): void } {
  let devices: unknown;
  let inputs: unknown;
  let cache = new Map<string, SeriesMeta | undefined>();
  const off = ctx.modelsChanged?.(() => {
    cache = new Map();
  });
  const lookup: SeriesMetaLookup = (origin, key) => {
    const d = ctx.devices.get().list;
    const i = ctx.inputs?.get();
    if (d !== devices || i !== inputs) {
      devices = d;
      inputs = i;
      cache = new Map();
    }
    const id = `${origin.kind}:${origin.id}:${key}`;
    if (!cache.has(id)) {
      cache.set(
        id,
        origin.kind === 'device' ? deviceMeta(ctx, origin.id, key) : inputMeta(ctx, origin.id, key),
      );
    }
    return cache.get(id);
  };
  return { lookup, stop: () => off?.() };
}
