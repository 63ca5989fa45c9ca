/**
 * An in-memory `ConfigView` (core/context.ts) for tests, benchmarks and the
 * demo: `set(next)` replaces the slice and awaits every subscriber in
 * subscription order, as the configuration store does after a durable write.
 * A subscriber that throws is reported to `onError` and does not stop the others.
 */
import type { ConfigView } from '../core/context.js';

export interface MemoryConfigView<S> extends ConfigView<S> {
  /** Replaces the slice and resolves once every subscriber has finished. */
  set(next: S): Promise<void>;
}

export function memoryConfigView<S>(
  initial: S,
  onError: (error: unknown) => void = () => {},
): MemoryConfigView<S> {
  let current = initial;
  const subscribers = new Set<(next: S, prev: S) => void | Promise<void>>();
  return {
    get: () => current,
    subscribe(fn) {
      subscribers.add(fn);
      return () => {
        subscribers.delete(fn);
      };
    },
    async set(next) {
      const prev = current;
      current = next;
      for (const fn of [...subscribers]) {
        try {
          await fn(next, prev);
        } catch (error) {
          onError(error);
        }
      }
    },
  };
}
