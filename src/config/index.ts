/**
 * Public surface of the configuration module: the schema and its types,
 * validation, the settings store, the import/export document and the
 * bootstrap file. Parts import types from here; only the composition root
 * opens the store.
 */
export {
  type Bootstrap,
  type BootstrapLogLevel,
  BootstrapSchema,
  DEFAULT_BOOTSTRAP_PATH,
  DEFAULT_DATA_DIR,
  LOG_LEVELS,
  loadBootstrap,
  saveBootstrap,
} from './bootstrap.js';
export { CONFIG_DOCUMENT_FORMAT, type ConfigDocument } from './document.js';
export { type JsonDiffEntry, REDACTED } from './object-utils.js';
export { GATEWAY_UNIT_ID } from './rules.js';
export {
  CONFIG_SCHEMA_VERSION,
  CONFIG_SECTIONS,
  type Config,
  ConfigSchema,
  type ConfigSection,
  MAX_SERIAL_LINES,
  MAX_TCP_DEVICES,
  type ModbusConfig,
  type ModbusServerConfig,
  type NetworkConfig,
  type NetworksConfig,
  SERIAL_BAUD_RATES,
  type SerialLineConfig,
  type SystemConfig,
} from './schema.js';
export {
  type ChangeMeta,
  type ConfigChange,
  ConfigStore,
  type ConfigStoreLogger,
  type ConfigStoreOptions,
  SETTINGS_STORE,
} from './store.js';
export { defaultConfig, type ValidateOptions, validateConfig } from './validate.js';
export { configView } from './view.js';
