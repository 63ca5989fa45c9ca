/**
 * The narrow seams through which devices, acquisition and discovery see the
 * model catalog (src/devices/models/, another part of the code): they need a
 * model by id, the list, and the models whose FC 43/14 identification matches
 * what a device reported. The catalog implements these; tests and benchmarks
 * use `modelList` (src/devices/testing.ts) over inline models.
 */
import type { ResolvedModel } from './model-schema.js';

/** FC 43/14 objects a device reported (basic and regular categories), as text. */
export interface DeviceIdentity {
  readonly vendorName?: string;
  readonly productCode?: string;
  readonly revision?: string;
  readonly vendorUrl?: string;
  readonly productName?: string;
  readonly modelName?: string;
  readonly userApplicationName?: string;
}

export interface ModelSource {
  get(id: string): ResolvedModel | undefined;
}

export interface ModelMatcher extends ModelSource {
  /** Every model, for register-based identification (models with `identification.register`). */
  list(): readonly ResolvedModel[];
  /** Ids of the models whose `identification` (vendorName/productCode/modelName) matches, best first. */
  match(identity: DeviceIdentity): string[];
}
