/**
 * The waiting requests of one Modbus TCP master (tcp-master.ts): two FIFO
 * queues, high priority (the gateway's clients) before low (the poller), with
 * bounded waits and abort. One timer for the whole queue, armed for the
 * earliest end of wait (not one timer per request); a signal gets one abort
 * listener per queue while it has queued requests (kept while the signal
 * lives, not added and removed per request; beyond WATCHED_SIGNALS_MAX those
 * with nothing queued are dropped). Requests whose wait is over, or whose
 * signal aborted, are handed back in the order they were queued.
 */
import type { Clock, TimerHandle } from '../shared/clock.js';

export interface QueuedJob {
  readonly req: {
    readonly priority?: 'high' | 'low';
    readonly timeoutMs: number;
    readonly signal: AbortSignal;
  };
  /** While queued: the monotonic time its wait in the queue ends. */
  queuedUntil: number;
  /** Enqueue order (waits ending at the same time settle in this order). */
  seq: number;
}

/** Above this many watched signals, those with no queued request lose their listener. */
const WATCHED_SIGNALS_MAX = 256;

export interface JobQueueHandlers<J> {
  /** Jobs whose wait is over, in order; already removed from the queue. */
  readonly expired: (due: readonly J[]) => void;
  /** Jobs whose signal aborted, in order; already removed from the queue. */
  readonly aborted: (dropped: readonly J[]) => void;
}

export class JobQueue<J extends QueuedJob> {
  readonly #clock: Clock;
  readonly #on: JobQueueHandlers<J>;
  readonly #high: J[] = [];
  readonly #low: J[] = [];
  #timer: TimerHandle | undefined;
  /** The end of wait the timer is armed for; Infinity when none. */
  #timerAt = Number.POSITIVE_INFINITY;
  readonly #onTimer = (): void => this.#expire();
  #seq = 0;
  /** Signals of queued jobs → their one abort listener. */
  readonly #watched = new Map<AbortSignal, () => void>();

  constructor(clock: Clock, on: JobQueueHandlers<J>) {
    this.#clock = clock;
    this.#on = on;
  }

  get size(): number {
    return this.#high.length + this.#low.length;
  }

  /** Queues a job; its wait ends after its request's timeoutMs. */
  push(job: J): void {
    (job.req.priority === 'low' ? this.#low : this.#high).push(job);
    const now = this.#clock.monotonic();
    job.seq = ++this.#seq;
    job.queuedUntil = now + Math.max(0, job.req.timeoutMs);
    if (job.queuedUntil < this.#timerAt) this.#arm(job.queuedUntil, now);
    this.#watch(job.req.signal);
  }

  /** The next job to send: high priority first. */
  shift(): J | undefined {
    return this.#high.length > 0 ? this.#high.shift() : this.#low.shift();
  }

  /** Empties the queue (the caller fails them), in priority then queue order. */
  takeAll(): J[] {
    this.#disarm();
    return [...this.#high.splice(0), ...this.#low.splice(0)];
  }

  /** Removes every abort listener (the master stops). */
  unwatchAll(): void {
    this.#unwatch(true);
  }

  #arm(at: number, now: number): void {
    this.#timer?.cancel();
    this.#timerAt = at;
    this.#timer = this.#clock.setTimeout(this.#onTimer, at - now);
  }

  #disarm(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
  }

  /** The timer fired: every job whose wait is over leaves, the timer is re-armed for the next. */
  #expire(): void {
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
    const now = this.#clock.monotonic();
    const due: J[] = [];
    let next = Number.POSITIVE_INFINITY;
    const keep = (job: J): boolean => {
      if (job.queuedUntil <= now) {
        due.push(job);
        return false;
      }
      if (job.queuedUntil < next) next = job.queuedUntil;
      return true;
    };
    this.#filter(keep);
    if (next < this.#timerAt) this.#arm(next, now);
    due.sort((a, b) => a.queuedUntil - b.queuedUntil || a.seq - b.seq);
    if (due.length > 0) this.#on.expired(due);
  }

  /** Keeps, in order, the jobs of both queues for which `keep` is true. */
  #filter(keep: (job: J) => boolean): void {
    for (const queue of [this.#high, this.#low]) {
      let n = 0;
      for (const job of queue) if (keep(job)) queue[n++] = job;
      queue.length = n;
    }
  }

  #watch(signal: AbortSignal): void {
    if (this.#watched.has(signal)) return;
    if (this.#watched.size >= WATCHED_SIGNALS_MAX) this.#unwatch(false);
    const onAbort = (): void => {
      this.#watched.delete(signal);
      this.#abortQueued(signal);
    };
    this.#watched.set(signal, onAbort);
    signal.addEventListener('abort', onAbort, { once: true });
  }

  /** Removes the abort listeners: all, or (`all` false) those of signals with no queued job. */
  #unwatch(all: boolean): void {
    const inUse = new Set<AbortSignal>();
    if (!all) for (const job of [...this.#high, ...this.#low]) inUse.add(job.req.signal);
    for (const [signal, onAbort] of this.#watched) {
      if (inUse.has(signal)) continue;
      signal.removeEventListener('abort', onAbort);
      this.#watched.delete(signal);
    }
  }

  /** A signal aborted: its queued jobs leave at once (never sent). */
  #abortQueued(signal: AbortSignal): void {
    const dropped: J[] = [];
    this.#filter((job) => {
      if (job.req.signal !== signal) return true;
      dropped.push(job);
      return false;
    });
    dropped.sort((a, b) => a.seq - b.seq);
    if (dropped.length > 0) this.#on.aborted(dropped);
  }
}
