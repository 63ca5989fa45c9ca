/**
 * The energy registers of a simulated energy sensor: per phase accumulators
 * of active, reactive and apparent energy, delivered and received, integrated
 * from the instantaneous powers (Wh = W × h), so counters only grow and agree
 * with the powers. Every energy key of the reference's maps is computed from
 * them by its name (docs/device-models.md "Keys"):
 *
 *   E{Act|React|App}{Del|Rec|DelRec|Net}{Tot|Acc|Part|Rst}[A|B|C]
 *     Tot, Acc  never reset;  Part, Rst  minus the offset of their last reset
 *     Net = delivered − received;  no phase letter = sum of the three phases
 *   E{…}{…}PartSet   the "set partial counter" register: reads 0 (the panel
 *     returns it to zero); writing v sets the partial counter to v.
 *   Writing v to a `…Rst…` register sets that counter to v.
 *
 * Values are whole Wh (VARh, VAh), as INT64 registers hold them.
 */

const ENERGY = /^E(Act|React|App)(DelRec|Del|Rec|Net)(Tot|Acc|Part|Rst)([ABC]?)$/;
const PART_SET = /^(E(?:Act|React|App)(?:DelRec|Del|Rec))PartSet$/;
const PHASES = ['A', 'B', 'C'] as const;
const HOUR = 3_600_000;

type Kind = 'Act' | 'React' | 'App';
type Acc = Record<Kind, { del: [number, number, number]; rec: [number, number, number] }>;

export interface PhasePowers {
  /** Active power per phase, W (negative = received). */
  readonly p: readonly [number, number, number];
  /** Reactive power per phase, VAR. */
  readonly q: readonly [number, number, number];
  /** Apparent power per phase, VA. */
  readonly s: readonly [number, number, number];
}

export class EnergyRegisters {
  readonly #acc: Acc;
  readonly #offsets = new Map<string, number>();
  #lastT: number | undefined;

  /** `initialWh`: the active energy delivered already counted (split evenly over the phases). */
  constructor(initialWh: number) {
    const third = (x: number): [number, number, number] => [x / 3, x / 3, x / 3];
    this.#acc = {
      Act: { del: third(initialWh), rec: third(0) },
      React: { del: third(initialWh * 0.3), rec: third(0) },
      App: { del: third(initialWh * 1.12), rec: third(0) },
    };
  }

  /** Integrates the powers from the last call to `t` (the powers are those at `t`). */
  integrate(t: number, powers: PhasePowers): void {
    const dtH = this.#lastT === undefined ? 0 : Math.max(0, t - this.#lastT) / HOUR;
    this.#lastT = t;
    for (let ph = 0; ph < 3; ph++) {
      const add = (kind: Kind, x: number) => {
        const side = x >= 0 ? this.#acc[kind].del : this.#acc[kind].rec;
        side[ph] = (side[ph] ?? 0) + Math.abs(x) * dtH;
      };
      add('Act', powers.p[ph] ?? 0);
      add('React', powers.q[ph] ?? 0);
      add('App', Math.abs(powers.s[ph] ?? 0));
    }
  }

  /** The value of an energy key, or undefined when `key` is not one. */
  value(key: string): bigint | undefined {
    if (PART_SET.test(key)) return 0n;
    const raw = this.#raw(key);
    if (raw === undefined) return undefined;
    return BigInt(Math.floor(raw - (this.#offsets.get(key) ?? 0)));
  }

  /** Applies a write; false when `key` is not writable here or `v` is negative. */
  write(key: string, v: number): boolean {
    if (!(v >= 0)) return false;
    const set = PART_SET.exec(key);
    const target = set ? `${set[1]}Part` : key;
    const m = ENERGY.exec(target);
    if (m === null || (m[3] !== 'Part' && m[3] !== 'Rst')) return false;
    const raw = this.#raw(target) ?? 0;
    this.#offsets.set(target, raw - v);
    return true;
  }

  #raw(key: string): number | undefined {
    const m = ENERGY.exec(key);
    if (m === null) return undefined;
    const kind = m[1] as Kind;
    const dir = m[2] as 'Del' | 'Rec' | 'DelRec' | 'Net';
    const phase = m[4] === '' ? undefined : PHASES.indexOf(m[4] as 'A');
    const pick = (xs: readonly number[]) =>
      phase === undefined ? (xs[0] ?? 0) + (xs[1] ?? 0) + (xs[2] ?? 0) : (xs[phase] ?? 0);
    const del = pick(this.#acc[kind].del);
    const rec = pick(this.#acc[kind].rec);
    if (dir === 'Del') return del;
    if (dir === 'Rec') return rec;
    if (dir === 'DelRec') return del + rec;
    return del - rec;
  }
}
