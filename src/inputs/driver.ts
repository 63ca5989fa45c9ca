/**
 * The input driver interface (PRODUCT L5): what the digital inputs need from
 * the hardware — electrical edges with their timestamps, in time order, per
 * input, and the level now. Shaped like a Linux GPIO character device (line
 * events with kernel timestamps, read in batches), so a GPIO driver is a small
 * binding; today only the simulator exists (simulator.ts). Filtering (30 ms
 * minimum pulse, ≤ 16 pulses a second, status debouncing) is not the driver's
 * job: filters.ts does it on the edges, the same for every driver.
 */
import type { InputName } from '../config/schema-inputs.js';

export interface InputEdge {
  readonly input: InputName;
  /** Epoch ms, fractional allowed (a GPIO timestamp has ns resolution). */
  readonly t: number;
  /** Electrical level after the edge. */
  readonly level: 0 | 1;
}

export interface InputDriver {
  readonly kind: string;
  start(): void | Promise<void>;
  stop(): void | Promise<void>;
  /** The electrical level now; undefined when unknown (input not configured, driver stopped). */
  level(input: InputName): 0 | 1 | undefined;
  /** Batches of edges in time order; returns the unsubscribe function. */
  onEdges(fn: (edges: readonly InputEdge[]) => void): () => void;
}
