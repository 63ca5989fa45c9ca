/**
 * Device models as data (PRODUCT L1; ARCHITECTURE 6): the built-in templates,
 * custom imports, the catalog and discovery matching. See docs/device-models.md.
 */
export {
  ModelCatalog,
  type ModelCatalogOptions,
  type ModelChange,
  type ModelSummary,
  summarize,
} from './catalog.js';
export { type CustomImportContext, IMPORTABLE_SOURCES, parseCustomModel } from './custom-import.js';
export {
  type CustomModelStore,
  customModelsDir,
  JsonDirModelStore,
  MemoryModelStore,
  type StoredModelFile,
} from './custom-store.js';
export {
  GENERIC_METER_TYPES,
  type GenericMeterOptions,
  type GenericMeterType,
  genericMeterModel,
  genericMeterSize,
} from './generic-meter.js';
export { deviceModelJsonSchema, deviceModelJsonSchemaText } from './json-schema.js';
export { type BuiltInTemplates, builtInTemplates, loadTemplates } from './loader.js';
export {
  type IdentificationObjects,
  type ModelMatch,
  matchesIdentificationRegister,
  matchIdentification,
  matchReference,
} from './match.js';
export { BIT_WIDTH, measurementRegisters } from './measurement-rules.js';
export { builtInTemplatesDir } from './paths.js';
export { modelError } from './problems.js';
export { type FragmentSet, flatten, type LoadedFragment, resolveModel } from './resolve.js';
