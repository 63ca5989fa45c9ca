/**
 * The tiny lifecycle every part shares (ARCHITECTURE convention 8): `start()`
 * opens sockets and starts timers, `stop()` closes and clears them. `Lifecycle`
 * starts parts in order and stops them in reverse; when one fails to start, the
 * parts already started are stopped (in reverse) before the error is re-thrown,
 * so a failed start never leaves a port open or a timer running.
 */
import { ErrorCodes, WattgateError } from './errors.js';

export interface Part {
  readonly name: string;
  start(): Promise<void> | void;
  stop(): Promise<void> | void;
}

export type LifecycleState = 'idle' | 'starting' | 'running' | 'stopping' | 'stopped';

export class Lifecycle {
  readonly #parts: Part[] = [];
  readonly #started: Part[] = [];
  #state: LifecycleState = 'idle';
  readonly #onStopError: (part: string, error: unknown) => void;

  constructor(onStopError: (part: string, error: unknown) => void = () => {}) {
    this.#onStopError = onStopError;
  }

  get state(): LifecycleState {
    return this.#state;
  }

  /** Names in start order. */
  get names(): string[] {
    return this.#parts.map((p) => p.name);
  }

  add(part: Part): this {
    if (this.#state !== 'idle') {
      throw new WattgateError(ErrorCodes.LIFECYCLE, `cannot add part ${part.name} once started`);
    }
    if (this.#parts.some((p) => p.name === part.name)) {
      throw new WattgateError(ErrorCodes.LIFECYCLE, `two parts named ${part.name}`);
    }
    this.#parts.push(part);
    return this;
  }

  async start(): Promise<void> {
    if (this.#state !== 'idle')
      throw new WattgateError(ErrorCodes.LIFECYCLE, `start in state ${this.#state}`);
    this.#state = 'starting';
    for (const part of this.#parts) {
      try {
        await part.start();
      } catch (error) {
        await this.#stopStarted();
        this.#state = 'stopped';
        throw new WattgateError(ErrorCodes.LIFECYCLE, `part ${part.name} failed to start`, { cause: error });
      }
      this.#started.push(part);
    }
    this.#state = 'running';
  }

  /** Stops every started part in reverse order; idempotent; never throws. */
  async stop(): Promise<void> {
    if (this.#state === 'stopped' || this.#state === 'stopping') return;
    this.#state = 'stopping';
    await this.#stopStarted();
    this.#state = 'stopped';
  }

  async #stopStarted(): Promise<void> {
    for (let part = this.#started.pop(); part; part = this.#started.pop()) {
      try {
        await part.stop();
      } catch (error) {
        this.#onStopError(part.name, error);
      }
    }
  }
}

/** What the application publishes about its own lifecycle (app.ts; the audit log records both). */
/** Who asked for a restart, for the audit log. */
export interface RestartRequest {
  readonly actor: string;
  readonly actorKind: 'account' | 'token';
  readonly source: string | null;
}

export interface AppLifecycleEvents {
  'app.started': { version: string };
  'app.stopping': { reason: string };
  /** An admin asked for a restart (Maintenance → Restart): the runner stops the app and starts a new one. */
  'app.restart-requested': RestartRequest;
}
