/**
 * A small typed event bus. Listeners are called synchronously in subscription
 * order; a listener that throws is reported to `onListenerError` and does not
 * stop the others (one faulty consumer must not silence alarms or history).
 */

export type Listener<T> = (payload: T) => void;

/** What a part publishes on: the emitting half of a bus typed by the part's own events. */
export interface EventSink<M extends object> {
  emit<K extends keyof M>(event: K, payload: M[K]): void;
}

/** What a consumer listens on. */
export interface EventSource<M extends object> {
  on<K extends keyof M>(event: K, fn: Listener<M[K]>): () => void;
}

export class TypedEvents<M extends object> implements EventSink<M>, EventSource<M> {
  readonly #listeners = new Map<keyof M, Set<Listener<never>>>();
  readonly #onListenerError: (event: keyof M, error: unknown) => void;

  constructor(onListenerError: (event: keyof M, error: unknown) => void = () => {}) {
    this.#onListenerError = onListenerError;
  }

  on<K extends keyof M>(event: K, fn: Listener<M[K]>): () => void {
    let set = this.#listeners.get(event);
    if (!set) {
      set = new Set();
      this.#listeners.set(event, set);
    }
    set.add(fn as Listener<never>);
    return () => {
      set.delete(fn as Listener<never>);
    };
  }

  emit<K extends keyof M>(event: K, payload: M[K]): void {
    const set = this.#listeners.get(event);
    if (!set) return;
    for (const fn of [...set]) {
      try {
        (fn as Listener<M[K]>)(payload);
      } catch (error) {
        this.#onListenerError(event, error);
      }
    }
  }

  listenerCount(event: keyof M): number {
    return this.#listeners.get(event)?.size ?? 0;
  }
}
