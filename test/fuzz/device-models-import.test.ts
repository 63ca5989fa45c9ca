/**
 * Property-based tests of the custom-model import parser (SEC-H7 spirit:
 * every parser of untrusted input is fuzzed): arbitrary text and values,
 * and valid models mutated at random, must either resolve to a model that
 * keeps every loader guarantee or be refused with a WattgateError (invalid
 * input or conflict) listing at least one `{ path, message }` — never any
 * other exception. Generated generic meters always import, and a resolved
 * model re-imports (flattened) to itself.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import fc from 'fast-check';
import type { ResolvedModel } from '../../src/devices/model-schema.js';
import {
  builtInTemplates,
  flatten,
  genericMeterModel,
  measurementRegisters,
  parseCustomModel,
} from '../../src/devices/models/index.js';
import { ErrorCodes, hasCode } from '../../src/shared/errors.js';
import { CaseCounter, fuzzRuns } from '../fixtures/modbus/arbitraries.js';

const RUNS = fuzzRuns(400);
const counter = new CaseCounter('device-models-import');
const started = performance.now();
after(() => counter.report(started, performance.now()));

const templates = builtInTemplates();
const ctx = { fragments: templates.fragments, isBuiltIn: (id: string) => templates.files.has(id) };

/** Seeds: small custom models built from real ones (a few measurements, fragments included). */
function seed(model: ResolvedModel, take: number): Record<string, unknown> {
  const { identification: _dropped, ...rest } = flatten(model);
  return {
    ...rest,
    id: `c-${model.id}`.slice(0, 64),
    source: { kind: 'custom' },
    measurements: model.measurements.slice(0, take).map((m) => structuredClone(m)),
  };
}
const SEEDS = templates.models.map((m, i) => seed(m, 3 + (i % 5)));

function invariants(m: ResolvedModel): void {
  const keys = m.measurements.flatMap((x) => [x.key, ...(x.bits ?? []).map((b) => b.key)]);
  assert.equal(new Set(keys).size, keys.length, 'unique keys');
  for (const x of m.measurements) {
    assert.ok(x.table && x.byteOrder && x.wordOrder, 'filled in');
    assert.ok(x.address + measurementRegisters(x) <= 0x10000, 'inside the address space');
  }
  assert.ok(Object.isFrozen(m));
}

function importOrRefuse(input: unknown): ResolvedModel | undefined {
  try {
    const m = parseCustomModel(input, ctx);
    invariants(m);
    return m;
  } catch (e) {
    assert.ok(hasCode(e, ErrorCodes.INVALID_CONFIG) || hasCode(e, ErrorCodes.CONFLICT), String(e));
    assert.ok(e.details.length > 0 && e.details.every((d) => d.path.length > 0 && d.message.length > 0));
    return undefined;
  }
}

function check<T>(arb: fc.Arbitrary<T>, predicate: (v: T) => void, runs = RUNS): void {
  fc.assert(fc.property(arb, predicate), { numRuns: runs });
  counter.add(runs);
}

/** A random edit at a random place: replace a value, delete a property, or duplicate an array item. */
const mutation = fc.record({
  seed: fc.nat(SEEDS.length - 1),
  path: fc.array(fc.nat(40), { minLength: 1, maxLength: 5 }),
  op: fc.constantFrom('set', 'delete', 'duplicate'),
  value: fc.oneof(
    fc.jsonValue({ maxDepth: 2 }),
    fc.constantFrom('string', 'bitmap32', 'input', 'rw', 'text', -1, 0, 65535, 65536, 1e308, '(', 'th110'),
  ),
});

function mutate(m: { seed: number; path: number[]; op: string; value: unknown }): unknown {
  const doc = structuredClone(SEEDS[m.seed]) as Record<string, unknown>;
  let node: unknown = doc;
  for (const [depth, step] of m.path.entries()) {
    if (typeof node !== 'object' || node === null) break;
    const keys = Object.keys(node);
    if (keys.length === 0) break;
    const key = keys[step % keys.length] as string;
    const last = depth === m.path.length - 1 || typeof (node as Record<string, unknown>)[key] !== 'object';
    if (!last) {
      node = (node as Record<string, unknown>)[key];
      continue;
    }
    const target = node as Record<string, unknown>;
    if (m.op === 'delete') delete target[key];
    else if (m.op === 'duplicate' && Array.isArray(target)) target.push(structuredClone(target[Number(key)]));
    else target[key] = m.value;
    break;
  }
  return doc;
}

describe('custom model import', () => {
  test('arbitrary text and values: a resolved model or a coded refusal, nothing else', () => {
    check(
      fc.oneof(
        fc.string({ maxLength: 200 }),
        fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
      ),
      importOrRefuse,
    );
    check(fc.anything({ maxDepth: 3 }), importOrRefuse);
  });

  test('valid models mutated at random: a resolved model or a coded refusal', () => {
    let accepted = 0;
    check(mutation, (m) => {
      if (importOrRefuse(mutate(m))) accepted++;
    });
    assert.ok(accepted > 0, 'some mutations keep a valid model');
  });

  test('every seed imports, and its flattened form re-imports to itself', () => {
    for (const s of SEEDS) {
      const m = parseCustomModel(s, ctx);
      assert.deepEqual(parseCustomModel(JSON.stringify(flatten(m)), ctx), m);
    }
  });

  test('generated generic meters always import', () => {
    const options = fc.record({
      phases: fc.constantFrom(1 as const, 3 as const),
      base: fc.nat(0x10000 - 52),
      type: fc.constantFrom('float32' as const, 'int32-scaled' as const),
      table: fc.constantFrom('holding' as const, 'input' as const),
      byteOrder: fc.constantFrom('big' as const, 'little' as const),
      wordOrder: fc.constantFrom('big' as const, 'little' as const),
    });
    check(options, (o) => {
      const m = parseCustomModel(genericMeterModel({ id: 'gen', ...o }), ctx);
      invariants(m);
    });
  });
});
