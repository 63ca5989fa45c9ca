/**
 * Import of a custom model (PRODUCT L1): JSON text or a parsed value →
 * schema → import rules → resolveModel. Import rules: `source.kind` is
 * "custom" or "generic" (a register map is never presented as a real
 * product's public map), and the id is not a built-in model's (CONFLICT).
 * Custom models may include the built-in fragments. Every refusal is one
 * WattgateError listing `{ path, message }` details (problems.ts).
 */
import { ErrorCodes } from '../../shared/errors.js';
import type { ResolvedModel } from '../model-schema.js';
import { parseModelDocument } from './parse.js';
import { modelError } from './problems.js';
import { type FragmentSet, resolveModel } from './resolve.js';

export const IMPORTABLE_SOURCES: readonly string[] = ['custom', 'generic'];

export interface CustomImportContext {
  /** Fragments a custom model may include (the built-in ones). */
  readonly fragments: FragmentSet;
  /** True for the id of a built-in model. */
  readonly isBuiltIn: (id: string) => boolean;
  /** Names the document in errors; default "import". */
  readonly where?: string;
}

/** Validates a custom model document; returns it resolved, or throws WG_ERR_INVALID_CONFIG / WG_ERR_CONFLICT. */
export function parseCustomModel(input: unknown, ctx: CustomImportContext): ResolvedModel {
  const where = ctx.where ?? 'import';
  const doc = parseModelDocument(input, where);
  if (!IMPORTABLE_SOURCES.includes(doc.source.kind))
    throw modelError(where, [
      { path: '/source/kind', message: 'must be "custom" or "generic" for an imported model' },
    ]);
  if (ctx.isBuiltIn(doc.id))
    throw modelError(
      where,
      [{ path: '/id', message: `"${doc.id}" is the id of a built-in model: choose another id` }],
      ErrorCodes.CONFLICT,
    );
  return resolveModel(doc, ctx.fragments, where);
}
