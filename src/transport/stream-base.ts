/**
 * `StreamBase`: the plumbing every `ByteStream` shares (socket-stream.ts,
 * serial-stream.ts), so each stream only deals with its device:
 * - the data and close listener sets (`onData`, `onClose`); a late `onClose`
 *   subscriber is called on a microtask with the close reason;
 * - the frame deadline on the injected Clock (`armDeadline` / `disarmDeadline`,
 *   closing with reason 'frame-deadline');
 * - `dispatch`: hands a received chunk to the data listeners; one that throws is
 *   logged and closes the stream with reason 'error';
 * - `finish`: ends the stream once and calls each close listener once; a close
 *   listener that throws is logged and does not stop the others.
 * Subclasses provide `log`, `write` and `close`, call `dispatch` with received
 * bytes and `finish` when the stream ends, and may cancel their own timers in
 * `onFinish`.
 */
import type { Clock, TimerHandle } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import { CloseReasons } from './byte-stream.js';

export abstract class StreamBase {
  protected abstract readonly log: Logger;
  readonly #clock: Clock;
  readonly #dataFns = new Set<(bytes: Uint8Array) => void>();
  /** The data listeners as an array, rebuilt only when they change (not copied per chunk). */
  #dataList: ReadonlyArray<(bytes: Uint8Array) => void> = [];
  readonly #closeFns = new Set<(reason: string) => void>();
  #reason: string | undefined;
  #deadline: TimerHandle | undefined;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  get isOpen(): boolean {
    return this.#reason === undefined;
  }

  /** The close reason, once closed. */
  get closeReason(): string | undefined {
    return this.#reason;
  }

  abstract close(reason?: string): void;

  onData(fn: (bytes: Uint8Array) => void): () => void {
    this.#dataFns.add(fn);
    this.#dataList = [...this.#dataFns];
    return () => {
      const had = this.#dataFns.delete(fn);
      if (had) this.#dataList = [...this.#dataFns];
      return had;
    };
  }

  onClose(fn: (reason: string) => void): () => void {
    const reason = this.#reason;
    if (reason !== undefined) {
      queueMicrotask(() => this.#callCloseFn(fn, reason));
      return () => {};
    }
    this.#closeFns.add(fn);
    return () => this.#closeFns.delete(fn);
  }

  armDeadline(ms: number): void {
    if (!this.isOpen || this.#deadline) return;
    this.#deadline = this.#clock.setTimeout(() => {
      this.#deadline = undefined;
      this.close(CloseReasons.FRAME_DEADLINE);
    }, ms);
  }

  disarmDeadline(): void {
    this.#deadline?.cancel();
    this.#deadline = undefined;
  }

  /** Hands a received chunk to the data listeners; one that throws closes the stream ('error'). */
  protected dispatch(chunk: Uint8Array): void {
    if (!this.isOpen) return;
    for (const fn of this.#dataList) {
      try {
        fn(chunk);
      } catch (error) {
        this.log.error({ err: error }, 'data handler threw: closing the stream');
        this.close(CloseReasons.ERROR);
        return;
      }
      if (!this.isOpen) return;
    }
  }

  /** Marks the stream closed with `reason` and calls the close listeners; once only. */
  protected finish(reason: string): void {
    if (!this.isOpen) return;
    this.#reason = reason;
    this.onFinish();
    this.disarmDeadline();
    this.#dataFns.clear();
    this.#dataList = [];
    const fns = [...this.#closeFns];
    this.#closeFns.clear();
    for (const fn of fns) this.#callCloseFn(fn, reason);
  }

  /** Called once as the stream ends, before the close listeners: cancel subclass timers here. */
  protected onFinish(): void {}

  #callCloseFn(fn: (reason: string) => void, reason: string): void {
    try {
      fn(reason);
    } catch (error) {
      this.log.error({ err: error }, 'close handler threw');
    }
  }
}
