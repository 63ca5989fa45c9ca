/**
 * The history Part: opens the store on `history.db` (its own file, profile
 * `history`), applies live changes of the `history` section, and records the
 * acquisition's periodic samples (recorder.ts) and the wireless sensors'
 * latest frames at their devices' periods (wireless-sampler.ts). Started before acquisition and
 * stopped after it, so the last samples are flushed. The store's alarms are
 * logged by the store itself and re-published on the bus as `history.alarm`
 * for the alarm engine and the pages.
 */
import type { AcquisitionEvents, ReadingBatch } from '../acquisition/events.js';
import type { DevicesConfig } from '../config/schema-devices.js';
import type { HistoryConfig } from '../config/schema-history.js';
import type { ConfigView } from '../core/context.js';
import type { Clock } from '../shared/clock.js';
import type { TypedEvents } from '../shared/events.js';
import type { Part } from '../shared/lifecycle.js';
import type { Logger } from '../shared/logger.js';
import type { WirelessEvents } from '../wireless/events.js';
import { historyRecorder, type SeriesMetaLookup } from './recorder.js';
import { HistoryStore } from './store.js';
import type { HistoryAlarm } from './types.js';
import { wirelessSampler } from './wireless-sampler.js';

export interface HistoryEvents {
  'history.alarm': HistoryAlarm;
}

type Bus = Pick<
  TypedEvents<Record<string, unknown> & AcquisitionEvents & WirelessEvents & HistoryEvents>,
  'on' | 'emit'
>;

export interface HistoryPartContext {
  log: Logger;
  clock: Clock;
  events: Bus;
  config: ConfigView<HistoryConfig>;
  /** The datalogger's devices: wireless entries are sampled from their sensors' frames. */
  devices?: ConfigView<DevicesConfig>;
  path: string;
  meta: SeriesMetaLookup;
}

export interface HistoryPart extends Part {
  readonly store: HistoryStore;
}

export function createHistoryPart(ctx: HistoryPartContext): HistoryPart {
  const log = ctx.log.child({ component: 'history' });
  const store = HistoryStore.open({ path: ctx.path, settings: ctx.config.get(), clock: ctx.clock, log });
  const recorder = historyRecorder(store, ctx.meta);
  const record = (batch: ReadingBatch) => {
    try {
      recorder.record(batch);
    } catch (err) {
      log.error({ err, deviceId: batch.deviceId }, 'history: samples not recorded');
    }
  };
  const devices = ctx.devices;
  const sampler = devices
    ? wirelessSampler({
        clock: ctx.clock,
        devices: () => devices.get(),
        record: (b) => record(b as ReadingBatch),
      })
    : undefined;
  const offs: Array<() => void> = [];
  return {
    name: 'history',
    store,
    start() {
      store.start();
      offs.push(
        ctx.config.subscribe((next) => store.applySettings(next)),
        store.events.on('alarm', (a) => ctx.events.emit('history.alarm', a)),
        ctx.events.on('acquisition.samples', record),
      );
      if (sampler) {
        offs.push(ctx.events.on('wireless.readings', (ev) => sampler.onReadings(ev)));
        sampler.start();
      }
    },
    stop() {
      sampler?.stop();
      for (const off of offs.splice(0)) off();
      store.stop();
    },
  };
}
