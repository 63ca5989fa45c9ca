/**
 * Discovery matching (PRODUCT L2): which models fit what a device says about
 * itself. Two sources:
 * - FC 43/14 basic objects (`vendorName`, `productCode`, `modelName` …): a
 *   model whose `identification` gives regular expressions for some of them
 *   is a candidate when every one it gives matches (an absent object does not
 *   match); its score is the number of objects matched, times two. A model is
 *   also a candidate (score +1) when the product code is one of its commercial
 *   `references` (trimmed, case-insensitive).
 * - A commercial reference read from the device (wireless families: the
 *   `CommRef` register): models whose `references` hold it, or whose
 *   register identification on a text measurement matches it.
 * Candidates come best first, then by id.
 */
import type { ResolvedModel } from '../model-schema.js';

/** The FC 43/14 objects as discovery read them (any may be missing); the shape of DeviceIdentity (model-source.ts). */
export interface IdentificationObjects {
  readonly vendorName?: string;
  readonly productCode?: string;
  readonly revision?: string;
  readonly vendorUrl?: string;
  readonly productName?: string;
  readonly modelName?: string;
  readonly userApplicationName?: string;
}

export interface ModelMatch {
  readonly id: string;
  readonly score: number;
  /** What matched: identification fields and/or `reference`. */
  readonly by: readonly string[];
}

const FIELDS = ['vendorName', 'productCode', 'modelName'] as const;
const norm = (s: string) => s.trim().toUpperCase();

function test(source: string, value: string): boolean {
  try {
    return new RegExp(source).test(value);
  } catch {
    return false;
  }
}

function regexMatch(model: ResolvedModel, objects: IdentificationObjects): string[] | null {
  const id = model.identification;
  if (id === undefined) return null;
  const by: string[] = [];
  for (const field of FIELDS) {
    const source = id[field];
    if (source === undefined) continue;
    const value = objects[field];
    if (value === undefined || !test(source, value.trim())) return null;
    by.push(field);
  }
  return by.length > 0 ? by : null;
}

function hasReference(model: ResolvedModel, ref: string | undefined): boolean {
  if (ref === undefined || ref.trim() === '') return false;
  const want = norm(ref);
  return (model.references ?? []).some((r) => norm(r) === want);
}

function order(a: ModelMatch, b: ModelMatch): number {
  return b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** Candidate models for the FC 43/14 objects of a device, best first. */
export function matchIdentification(
  models: readonly ResolvedModel[],
  objects: IdentificationObjects,
): ModelMatch[] {
  const out: ModelMatch[] = [];
  for (const model of models) {
    const by = regexMatch(model, objects) ?? [];
    const ref = hasReference(model, objects.productCode);
    if (by.length === 0 && !ref) continue;
    out.push({ id: model.id, score: 2 * by.length + (ref ? 1 : 0), by: ref ? [...by, 'reference'] : by });
  }
  return out.sort(order);
}

/** True when `value` (read from the model's identification register) identifies the model. */
export function matchesIdentificationRegister(model: ResolvedModel, value: unknown): boolean {
  const reg = model.identification?.register;
  if (reg === undefined) return false;
  if (typeof reg.matches === 'number') return Number(value) === reg.matches;
  return typeof value === 'string' && test(reg.matches, value.trim());
}

/** Models for a commercial reference read from a device, best first. */
export function matchReference(models: readonly ResolvedModel[], reference: string): ModelMatch[] {
  const out: ModelMatch[] = [];
  for (const model of models) {
    const ref = hasReference(model, reference);
    const reg = matchesIdentificationRegister(model, reference);
    if (!ref && !reg) continue;
    const by = [...(ref ? ['reference'] : []), ...(reg ? ['register'] : [])];
    out.push({ id: model.id, score: by.length, by });
  }
  return out.sort(order);
}
