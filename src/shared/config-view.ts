/**
 * A part's live view of its slice of the configuration (ARCHITECTURE
 * conventions 8 and 17): `get()` the current slice, `subscribe(fn)` to hear
 * of each stored change. The composition root builds them from the
 * configuration store (`configView`, config/view.ts); a part never sees
 * another part's section unless it is handed that view too.
 *
 * `memoryConfigView` is one kept in memory, for simulators, benchmarks and
 * tests: `set(next)` replaces the slice and awaits every subscriber in
 * subscription order, as the configuration store does after a durable write.
 * A subscriber that throws is reported to `onError` and does not stop the others.
 */

export interface ConfigView<S> {
  get(): S;
  /** Called with the new and previous slice when this section changes; returns an unsubscribe. */
  subscribe(fn: (next: S, prev: S) => void | Promise<void>): () => void;
}

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
