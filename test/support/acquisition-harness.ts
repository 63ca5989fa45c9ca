/**
 * Test and benchmark support for acquisition (not used by the product): an
 * AcquisitionPart on in-memory configuration views, its events collected, and
 * a bounded wait for the next batch that matches.
 */

import type { AcquisitionEvents, ReadingBatch } from '../../src/acquisition/events.js';
import { type AcquisitionContext, AcquisitionPart } from '../../src/acquisition/part.js';
import type { ChangeMeta } from '../../src/config/store.js';
import { validateConfig } from '../../src/config/validate.js';
import type { ModelMatcher } from '../../src/devices/model-source.js';
import type { SerialLineTarget } from '../../src/modbus/serial-line-target.js';
import type { Clock } from '../../src/shared/clock.js';
import { type MemoryConfigView, memoryConfigView } from '../../src/shared/config-view.js';
import { TypedEvents } from '../../src/shared/events.js';
import { silentLogger } from '../../src/shared/logger.js';

type Sections = ReturnType<typeof validateConfig>;

/** Like AppEvents (core/context.ts), which is to extend AcquisitionEvents. */
export interface HarnessEvents extends Record<string, unknown>, AcquisitionEvents {}

export interface AcquisitionHarness {
  readonly part: AcquisitionPart;
  readonly events: TypedEvents<HarnessEvents>;
  readonly devices: MemoryConfigView<Sections['devices']>;
  readonly acquisition: MemoryConfigView<Sections['acquisition']>;
  readonly samples: ReadingBatch[];
  readonly live: ReadingBatch[];
  /** Who made each stored change of `devices` (what the configuration store would audit). */
  readonly saves: ChangeMeta[];
  /** Resolves the first batch of `kind` matching `pred` not returned before (received or to come), within `ms` of real time. */
  next(kind: 'samples' | 'live', pred?: (b: ReadingBatch) => boolean, ms?: number): Promise<ReadingBatch>;
}

export interface HarnessOptions {
  readonly clock: Clock;
  readonly models: ModelMatcher;
  /** `devices` and `acquisition` sections (and `modbus.serialLines` they refer to), validated with defaults. */
  readonly config?: unknown;
  readonly serialLines?: () => readonly SerialLineTarget[];
  readonly extra?: Partial<AcquisitionContext>;
}

/** The first batch in `list` matching `pred`, now or when it comes, within `ms` of real time. */
function waitBatch(
  events: TypedEvents<HarnessEvents>,
  list: readonly ReadingBatch[],
  kind: 'samples' | 'live',
  pred: (b: ReadingBatch) => boolean,
  ms: number,
): Promise<ReadingBatch> {
  return new Promise((resolve, reject) => {
    const now = list.find(pred);
    if (now) return resolve(now);
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no ${kind} batch within ${ms} ms`));
    }, ms);
    const off = events.on(`acquisition.${kind}`, (b) => {
      if (!pred(b)) return;
      clearTimeout(timer);
      off();
      resolve(b);
    });
  });
}

export function acquisitionHarness(opts: HarnessOptions): AcquisitionHarness {
  const cfg = validateConfig(opts.config ?? {});
  const events = new TypedEvents<HarnessEvents>((_e, err) => {
    throw err;
  });
  const devices = memoryConfigView(cfg.devices);
  const acquisition = memoryConfigView(cfg.acquisition);
  const samples: ReadingBatch[] = [];
  const live: ReadingBatch[] = [];
  const saves: ChangeMeta[] = [];
  events.on('acquisition.samples', (b) => samples.push(b));
  events.on('acquisition.live', (b) => live.push(b));
  const part = new AcquisitionPart({
    log: silentLogger,
    clock: opts.clock,
    events,
    devices,
    acquisition,
    saveDevices: (next, by) => {
      const full = validateConfig({ ...cfg, devices: next, acquisition: acquisition.get() });
      saves.push(by);
      void devices.set(full.devices);
    },
    models: opts.models,
    serialLines: opts.serialLines ?? (() => []),
    ...opts.extra,
  });
  const taken = new Set<ReadingBatch>();
  const next = (kind: 'samples' | 'live', pred = (_b: ReadingBatch) => true, ms = 5000) =>
    waitBatch(events, kind === 'samples' ? samples : live, kind, (b) => !taken.has(b) && pred(b), ms).then(
      (b) => {
        taken.add(b);
        return b;
      },
    );
  return { part, events, devices, acquisition, samples, live, saves, next };
}
