/**
 * Identifier patterns that the configuration and the device models share:
 * a model id is also a file name (custom models, templates/), a measurement
 * key is part of a series id (`modbus:<device>_mb_<key>`, FORMATS.md). They
 * live here, the lower layer, so the configuration schema does not import
 * the devices part (docs/architecture.md, the import rule).
 */
export const MODEL_ID_PATTERN = '^[a-z0-9][a-z0-9._-]{0,63}$';
export const MEASUREMENT_KEY_PATTERN = '^[A-Za-z][A-Za-z0-9_]{0,31}$';
