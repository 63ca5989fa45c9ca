/**
 * Resolution of a device model: merge the included fragments, fill in each
 * measurement's table / byte order / word order (model `defaults`, then
 * holding / big / big), check every rule (measurement-rules.ts, then the
 * model-wide ones below), sort by table and address, deep-freeze. All
 * problems are collected and thrown at once as one modelError(where, …).
 *
 * Model-wide rules: at least one measurement; measurement and bit keys unique
 * in one namespace; no two measurements share a register of the same table
 * unless one of them says `overlap: true`; includes name existing fragments,
 * once each; identification regular expressions compile and a register
 * identification names an existing measurement.
 */
import type { ErrorDetail } from '../../shared/errors.js';
import type { DeviceModel, Measurement, ModelFragment, ResolvedModel } from '../model-schema.js';
import { measurementProblems, measurementRegisters } from './measurement-rules.js';
import { modelError } from './problems.js';

export interface LoadedFragment {
  readonly fragment: ModelFragment;
  /** Where it came from, for error paths: `fragments/<name>.json`. */
  readonly file: string;
}

export type FragmentSet = ReadonlyMap<string, LoadedFragment>;

interface Located {
  readonly m: Measurement;
  /** JSON pointer of the measurement in its document (fragment file prefixed). */
  readonly path: string;
}

const TABLE_ORDER = { holding: 0, input: 1 } as const;

function collect(model: DeviceModel, fragments: FragmentSet, problems: ErrorDetail[]): Located[] {
  const out: Located[] = [];
  const included = new Map<string, number>();
  for (const [i, name] of (model.include ?? []).entries()) {
    const first = included.get(name);
    const f = fragments.get(name);
    if (first !== undefined) {
      problems.push({
        path: `/include/${i}`,
        message: `fragment "${name}" is already included at /include/${first}`,
      });
      continue;
    }
    included.set(name, i);
    if (f === undefined) problems.push({ path: `/include/${i}`, message: `no fragment named "${name}"` });
    else
      for (const [j, m] of f.fragment.measurements.entries())
        out.push({ m, path: `${f.file}#/measurements/${j}` });
  }
  for (const [i, m] of model.measurements.entries()) out.push({ m, path: `/measurements/${i}` });
  return out;
}

function fill(model: DeviceModel, l: Located): Located {
  const d = model.defaults ?? {};
  const m: Measurement = {
    ...l.m,
    table: l.m.table ?? d.table ?? 'holding',
    byteOrder: l.m.byteOrder ?? d.byteOrder ?? 'big',
    wordOrder: l.m.wordOrder ?? d.wordOrder ?? 'big',
  };
  return { m, path: l.path };
}

function keyProblems(list: readonly Located[]): ErrorDetail[] {
  const out: ErrorDetail[] = [];
  const seen = new Map<string, string>();
  const claim = (key: string, at: string) => {
    const first = seen.get(key);
    if (first === undefined) seen.set(key, at);
    else out.push({ path: at, message: `duplicate key "${key}" (already used at ${first})` });
  };
  for (const { m, path } of list) {
    claim(m.key, `${path}/key`);
    for (const [i, b] of (m.bits ?? []).entries()) claim(b.key, `${path}/bits/${i}/key`);
  }
  return out;
}

const span = (m: Measurement) => `${m.address}–${m.address + measurementRegisters(m) - 1}`;

function overlapProblems(sorted: readonly Located[]): ErrorDetail[] {
  const out: ErrorDetail[] = [];
  let last: Located | undefined;
  let lastEnd = -1;
  for (const l of sorted) {
    const end = l.m.address + measurementRegisters(l.m) - 1;
    if (last !== undefined && last.m.table === l.m.table && l.m.address <= lastEnd) {
      if (!l.m.overlap && !last.m.overlap)
        out.push({
          path: `${l.path}/address`,
          message:
            `registers ${span(l.m)} (${l.m.table}) overlap "${last.m.key}" (registers ${span(last.m)} at ${last.path}); ` +
            'set "overlap": true on one of them if this is deliberate',
        });
    }
    if (last === undefined || last.m.table !== l.m.table || end > lastEnd) {
      last = l;
      lastEnd = end;
    }
  }
  return out;
}

function regexProblem(path: string, source: string | undefined): ErrorDetail[] {
  if (source === undefined) return [];
  try {
    new RegExp(source);
    return [];
  } catch (e) {
    return [{ path, message: `is not a valid regular expression (${(e as Error).message})` }];
  }
}

function identificationProblems(model: DeviceModel, list: readonly Located[]): ErrorDetail[] {
  const id = model.identification;
  if (id === undefined) return [];
  const out = [
    ...regexProblem('/identification/vendorName', id.vendorName),
    ...regexProblem('/identification/productCode', id.productCode),
    ...regexProblem('/identification/modelName', id.modelName),
  ];
  if (id.register !== undefined) {
    const key = id.register.key;
    if (!list.some((l) => l.m.key === key))
      out.push({ path: '/identification/register/key', message: `no measurement has key "${key}"` });
    const matches = id.register.matches;
    if (typeof matches === 'string') out.push(...regexProblem('/identification/register/matches', matches));
  }
  return out;
}

function byAddress(a: Located, b: Located): number {
  const t = TABLE_ORDER[a.m.table ?? 'holding'] - TABLE_ORDER[b.m.table ?? 'holding'];
  return t !== 0 ? t : a.m.address - b.m.address;
}

export function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}

/** Merges, checks and freezes; throws modelError(where, every problem) when a rule fails. */
export function resolveModel(model: DeviceModel, fragments: FragmentSet, where: string): ResolvedModel {
  const problems: ErrorDetail[] = [];
  const list = collect(model, fragments, problems).map((l) => fill(model, l));
  if (list.length === 0 && problems.length === 0)
    problems.push({ path: '/measurements', message: 'a model needs at least one measurement' });
  for (const l of list) problems.push(...measurementProblems(l.m, l.path, l.m.table ?? 'holding'));
  problems.push(...keyProblems(list));
  const sorted = [...list].sort(byAddress);
  problems.push(...overlapProblems(sorted), ...identificationProblems(model, list));
  if (problems.length > 0) throw modelError(where, problems);
  const { include: _include, measurements: _own, ...rest } = model;
  return deepFreeze({ ...structuredClone(rest), measurements: sorted.map((l) => structuredClone(l.m)) });
}

/** A resolved model as a self-contained document (no includes): what custom models are stored as. */
export function flatten(model: ResolvedModel): DeviceModel {
  return structuredClone({ ...model, measurements: [...model.measurements] }) as DeviceModel;
}
