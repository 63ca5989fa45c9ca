/**
 * The bounded two-level queue in front of one RTU line (PRODUCT G5, SECURITY H6).
 *
 * - Two levels: 'high' (upstream Modbus TCP clients, broadcasts) is always
 *   served before 'low' (background work: the poller, discovery, the master's
 *   dead-slave probes). 'low' is first in, first out.
 * - 'high' is shared fairly between clients (`client`: the upstream
 *   connection; items without one share the key ""): each client has its own
 *   FIFO and the next item comes from the client served least recently (a
 *   client never served, or forgotten, first; ties in order of arrival). The
 *   turn of a client's last service is remembered after its backlog empties
 *   (for the `max(capacity, 64)` clients served last), so a client whose one
 *   queued item just went on the wire is not first again. A client that
 *   queues many requests a slave never answers (each costs the line a full
 *   response timeout) thus delays another client's request by at most the one
 *   on the wire; with one client (or no keys) this is plain FIFO.
 * - Bounded: at most `capacity` items in all. When full, a 'high' item evicts
 *   the newest 'low' item; with no 'low' item, it evicts the newest item of
 *   the client holding the most 'high' items when that client holds at least
 *   two more than the newcomer's client (a fair share of the queue). The
 *   evicted item is returned, for the owner to fail it with BUSY (0x06).
 *   Otherwise the new item is refused (→ 0x06).
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
  /** Who asked ('high' fair sharing); absent: the shared key "". */
  readonly client?: string | undefined;
}

export type DropReason = 'aborted' | 'expired';

export interface PushResult<T> {
  readonly accepted: boolean;
  /** An item pushed out to make room: the newest 'low' one, else the newest of the largest client. */
  readonly evicted: T | undefined;
}

interface Backlog<T> {
  readonly items: T[];
  /** Turn of this client's last service (0: none since its backlog began). */
  served: number;
}

export class RtuQueue<T extends QueueItem> {
  /** 'high' backlogs per client, in order of arrival of each backlog. */
  readonly #high = new Map<string, Backlog<T>>();
  #highSize = 0;
  #turn = 0;
  /** Turn of the last service of clients with no backlog, the oldest first (bounded). */
  readonly #recent = new Map<string, number>();
  readonly #low: T[] = [];
  #capacity: number;

  constructor(capacity: number) {
    this.#capacity = Math.max(1, Math.floor(capacity));
  }

  get size(): number {
    return this.#highSize + this.#low.length;
  }

  get capacity(): number {
    return this.#capacity;
  }

  push(item: T): PushResult<T> {
    if (this.size < this.#capacity) {
      this.#add(item);
      return { accepted: true, evicted: undefined };
    }
    if (item.priority === 'high') {
      const evicted = this.#low.pop() ?? this.#evictFromLargest(key(item));
      if (evicted !== undefined) {
        this.#add(item);
        return { accepted: true, evicted };
      }
    }
    return { accepted: false, evicted: undefined };
  }

  /** The next item to send, high first; drops aborted and expired items on the way. */
  shift(now: number, onDrop: (item: T, why: DropReason) => void): T | undefined {
    for (;;) {
      const item = this.#shiftHigh() ?? this.#low.shift();
      if (item === undefined) return undefined;
      if (item.signal.aborted) onDrop(item, 'aborted');
      else if (item.deadline <= now) onDrop(item, 'expired');
      else return item;
    }
  }

  /** Removes one item; false when it was not queued. */
  remove(item: T): boolean {
    if (item.priority === 'low') {
      const i = this.#low.indexOf(item);
      if (i < 0) return false;
      this.#low.splice(i, 1);
      return true;
    }
    const k = key(item);
    const b = this.#high.get(k);
    const i = b?.items.indexOf(item) ?? -1;
    if (b === undefined || i < 0) return false;
    b.items.splice(i, 1);
    this.#highSize--;
    if (b.items.length === 0) this.#forget(k, b.served);
    return true;
  }

  /** Empties the queue; returns every item, high first. */
  drain(): T[] {
    const high = [...this.#high.values()].flatMap((b) => b.items);
    this.#high.clear();
    this.#recent.clear();
    this.#highSize = 0;
    return [...high, ...this.#low.splice(0)];
  }

  #add(item: T): void {
    if (item.priority === 'low') {
      this.#low.push(item);
      return;
    }
    const k = key(item);
    const b = this.#high.get(k);
    if (b === undefined) {
      this.#high.set(k, { items: [item], served: this.#recent.get(k) ?? 0 });
      this.#recent.delete(k);
    } else b.items.push(item);
    this.#highSize++;
  }

  #shiftHigh(): T | undefined {
    let next: [string, Backlog<T>] | undefined;
    for (const e of this.#high) if (next === undefined || e[1].served < next[1].served) next = e;
    if (next === undefined) return undefined;
    const [k, b] = next;
    const item = b.items.shift();
    this.#highSize--;
    b.served = ++this.#turn;
    if (b.items.length === 0) this.#forget(k, b.served);
    return item;
  }

  /** Drops client `k`'s empty backlog, remembering the turn of its last service. */
  #forget(k: string, served: number): void {
    this.#high.delete(k);
    if (served === 0) return;
    this.#recent.set(k, served);
    const oldest = this.#recent.keys().next();
    if (this.#recent.size > Math.max(this.#capacity, 64) && !oldest.done) this.#recent.delete(oldest.value);
  }

  /** The newest item of the client holding the most, when it holds ≥ 2 more than client `k`. */
  #evictFromLargest(k: string): T | undefined {
    let largest: [string, Backlog<T>] | undefined;
    for (const e of this.#high) {
      if (largest === undefined || e[1].items.length > largest[1].items.length) largest = e;
    }
    const own = this.#high.get(k)?.items.length ?? 0;
    if (largest === undefined || largest[0] === k || largest[1].items.length < own + 2) return undefined;
    this.#highSize--;
    return largest[1].items.pop();
  }
}

const key = (item: QueueItem): string => item.client ?? '';
