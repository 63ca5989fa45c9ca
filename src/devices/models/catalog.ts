/**
 * The model catalog: the built-in templates plus the custom models of this
 * installation, by id. Built-ins are read-only; custom models are imported
 * (validated, then saved in the store) and deleted here. A custom file that
 * no longer loads (edited by hand, or a built-in with its id appeared in a
 * new release) is skipped and kept in `problems` (and logged), so one bad file
 * never stops the start. Listeners hear every change (`onChange`). The catalog
 * is the ModelMatcher / ModelSource the registry, acquisition and discovery
 * use (src/devices/model-source.ts).
 *
 *   const catalog = ModelCatalog.open({ customDir: customModelsDir(dataDir), log });
 *   catalog.get('th110'); catalog.list(); catalog.match({ productCode: 'EMS59440' }) // ['th110']
 *   catalog.importCustom(jsonText, { replace: false }); catalog.removeCustom('my-meter');
 */
import { ErrorCodes, WattgateError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import type { ResolvedModel } from '../model-schema.js';
import { parseCustomModel } from './custom-import.js';
import { type CustomModelStore, JsonDirModelStore, MemoryModelStore } from './custom-store.js';
import { type BuiltInTemplates, builtInTemplates, loadTemplates } from './loader.js';
import { type IdentificationObjects, type ModelMatch, matchIdentification, matchReference } from './match.js';
import { modelError } from './problems.js';
import { flatten } from './resolve.js';

export interface ModelCatalogOptions {
  /** Built-in templates folder; default the release's (memoized). */
  readonly templatesDir?: string;
  /** Folder of custom models (`customModelsDir(dataDir)`); default: kept in memory only. */
  readonly customDir?: string;
  /** Overrides `customDir` (tests). */
  readonly store?: CustomModelStore;
  readonly log?: Logger;
}

export interface ModelSummary {
  readonly id: string;
  readonly name: string;
  readonly family: string;
  readonly source: ResolvedModel['source']['kind'];
  readonly builtIn: boolean;
  readonly measurements: number;
  readonly references: readonly string[];
  /** Wireless families: the sensor's communication period (s). */
  readonly periodSeconds?: number;
}

export type ModelChange = { readonly type: 'added' | 'replaced' | 'removed'; readonly id: string };

export class ModelCatalog {
  readonly #builtIn: BuiltInTemplates;
  readonly #builtInById: ReadonlyMap<string, ResolvedModel>;
  readonly #custom = new Map<string, ResolvedModel>();
  readonly #store: CustomModelStore;
  readonly #listeners = new Set<(change: ModelChange) => void>();
  readonly #problems: WattgateError[] = [];

  private constructor(builtIn: BuiltInTemplates, store: CustomModelStore, log?: Logger) {
    this.#builtIn = builtIn;
    this.#builtInById = new Map(builtIn.models.map((m) => [m.id, m]));
    this.#store = store;
    for (const file of store.list()) {
      try {
        const model = parseCustomModel(file.text, this.#context(file.name));
        this.#custom.set(model.id, model);
      } catch (e) {
        const err = e instanceof WattgateError ? e : new WattgateError(ErrorCodes.STORAGE, String(e));
        this.#problems.push(err);
        log?.warn({ file: file.name, err: err.toJSON() }, 'custom device model skipped');
      }
    }
  }

  /** Loads the built-in templates and the stored custom models (synchronous, small files). */
  static open(opts: ModelCatalogOptions = {}): ModelCatalog {
    const builtIn = opts.templatesDir === undefined ? builtInTemplates() : loadTemplates(opts.templatesDir);
    const store =
      opts.store ??
      (opts.customDir === undefined ? new MemoryModelStore() : new JsonDirModelStore(opts.customDir));
    return new ModelCatalog(builtIn, store, opts.log);
  }

  #context(where?: string) {
    const ids = this.#builtIn.files;
    return {
      fragments: this.#builtIn.fragments,
      isBuiltIn: (id: string) => ids.has(id),
      ...(where ? { where } : {}),
    };
  }

  /** Custom model files that failed to load at open. */
  get problems(): readonly WattgateError[] {
    return this.#problems;
  }

  get(id: string): ResolvedModel | undefined {
    return this.#builtInById.get(id) ?? this.#custom.get(id);
  }

  /** Like get, but a missing model is WG_ERR_NOT_FOUND. */
  require(id: string): ResolvedModel {
    const m = this.get(id);
    if (m === undefined) throw new WattgateError(ErrorCodes.NOT_FOUND, `no device model "${id}"`);
    return m;
  }

  isBuiltIn(id: string): boolean {
    return this.#builtIn.files.has(id);
  }

  isCustom(id: string): boolean {
    return this.#custom.has(id);
  }

  /** Built-in models by id, then custom models by id. */
  list(): readonly ResolvedModel[] {
    const custom = [...this.#custom.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
    return [...this.#builtIn.models, ...custom];
  }

  summaries(): ModelSummary[] {
    return this.list().map((m) => summarize(m, this.isBuiltIn(m.id)));
  }

  /** Ids of the candidate models for a device's FC 43/14 objects, best first (match.ts). */
  match(objects: IdentificationObjects): string[] {
    return this.matchDetails(objects).map((m) => m.id);
  }

  /** The candidates of `match` with their score and what matched. */
  matchDetails(objects: IdentificationObjects): ModelMatch[] {
    return matchIdentification(this.list(), objects);
  }

  /** Ids of the models for a commercial reference read from a device (references or identification register), best first. */
  matchReference(reference: string): string[] {
    return matchReference(this.list(), reference).map((m) => m.id);
  }

  /**
   * Validates and saves a custom model (JSON text or value). An existing
   * custom id is WG_ERR_CONFLICT unless `replace`; a built-in id always is.
   */
  importCustom(input: unknown, opts: { replace?: boolean } = {}): ResolvedModel {
    const model = parseCustomModel(input, this.#context());
    const exists = this.#custom.has(model.id);
    if (exists && opts.replace !== true)
      throw modelError(
        'import',
        [
          {
            path: '/id',
            message: `a custom model "${model.id}" already exists: import with replace to overwrite it`,
          },
        ],
        ErrorCodes.CONFLICT,
      );
    this.#store.write(flatten(model));
    this.#custom.set(model.id, model);
    this.#emit({ type: exists ? 'replaced' : 'added', id: model.id });
    return model;
  }

  /** Deletes a custom model; false if there is none with that id. A built-in id is WG_ERR_CONFLICT. */
  removeCustom(id: string): boolean {
    if (this.isBuiltIn(id))
      throw new WattgateError(ErrorCodes.CONFLICT, `"${id}" is a built-in model and cannot be deleted`);
    if (!this.#custom.has(id)) return false;
    this.#store.remove(id);
    this.#custom.delete(id);
    this.#emit({ type: 'removed', id });
    return true;
  }

  /** Calls `listener` after every import, replacement or deletion; returns the unsubscribe function. */
  onChange(listener: (change: ModelChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #emit(change: ModelChange): void {
    for (const l of this.#listeners) l(change);
  }
}

export function summarize(m: ResolvedModel, builtIn: boolean): ModelSummary {
  return {
    id: m.id,
    name: m.name,
    family: m.family,
    source: m.source.kind,
    builtIn,
    measurements: m.measurements.length,
    references: m.references ?? [],
    ...(m.wireless ? { periodSeconds: m.wireless.periodSeconds } : {}),
  };
}
