/**
 * Request/response between two threads over a message port (a worker's
 * `parentPort` / the `Worker` object: anything with `postMessage` and
 * `on('message')`), with bounded message passing (issue 14): at most
 * `maxInFlight` calls outstanding per side — one more is refused at once
 * with BUSY instead of queueing without limit — and each call settles within
 * `timeoutMs` (TIMEOUT), so neither side can pile up work for the other.
 *
 * - `serve(handlers)`: answers calls by name; a handler may return a value
 *   or a promise. A WattgateError crosses with its code, message and details
 *   (the API maps them to HTTP as if the call had been local); anything else
 *   becomes INTERNAL.
 * - `call(name, arg)`: resolves the handler's answer. Values cross by
 *   structured clone (typed arrays, Maps, bigint are fine; functions not).
 * - `notify(name, arg)` / `onNotify(name, fn)`: one-way messages (config
 *   changed, a batch of live readings), dropped when nobody listens.
 *
 * Pure: no timers of its own (the clock is injected), no I/O but the port.
 */
import type { Clock, TimerHandle } from './clock.js';
import { ErrorCodes, isWattgateError, WattgateError } from './errors.js';

/** A value, or a promise of it: what a service answers locally or across a thread boundary. */
export type Awaitable<T> = T | Promise<T>;

/** The same methods as `S`, each answering now or later (a service reached through Rpc). */
export type Remote<S> = {
  [K in keyof S]: S[K] extends (...args: infer A) => infer R ? (...args: A) => Awaitable<Awaited<R>> : never;
};

export interface RpcPort {
  postMessage(message: unknown): void;
  on(event: 'message', fn: (message: unknown) => void): unknown;
  off?(event: 'message', fn: (message: unknown) => void): unknown;
}

type Handler = (arg: never) => unknown;

type Wire =
  | { rpc: 'call'; id: number; name: string; arg: unknown }
  | { rpc: 'ok'; id: number; value: unknown }
  | { rpc: 'err'; id: number; code: string; message: string; details: unknown }
  | { rpc: 'notify'; name: string; arg: unknown };

interface Outstanding {
  resolve(v: unknown): void;
  reject(e: unknown): void;
  timer: TimerHandle;
}

export interface RpcOptions {
  readonly clock: Clock;
  /** Calls outstanding at once from this side; one more → BUSY. Default 64. */
  readonly maxInFlight?: number;
  /** A call not answered within this → TIMEOUT. Default 30 000 ms. */
  readonly timeoutMs?: number;
}

const isWire = (m: unknown): m is Wire => typeof m === 'object' && m !== null && 'rpc' in m;

export class Rpc {
  readonly #port: RpcPort;
  readonly #clock: Clock;
  readonly #max: number;
  readonly #timeoutMs: number;
  readonly #handlers = new Map<string, Handler>();
  readonly #listeners = new Map<string, Set<(arg: never) => void>>();
  readonly #out = new Map<number, Outstanding>();
  readonly #onMessage = (m: unknown) => this.#receive(m);
  #nextId = 1;
  #closed = false;

  constructor(port: RpcPort, opts: RpcOptions) {
    this.#port = port;
    this.#clock = opts.clock;
    this.#max = opts.maxInFlight ?? 64;
    this.#timeoutMs = opts.timeoutMs ?? 30_000;
    port.on('message', this.#onMessage);
  }

  get inFlight(): number {
    return this.#out.size;
  }

  serve(handlers: Record<string, Handler>): void {
    for (const [name, fn] of Object.entries(handlers)) this.#handlers.set(name, fn);
  }

  /** Calls `name`; `timeoutMs` overrides the default for this call (a slow start on a loaded host). */
  call<T>(name: string, arg?: unknown, timeoutMs = this.#timeoutMs): Promise<T> {
    if (this.#closed)
      return Promise.reject(new WattgateError(ErrorCodes.UNAVAILABLE, `rpc closed (${name})`));
    if (this.#out.size >= this.#max) {
      return Promise.reject(
        new WattgateError(ErrorCodes.BUSY, `${this.#max} calls already in flight (${name})`),
      );
    }
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = this.#clock.setTimeout(() => {
        this.#out.delete(id);
        reject(new WattgateError(ErrorCodes.TIMEOUT, `no answer to ${name} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#out.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      this.#port.postMessage({ rpc: 'call', id, name, arg } satisfies Wire);
    });
  }

  notify(name: string, arg?: unknown): void {
    if (!this.#closed) this.#port.postMessage({ rpc: 'notify', name, arg } satisfies Wire);
  }

  onNotify<T>(name: string, fn: (arg: T) => void): () => void {
    let set = this.#listeners.get(name);
    if (!set) {
      set = new Set();
      this.#listeners.set(name, set);
    }
    set.add(fn as (arg: never) => void);
    return () => set.delete(fn as (arg: never) => void);
  }

  /** Fails every outstanding call (UNAVAILABLE) and stops listening. */
  close(reason = 'closed'): void {
    this.#closed = true;
    this.#port.off?.('message', this.#onMessage);
    for (const [id, o] of this.#out) {
      o.timer.cancel();
      o.reject(new WattgateError(ErrorCodes.UNAVAILABLE, `rpc ${reason}`));
      this.#out.delete(id);
    }
  }

  #receive(m: unknown): void {
    if (!isWire(m)) return;
    switch (m.rpc) {
      case 'call':
        void this.#answer(m.id, m.name, m.arg);
        return;
      case 'notify':
        for (const fn of [...(this.#listeners.get(m.name) ?? [])]) fn(m.arg as never);
        return;
      case 'ok':
      case 'err': {
        const o = this.#out.get(m.id);
        if (!o) return; // timed out meanwhile
        this.#out.delete(m.id);
        o.timer.cancel();
        if (m.rpc === 'ok') o.resolve(m.value);
        else o.reject(new WattgateError(m.code as never, m.message, { details: m.details as never }));
      }
    }
  }

  async #answer(id: number, name: string, arg: unknown): Promise<void> {
    let reply: Wire;
    try {
      const fn = this.#handlers.get(name);
      if (!fn) throw new WattgateError(ErrorCodes.NOT_FOUND, `no rpc handler "${name}"`);
      reply = { rpc: 'ok', id, value: await fn(arg as never) };
    } catch (e) {
      reply = isWattgateError(e)
        ? { rpc: 'err', id, code: e.code, message: e.message, details: e.details }
        : {
            rpc: 'err',
            id,
            code: ErrorCodes.INTERNAL,
            message: (e as Error)?.message ?? String(e),
            details: [],
          };
    }
    if (!this.#closed) this.#port.postMessage(reply);
  }
}
