/**
 * The history Part: opens the store on `history.db` (its own file, profile
 * `history`), applies live changes of the `history` section, and records the
 * periodic samples of every source (`record`, recorder.ts) with the series
 * metadata it builds itself (series-meta.ts). The composition root wires each
 * source's `…samples` channel to `record`. Started before the sources and
 * stopped after them, so the last samples are flushed. The store's alarms are
 * logged by the store itself and re-published as `history.alarm` for the
 * alarm engine and the pages.
 */
import type { DevicesConfig } from '../config/schema-devices.js';
import type { HistoryConfig } from '../config/schema-history.js';
import type { InputsConfig } from '../config/schema-inputs.js';
import type { ModelSource } from '../devices/model-source.js';
import type { ReadingBatch } from '../devices/reading.js';
import type { Clock } from '../shared/clock.js';
import type { ConfigView } from '../shared/config-view.js';
import type { EventSink } from '../shared/events.js';
import type { Part } from '../shared/lifecycle.js';
import type { Logger } from '../shared/logger.js';
import { historyRecorder } from './recorder.js';
import { seriesMetaLookup } from './series-meta.js';
import { HistoryStore } from './store.js';
import type { HistoryAlarm } from './types.js';

export interface HistoryEvents {
  'history.alarm': HistoryAlarm;
}

export interface HistoryPartContext {
  readonly log: Logger;
  readonly clock: Clock;
  readonly events: EventSink<HistoryEvents>;
  readonly config: ConfigView<HistoryConfig>;
  /** Devices and inputs: the names, units and groups of their series. */
  readonly devices: ConfigView<DevicesConfig>;
  readonly inputs?: ConfigView<InputsConfig>;
  readonly models: ModelSource;
  readonly modelsChanged?: (fn: () => void) => () => void;
  readonly path: string;
}

export interface HistoryPart extends Part {
  readonly store: HistoryStore;
  /** Stores a batch of periodic samples; never throws (a failure is logged). */
  record(batch: ReadingBatch): void;
}

export function createHistoryPart(ctx: HistoryPartContext): HistoryPart {
  const log = ctx.log.child({ component: 'history' });
  const store = HistoryStore.open({ path: ctx.path, settings: ctx.config.get(), clock: ctx.clock, log });
  const meta = seriesMetaLookup(ctx);
  const recorder = historyRecorder(store, meta.lookup);
  const offs: Array<() => void> = [];
  return {
    name: 'history',
    store,
    record(batch) {
      try {
        recorder.record(batch);
      } catch (err) {
        log.error({ err, origin: batch.origin }, 'history: samples not recorded');
      }
    },
    start() {
      store.start();
      offs.push(
        ctx.config.subscribe((next) => store.applySettings(next)),
        store.events.on('alarm', (a) => ctx.events.emit('history.alarm', a)),
      );
    },
    stop() {
      for (const off of offs.splice(0)) off();
      meta.stop();
      store.stop();
    },
  };
}
