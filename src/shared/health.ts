/**
 * The health of the running Wattgate (PRODUCT X2, issue 14): parts raise and
 * clear conditions (`set(key, active, message)`), each with a severity; the
 * board answers the worst as a state — 'nominal', 'degraded' (working, but
 * something needs attention: storage failing, a disk nearly full, the web
 * worker restarting) or 'out-of-order' — with the reasons. Unit 255's
 * register 159 reads it as 0/1/2 (the reference's codes); `/api/v1/health`
 * answers it with the reasons. The injected clock stamps `since`.
 */
import type { Clock } from './clock.js';

export type HealthStatus = 'nominal' | 'degraded' | 'out-of-order';

export interface HealthReason {
  readonly key: string;
  readonly severity: Exclude<HealthStatus, 'nominal'>;
  readonly message: string;
  /** Epoch ms when the condition was raised. */
  readonly since: number;
}

export interface HealthReport {
  readonly status: HealthStatus;
  readonly reasons: readonly HealthReason[];
}

/** Unit 255, register 159 (ref): 0 nominal, 1 degraded, 2 out of order. */
export const HEALTH_CODES: Readonly<Record<HealthStatus, 0 | 1 | 2>> = {
  nominal: 0,
  degraded: 1,
  'out-of-order': 2,
};

export class HealthBoard {
  readonly #clock: Clock;
  readonly #active = new Map<string, HealthReason>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Raises (or updates) the condition `key`, or clears it. */
  set(key: string, active: boolean, message: string, severity: HealthReason['severity'] = 'degraded'): void {
    if (!active) {
      this.#active.delete(key);
      return;
    }
    const since = this.#active.get(key)?.since ?? this.#clock.now();
    this.#active.set(key, { key, severity, message, since });
  }

  report(): HealthReport {
    const reasons = [...this.#active.values()];
    const status: HealthStatus = reasons.some((r) => r.severity === 'out-of-order')
      ? 'out-of-order'
      : reasons.length > 0
        ? 'degraded'
        : 'nominal';
    return { status, reasons };
  }

  /** The register 159 code. */
  code(): 0 | 1 | 2 {
    return HEALTH_CODES[this.report().status];
  }
}
