/**
 * One simulated radio sensor: a device model (templates/), a radio id, a
 * communication period, and values that move like a real device's (see
 * signals.ts, values.ts, energy.ts). Deterministic for a radio id: the seed
 * is taken from it.
 *
 * - Energy sensors (models with `PTot`): voltages around 230 V with noise and
 *   sag, currents and powers on a daily load curve, PF, frequency, energy
 *   counters integrated from the powers (they only grow, partial and
 *   resettable counters obey writes), device temperature with the load.
 * - Ambient sensors: temperature, humidity, CO2, air quality, battery.
 * - All: the identification (first report after a start, then every 60th),
 *   constant settings, status contacts that change now and then, and alarms
 *   now and then (an alarm bit of the family for a few minutes, about once
 *   every 6 hours of reports).
 * A test or the demo can `disconnect()` it (it stops transmitting but keeps
 * metering) and `reconnect()` it.
 */
import type { ResolvedModel } from '../../src/devices/model-schema.js';
import type { DeviceIdentification, FrameValue } from '../../src/wireless/driver.js';
import { formatRfId } from '../../src/wireless/rf-id.js';
import { gaussian, type LoadProfile, prng } from '../meter-data.js';
import { EnergyRegisters } from './energy.js';
import { Signals } from './signals.js';
import { ambientValue, CONSTANTS, derive, electricalValue, PANEL_ONLY, TOGGLING } from './values.js';

export const SIM_VENDOR = 'Wattgate simulator';
const IDENTITY_EVERY = 60;
const ALARM_MEAN_GAP_MS = 6 * 3_600_000;
const TOGGLE_MEAN_MS = 30 * 60_000;
/** Energy already counted at 2020-01-01 and its mean growth, per W of rated power. */
const EPOCH_2020 = Date.UTC(2020, 0, 1);

export interface SensorOptions {
  readonly rfId: bigint;
  readonly model: ResolvedModel;
  readonly periodS: number;
  /** Time of creation (epoch ms): the counters start from a value that grew since 2020. */
  readonly now: number;
  readonly profile?: LoadProfile;
  readonly ratedPowerW?: number;
  readonly installCode?: string;
}

interface Alarm {
  readonly key: string;
  readonly bit: number;
  readonly until: number;
}

export class SimulatedSensor {
  readonly rfId: bigint;
  readonly rfIdHex: string;
  readonly model: ResolvedModel;
  readonly periodS: number;
  readonly installCode: string | undefined;
  readonly #keys: ReadonlyMap<string, ResolvedModel['measurements'][number]>;
  readonly #seed: number;
  readonly #signals: Signals;
  readonly #electrical: boolean;
  readonly #energy: EnergyRegisters;
  readonly #random: () => number;
  readonly #normal: () => number;
  readonly #alarmBits: ReadonlyArray<[string, number]>;
  readonly #validMasks: ReadonlyMap<string, number>;
  readonly #written = new Map<string, number | bigint>();
  readonly #toggles = new Map<string, number>();
  #alarm: Alarm | undefined;
  #reachable = true;
  #seq = 0;
  #reports = 0;
  #rssi: number;

  constructor(opts: SensorOptions) {
    this.rfId = opts.rfId;
    this.rfIdHex = formatRfId(opts.rfId);
    this.model = opts.model;
    this.periodS = opts.periodS;
    this.installCode = opts.installCode?.toUpperCase();
    this.#keys = new Map(opts.model.measurements.map((m) => [m.key, m]));
    this.#seed = Number(opts.rfId % 2_147_483_647n);
    this.#random = prng(this.#seed * 13 + 7);
    this.#normal = gaussian(this.#random);
    this.#electrical = this.#keys.has('PTot');
    const rated = opts.ratedPowerW ?? 2000 + (this.#seed % 17) * 1700;
    this.#signals = new Signals(
      {
        seed: this.#seed,
        stepMs: opts.periodS * 1000,
        ratedPowerW: rated,
        ...(opts.profile ? { profile: opts.profile } : {}),
      },
      this.#electrical ? 'electrical' : 'ambient',
    );
    const years = Math.max(0, opts.now - EPOCH_2020) / (365.25 * 86_400_000);
    this.#energy = new EnergyRegisters(rated * 0.4 * 8766 * years * (0.8 + 0.4 * this.#random()));
    this.#rssi = -48 - (this.#seed % 35);
    [this.#alarmBits, this.#validMasks] = alarmSetup(opts.model, this.#electrical);
  }

  get reachable(): boolean {
    return this.#reachable;
  }

  /** Stops transmitting (out of range, battery out, radio jammed); keeps metering. */
  disconnect(): void {
    this.#reachable = false;
  }

  reconnect(): void {
    this.#reachable = true;
    this.#reports = 0; // a device that comes back reports its identification again
  }

  identification(): DeviceIdentification {
    const refs = this.model.references ?? [];
    return {
      vendor: SIM_VENDOR,
      commercialReference: refs[this.#seed % Math.max(1, refs.length)] ?? this.model.id.toUpperCase(),
      firmware: '001.000.000',
      hardware: '001.000.000',
      serialNumber: `SIM${this.rfIdHex.slice(-7)}`,
    };
  }

  /** Radio link of the next frame as the panel measures it. */
  link(): { rssi: number; lqi: number } {
    const rssi = Math.round((this.#rssi + 2 * this.#normal()) * 10) / 10;
    return { rssi, lqi: Math.max(0, Math.min(255, Math.round((rssi + 100) * 4.25))) };
  }

  /** Moves the counters to `t` (also while disconnected: the device keeps metering). */
  advance(t: number): void {
    if (this.#electrical) this.#energy.integrate(t, derive(this.#signals.electrical(t)));
    this.#moveStates(t);
  }

  /** A report at `t`: its sequence number and values by measurement key. */
  report(t: number): { seq: number; values: Record<string, FrameValue> } {
    this.advance(t);
    const identity = this.#reports % IDENTITY_EVERY === 0;
    this.#reports++;
    this.#seq = (this.#seq + 1) & 0xff;
    const values: Record<string, FrameValue> = {};
    const x = this.#electrical ? derive(this.#signals.electrical(t)) : undefined;
    const a = this.#electrical ? undefined : this.#signals.ambient(t);
    for (const [key, m] of this.#keys) {
      if (PANEL_ONLY.has(key) || key.startsWith('Panel')) continue;
      if (m.kind === 'text' && !identity) continue;
      const v = this.#value(key, x, a, identity);
      if (v !== undefined) values[key] = v;
    }
    return { seq: this.#seq, values };
  }

  /** Applies a written measurement at `t`; false when the device refuses it. */
  apply(key: string, value: number | bigint, t: number): boolean {
    const m = this.#keys.get(key);
    if (m === undefined || m.access !== 'rw') return false;
    if (this.#electrical) this.#energy.integrate(t, derive(this.#signals.electrical(t)));
    if (this.#energy.write(key, Number(value))) return true;
    if (/^E(Act|React|App)/.test(key)) return false; // an energy key the counters refused (negative)
    this.#written.set(key, value);
    return true;
  }

  #value(
    key: string,
    x: ReturnType<typeof derive> | undefined,
    a: ReturnType<Signals['ambient']> | undefined,
    identity: boolean,
  ): FrameValue | undefined {
    const energy = this.#energy.value(key);
    if (energy !== undefined) return this.#electrical ? energy : undefined;
    const written = this.#written.get(key);
    if (written !== undefined) return written;
    if (x !== undefined) {
      const v = electricalValue(key, x);
      if (v !== undefined) return v;
    }
    if (a !== undefined) {
      const v = ambientValue(key, a);
      if (v !== undefined) return v;
    }
    return this.#other(key, x, a, identity);
  }

  #other(
    key: string,
    x: ReturnType<typeof derive> | undefined,
    a: ReturnType<Signals['ambient']> | undefined,
    identity: boolean,
  ): FrameValue | undefined {
    if (identity) {
      const text = this.#identityValue(key);
      if (text !== undefined) return text;
    }
    const mask = this.#validMasks.get(key);
    if (mask !== undefined) return mask;
    if (this.#alarmBits.some(([k]) => k === key)) return this.#alarm?.key === key ? 2 ** this.#alarm.bit : 0;
    if (key === 'TDev') {
      const load = x === undefined ? 0 : Math.max(...x.i) / 63;
      return Math.round((a?.temperature ?? 24) * 10 + 150 * load + 3 * this.#normal()) / 10 + 3;
    }
    if (key === 'Commodity') return this.#electrical ? 1 : 7;
    if (key === 'Usage') return [3, 5, 7, 8, 20][this.#seed % 5] ?? 21;
    if (key === 'VBat') return 3.05 - 0.02 * (this.#seed % 5);
    if (key === 'DevRssi' || key === 'DevLqi' || key === 'DevPer') return this.#deviceLink(key);
    if (TOGGLING.has(key)) return this.#toggles.get(key) ?? 0;
    return CONSTANTS[key];
  }

  #identityValue(key: string): FrameValue | undefined {
    const id = this.identification();
    const texts: Record<string, string | undefined> = {
      Vendor: id.vendor,
      CommRef: id.commercialReference,
      FwRev: id.firmware,
      HwRev: id.hardware,
      SerialNum: id.serialNumber,
      ProductRange: 'Simulated',
      ProductModel: this.model.id.slice(0, 16),
      ProductFamily: this.model.family.slice(0, 16),
    };
    if (key === 'WlProductId') return 0x5700 + (this.#seed % 256);
    return texts[key];
  }

  #deviceLink(key: string): number {
    const rssi = this.#rssi - 1.5 + this.#normal();
    if (key === 'DevRssi') return Math.round(rssi * 10) / 10;
    if (key === 'DevLqi') return Math.max(0, Math.min(255, Math.round((rssi + 100) * 4.25)));
    return Math.max(0, 0.01 + 0.005 * this.#normal());
  }

  /** Alarms and contacts: Poisson starts, a few minutes long. */
  #moveStates(t: number): void {
    const p = (mean: number) => Math.min(1, (this.periodS * 1000) / mean);
    if (this.#alarm !== undefined && t >= this.#alarm.until) this.#alarm = undefined;
    if (this.#alarm === undefined && this.#alarmBits.length > 0 && this.#random() < p(ALARM_MEAN_GAP_MS)) {
      const [key, bit] = this.#alarmBits[Math.floor(this.#random() * this.#alarmBits.length)] ?? ['', 0];
      this.#alarm = { key, bit, until: t + 120_000 + this.#random() * 780_000 };
    }
    for (const key of TOGGLING) {
      if (this.#keys.has(key) && this.#random() < p(TOGGLE_MEAN_MS)) {
        this.#toggles.set(key, 1 - (this.#toggles.get(key) ?? 0));
      }
    }
  }
}

/** Which alarm bits may rise, and the validity masks the device reports. */
function alarmSetup(
  model: ResolvedModel,
  electrical: boolean,
): [Array<[string, number]>, Map<string, number>] {
  const keys = new Set(model.measurements.map((m) => m.key));
  const heat = keys.has('HeatAlmCode');
  const ambient = keys.has('T') && !heat;
  const almBits = electrical ? [3, 4, 5, 6, 12, 13] : heat ? [8] : ambient ? [7] : [];
  const almValid = electrical ? [0, 1, 2, 3, 4, 5, 6, 12, 13] : heat ? [7, 8, 9] : ambient ? [7, 9] : [];
  const bits: Array<[string, number]> = keys.has('Alm') ? almBits.map((b) => ['Alm', b]) : [];
  const masks = new Map<string, number>();
  if (keys.has('AlmValid'))
    masks.set(
      'AlmValid',
      almValid.reduce((m, b) => m + 2 ** b, 0),
    );
  for (const m of model.measurements) {
    if (m.kind !== 'bitmap' || m.key === 'Alm' || m.key === 'AlmValid' || m.bits === undefined) continue;
    if (m.key.endsWith('Valid'))
      masks.set(
        m.key,
        m.bits.reduce((acc, b) => acc + 2 ** b.bit, 0),
      );
    else for (const b of m.bits) if (b.alarm === true) bits.push([m.key, b.bit]);
  }
  return [bits, masks];
}
