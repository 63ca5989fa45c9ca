/**
 * The bounded two-level queue in front of one RTU line (PRODUCT G5, SECURITY H6).
 *
 * - Two FIFOs: 'high' (upstream Modbus TCP clients, broadcasts) is always
 *   served before 'low' (background work: the poller's hook). Within a level,
 *   first in, first out.
 * - Bounded: at most `capacity` items in all. When full, a 'high' item evicts
 *   the newest 'low' item (returned, for the owner to fail it with BUSY); a
 *   'low' item, or a 'high' one with no 'low' to evict, is refused (→ 0x06).
 * - Abandoned and expired work never reaches the line: `shift(now)` skips
 *   (and hands to `onDrop`) items whose signal aborted (the upstream client is
 *   gone) or whose deadline passed while they waited. The owner may also
 *   `remove` an item at once when its signal aborts or its deadline timer fires.
 * Pure: no timers; time is passed in.
 */

export type Priority = 'high' | 'low';

export interface QueueItem {
  readonly priority: Priority;
  readonly signal: AbortSignal;
  /** Monotonic ms after which the item must not be sent. */
  readonly deadline: number;
}

export type DropReason = 'aborted' | 'expired';

export interface PushResult<T> {
  readonly accepted: boolean;
  /** A 'low' item pushed out to make room for a 'high' one. */
  readonly evicted: T | undefined;
}

export class RtuQueue<T extends QueueItem> {
  readonly #high: T[] = [];
  readonly #low: T[] = [];
  #capacity: number;

  constructor(capacity: number) {
    this.#capacity = Math.max(1, Math.floor(capacity));
  }

  get size(): number {
    return this.#high.length + this.#low.length;
  }

  get capacity(): number {
    return this.#capacity;
  }

  push(item: T): PushResult<T> {
    if (this.size < this.#capacity) {
      this.#level(item.priority).push(item);
      return { accepted: true, evicted: undefined };
    }
    if (item.priority === 'high' && this.#low.length > 0) {
      const evicted = this.#low.pop();
      this.#high.push(item);
      return { accepted: true, evicted };
    }
    return { accepted: false, evicted: undefined };
  }

  /** The next item to send, high first; drops aborted and expired items on the way. */
  shift(now: number, onDrop: (item: T, why: DropReason) => void): T | undefined {
    for (;;) {
      const item = this.#high.shift() ?? this.#low.shift();
      if (item === undefined) return undefined;
      if (item.signal.aborted) onDrop(item, 'aborted');
      else if (item.deadline <= now) onDrop(item, 'expired');
      else return item;
    }
  }

  /** Removes one item; false when it was not queued. */
  remove(item: T): boolean {
    const level = this.#level(item.priority);
    const i = level.indexOf(item);
    if (i < 0) return false;
    level.splice(i, 1);
    return true;
  }

  /** Empties the queue; returns every item, high first. */
  drain(): T[] {
    return [...this.#high.splice(0), ...this.#low.splice(0)];
  }

  #level(p: Priority): T[] {
    return p === 'high' ? this.#high : this.#low;
  }
}
