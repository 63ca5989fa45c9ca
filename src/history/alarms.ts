/**
 * The store's alarm board: each kind is raised once per episode and cleared
 * once (`active: false`), so the alarm engine sees edges, not a stream.
 * `unpublished-dropped` is an event, not a state: every drop is reported.
 */
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { HistoryAlarm, HistoryAlarmKind } from './types.js';

const EVENTS: ReadonlySet<HistoryAlarmKind> = new Set(['unpublished-dropped']);

export class AlarmBoard {
  readonly #active = new Set<HistoryAlarmKind>();
  readonly #emit: (a: HistoryAlarm) => void;
  readonly #clock: Clock;
  readonly #log: Logger;

  constructor(emit: (a: HistoryAlarm) => void, clock: Clock, log: Logger) {
    this.#emit = emit;
    this.#clock = clock;
    this.#log = log;
  }

  set(kind: HistoryAlarmKind, active: boolean, message: string, details: Record<string, unknown> = {}): void {
    const isEvent = EVENTS.has(kind);
    if (!isEvent && this.#active.has(kind) === active) return;
    if (!isEvent) {
      if (active) this.#active.add(kind);
      else this.#active.delete(kind);
    }
    const log = active ? this.#log.warn : this.#log.info;
    log.call(this.#log, { alarm: kind, active, ...details }, `history: ${message}`);
    this.#emit({ kind, active, at: this.#clock.now(), message, details });
  }

  get active(): HistoryAlarmKind[] {
    return [...this.#active];
  }
}
