/**
 * templates/schema.json, generated from the TypeBox schema (model-schema.ts):
 * the device model as JSON Schema 2020-12, with the fragment document under
 * `$defs.fragment`. A test compares the file with this function's output, so
 * it cannot drift; regenerate with
 *   WATTGATE_WRITE_SCHEMA=1 node scripts/run-tests.mjs test/integration/device-models-schema.test.ts
 */
import { DeviceModelSchema, ModelFragmentSchema } from '../model-schema.js';

export function deviceModelJsonSchema(): Record<string, unknown> {
  const plain = (s: unknown) => JSON.parse(JSON.stringify(s)) as Record<string, unknown>;
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'Wattgate device model',
    description:
      'One device model (register map) per file under templates/<family>/; shared measurement blocks ' +
      'under templates/fragments/ follow $defs.fragment. Generated from src/devices/model-schema.ts.',
    ...plain(DeviceModelSchema),
    $defs: { fragment: plain(ModelFragmentSchema) },
  };
}

/** The file's exact text (2-space JSON and a final newline). */
export const deviceModelJsonSchemaText = (): string =>
  `${JSON.stringify(deviceModelJsonSchema(), null, 2)}\n`;
