/**
 * Digital input counters across restarts (PRODUCT L5; "loses nothing"): the
 * inputs part's `CounterStore` as one JSON file in the data directory
 * (`input-counters.json`, 0600), written atomically (temp file, fsync,
 * rename) with each minute's readings and at stop. At most the pulses of the
 * last minute are lost on a crash. A file that does not parse or has a wrong
 * shape is set aside as `input-counters.json.bad-<time>` and the counters
 * start from zero, with an error in the log — never a failed start.
 */
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { INPUT_NAMES, type InputName } from '../config/schema-inputs.js';
import { writeFileAtomic } from '../db/atomic-file.js';
import type { Logger } from '../shared/logger.js';
import type { CounterState } from './channel.js';
import type { CounterStore } from './part.js';

const NUMBER_FIELDS = [
  'pulsesTotal',
  'pulses',
  'operationsTotal',
  'operations',
  'activeTotalMs',
  'activeMs',
] as const;
const TIME_FIELDS = ['pulsesResetAt', 'operationsResetAt', 'activeResetAt'] as const;

function isCounterState(v: unknown): v is CounterState {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  const n = (x: unknown) => typeof x === 'number' && Number.isFinite(x) && x >= 0;
  return NUMBER_FIELDS.every((k) => n(o[k])) && TIME_FIELDS.every((k) => o[k] === null || n(o[k]));
}

function parse(text: string): Partial<Record<InputName, CounterState>> | undefined {
  const doc = JSON.parse(text) as unknown;
  if (typeof doc !== 'object' || doc === null) return undefined;
  const out: Partial<Record<InputName, CounterState>> = {};
  for (const [k, v] of Object.entries(doc)) {
    if (!(INPUT_NAMES as readonly string[]).includes(k) || !isCounterState(v)) return undefined;
    out[k as InputName] = v;
  }
  return out;
}

export function inputCounterFile(path: string, log: Logger): CounterStore {
  return {
    load() {
      if (!existsSync(path)) return undefined;
      let state: Partial<Record<InputName, CounterState>> | undefined;
      try {
        state = parse(readFileSync(path, 'utf8'));
      } catch {
        state = undefined;
      }
      if (state) return state;
      const aside = `${path}.bad-${Date.now()}`;
      renameSync(path, aside);
      log.error({ file: aside }, 'digital input counters unreadable: set aside, counting from zero');
      return undefined;
    },
    save(state) {
      writeFileAtomic(path, `${JSON.stringify(state)}\n`, { mode: 0o600 });
    },
  };
}
