/**
 * The device registry: each configured device (config/schema-devices.ts)
 * joined with its model (through a ModelSource) into a `DeviceRuntime` — the
 * compiled measurements it logs, its poll plan (poll-plan.ts), its series ids
 * (series-id.ts) and its sampling period — rebuilt when the configuration or
 * the model catalog changes. A device whose model is unknown, or that names
 * measurement keys its model lacks, keeps a `problem` (shown in its status)
 * and polls what it can; a device without a model (routed by the gateway
 * only) has nothing to poll.
 */
import type { DeviceConfig } from '../config/schema-devices.js';
import { type CompiledMeasurement, compileModel } from './decode.js';
import type { ResolvedModel } from './model-schema.js';
import type { ModelSource } from './model-source.js';
import { type PlannedRead, type PlanOptions, planReads } from './poll-plan.js';
import { selectMeasurements } from './selection.js';
import { seriesId } from './series-id.js';

export interface DeviceRuntime {
  readonly id: number;
  readonly config: DeviceConfig;
  readonly model: ResolvedModel | undefined;
  /** Why the device cannot be polled fully (unknown model, unknown keys); undefined when fine. */
  readonly problem: string | undefined;
  /** Logged measurements, compiled, in the model's order. */
  readonly measurements: readonly CompiledMeasurement[];
  /** Reads of the logged measurements. */
  readonly plan: readonly PlannedRead[];
  /** Reads for live viewing: every measurement of the model but settings. */
  readonly livePlan: readonly PlannedRead[];
  /** Series id of each model measurement, by `CompiledMeasurement.index` (built once, not per reading). */
  readonly seriesIds: readonly string[];
  /** Measurement key → its index in the model (shared by the model's devices). */
  readonly keyIndex: ReadonlyMap<string, number>;
  readonly periodMs: number;
}

/**
 * What every device of one model shares (compiled measurements, and the plans
 * per selection and plan options): built once per model object, so a
 * thousand devices of a model do not hold a thousand copies. Plans are
 * immutable (a device's split reads go into its own copy of the plan array).
 */
interface ModelShare {
  readonly compiled: Map<string, CompiledMeasurement>;
  readonly keyIndex: Map<string, number>;
  readonly plans: Map<string, readonly PlannedRead[]>;
}

const shares = new WeakMap<ResolvedModel, ModelShare>();

function shareOf(model: ResolvedModel): ModelShare {
  let share = shares.get(model);
  if (!share) {
    const keyIndex = new Map(model.measurements.map((m, i) => [m.key, i]));
    share = { compiled: compileModel(model), keyIndex, plans: new Map() };
    shares.set(model, share);
  }
  return share;
}

function sharedPlan(share: ModelShare, ms: readonly CompiledMeasurement[], opts: PlanOptions, live: boolean) {
  const key = `${live ? 'live' : ms.map((c) => c.index).join(',')}|${opts.maxGap}|${opts.maxRegisters}`;
  let plan = share.plans.get(key);
  if (!plan) {
    plan = planReads(ms, opts);
    share.plans.set(key, plan);
  }
  return plan;
}

/** The series id of measurement `key` of a device, if its model has it. */
export function seriesOf(d: DeviceRuntime, key: string): string | undefined {
  const i = d.keyIndex.get(key);
  return i === undefined ? undefined : d.seriesIds[i];
}

export function buildRuntime(
  config: DeviceConfig,
  models: ModelSource,
  opts: PlanOptions = {},
): DeviceRuntime {
  const model = config.model === undefined ? undefined : models.get(config.model);
  const base = { id: config.id, config, model, periodMs: config.periodMinutes * 60_000 };
  if (!model) {
    // No model: a device the gateway only routes (not sampled, not a problem); an unknown one: a problem.
    const problem = config.model === undefined ? undefined : `unknown model "${config.model}"`;
    return { ...base, problem, measurements: [], plan: [], livePlan: [], seriesIds: [], keyIndex: new Map() };
  }
  const share = shareOf(model);
  const selection = selectMeasurements(model, config.measurements);
  const measurements = selection.keys.map((k) => share.compiled.get(k) as CompiledMeasurement);
  const live = [...share.compiled.values()].filter((c) => c.measurement.kind !== 'setting');
  const problem =
    selection.unknown.length > 0
      ? `model "${model.id}" has no measurement ${selection.unknown.map((k) => `"${k}"`).join(', ')}`
      : undefined;
  return {
    ...base,
    problem,
    measurements,
    plan: sharedPlan(share, measurements, opts, false),
    livePlan: sharedPlan(share, live, opts, true),
    seriesIds: model.measurements.map((m) => seriesId(config.id, m.key)),
    keyIndex: share.keyIndex,
  };
}

export class DeviceRegistry {
  readonly #models: ModelSource;
  #opts: PlanOptions;
  #byId = new Map<number, DeviceRuntime>();

  constructor(models: ModelSource, opts: PlanOptions = {}) {
    this.#models = models;
    this.#opts = opts;
  }

  /** Replaces the device set; returns the ids whose runtime changed and those removed. */
  apply(
    list: readonly DeviceConfig[],
    opts: PlanOptions = this.#opts,
  ): { changed: number[]; removed: number[] } {
    const optsChanged = opts.maxGap !== this.#opts.maxGap || opts.maxRegisters !== this.#opts.maxRegisters;
    this.#opts = opts;
    const next = new Map<number, DeviceRuntime>();
    const changed: number[] = [];
    for (const config of list) {
      const prev = this.#byId.get(config.id);
      if (prev && !optsChanged && JSON.stringify(prev.config) === JSON.stringify(config)) {
        next.set(config.id, prev);
        continue;
      }
      next.set(config.id, buildRuntime(config, this.#models, opts));
      changed.push(config.id);
    }
    const removed = [...this.#byId.keys()].filter((id) => !next.has(id));
    this.#byId = next;
    return { changed, removed };
  }

  /** Rebuilds every device (the model catalog changed). */
  refresh(): void {
    const list = [...this.#byId.values()].map((d) => d.config);
    this.#byId = new Map();
    this.apply(list);
  }

  get(id: number): DeviceRuntime | undefined {
    return this.#byId.get(id);
  }

  list(): DeviceRuntime[] {
    return [...this.#byId.values()];
  }

  get size(): number {
    return this.#byId.size;
  }
}
