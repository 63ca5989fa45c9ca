/** A live `ConfigView` (shared/config-view.ts) of one section of the configuration store. */
import type { ConfigView } from '../shared/config-view.js';
import type { Config } from './schema.js';
import type { ConfigStore } from './store.js';

export function configView<K extends keyof Config>(store: ConfigStore, section: K): ConfigView<Config[K]> {
  return {
    get: () => store.section(section),
    subscribe: (fn) => store.subscribe(section, fn),
  };
}
