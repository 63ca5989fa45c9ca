/**
 * A FIFO concurrency limiter: at most `max` tasks run at once, the others wait
 * in order. Used for the global cap on requests in progress to TCP devices
 * (`acquisition.tcp.maxConcurrent`), so a burst of due devices at a period
 * boundary cannot open thousands of requests at once. `setMax` applies live.
 */
export class Limiter {
  #max: number;
  #active = 0;
  readonly #waiting: Array<() => void> = [];

  constructor(max: number) {
    this.#max = Math.max(1, max);
  }

  get active(): number {
    return this.#active;
  }

  get waiting(): number {
    return this.#waiting.length;
  }

  setMax(max: number): void {
    this.#max = Math.max(1, max);
    this.#drain();
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#active >= this.#max) await new Promise<void>((go) => this.#waiting.push(go));
    else this.#active++;
    try {
      return await task();
    } finally {
      this.#active--;
      this.#drain();
    }
  }

  #drain(): void {
    while (this.#active < this.#max && this.#waiting.length > 0) {
      this.#active++;
      (this.#waiting.shift() as () => void)();
    }
  }
}
