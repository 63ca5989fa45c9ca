/**
 * The newest reading of each measurement of one device, kept without keeping
 * the readings: typed arrays indexed by the measurement's position in the
 * model, written in place on every poll. The poller publishes ~100 000
 * readings a second at the benchmark's load; holding each poll's batch until
 * the next one (1 s) would move them all to V8's old generation and make
 * memory grow between major collections. Numbers are stored unboxed; the rare
 * bigint and string values in a small map.
 */
import type { ReadingValue } from '../devices/decode.js';
import type { Quality, Reading } from './events.js';

const QUALITIES: readonly Quality[] = ['valid', 'invalid', 'comm-error'];
const NONE = 255;

export class LatestValues {
  readonly #keys: readonly string[];
  readonly #series: readonly string[];
  readonly #t: Float64Array;
  readonly #num: Float64Array;
  readonly #quality: Uint8Array;
  readonly #other = new Map<number, bigint | string>();

  /** `keys[i]` and `series[i]`: the model's measurement i. */
  constructor(keys: readonly string[], series: readonly string[]) {
    this.#keys = keys;
    this.#series = series;
    this.#t = new Float64Array(keys.length);
    this.#num = new Float64Array(keys.length);
    this.#quality = new Uint8Array(keys.length).fill(NONE);
  }

  /** Records `value` of measurement `index` at `t`, unless a newer one is already there. */
  set(index: number, t: number, value: ReadingValue, quality: Quality): void {
    if (index < 0 || index >= this.#t.length || (this.#quality[index] !== NONE && (this.#t[index] ?? 0) > t))
      return;
    this.#t[index] = t;
    this.#quality[index] = QUALITIES.indexOf(quality);
    if (typeof value === 'number') {
      this.#num[index] = value;
      this.#other.delete(index);
    } else if (value === null) this.#other.delete(index);
    else this.#other.set(index, value);
  }

  /** The newest reading of every measurement read at least once, in model order. */
  readings(): Reading[] {
    const out: Reading[] = [];
    for (let i = 0; i < this.#keys.length; i++) {
      const q = this.#quality[i] ?? NONE;
      if (q === NONE) continue;
      const quality = QUALITIES[q] as Quality;
      const value = quality !== 'valid' ? null : (this.#other.get(i) ?? (this.#num[i] as number));
      out.push({
        seriesId: this.#series[i] ?? '',
        key: this.#keys[i] ?? '',
        t: this.#t[i] ?? 0,
        value,
        quality,
      });
    }
    return out;
  }
}
