/**
 * A simulated switchboard for the demo and manual testing: one Modbus TCP
 * slave playing several three-phase meters (one unit id each) whose values
 * move like real ones — voltage around 230 V with noise, a current that
 * follows a daily load curve, power = U·I·PF, and an energy counter that only
 * grows. The register layout is Wattgate's own generic demo layout (documented
 * below), not any real product's map; device models arrive with their issue.
 *
 *   holding  0–1   voltage L-N       float32  V
 *   holding  2–3   current           float32  A
 *   holding  4–5   active power      float32  kW
 *   holding  6–7   power factor      float32  —
 *   holding  8–9   frequency         float32  Hz
 *   holding 10–13  active energy     uint64   Wh (cumulative)
 */

import { encodeValue } from '../src/protocol/modbus/index.js';
import type { Clock } from '../src/shared/clock.js';
import { startTcpSlave, type TcpSlave, type UnitBank } from './modbus/tcp-slave.js';

export const DEMO_METER_LAYOUT = [
  { address: 0, name: 'voltage', type: 'float32', unit: 'V' },
  { address: 2, name: 'current', type: 'float32', unit: 'A' },
  { address: 4, name: 'activePower', type: 'float32', unit: 'kW' },
  { address: 6, name: 'powerFactor', type: 'float32', unit: '' },
  { address: 8, name: 'frequency', type: 'float32', unit: 'Hz' },
  { address: 10, name: 'activeEnergy', type: 'uint64', unit: 'Wh' },
] as const;

export interface PanelOptions {
  units: readonly number[];
  clock: Clock;
  port?: number;
  /** How often values move, ms (default 1000). */
  periodMs?: number;
  random?: () => number;
}

export interface Panel {
  readonly slave: TcpSlave;
  readonly port: number;
  /** Moves every meter's values to the clock's current time. */
  tick(): void;
  close(): Promise<void>;
}

/** Daily load shape between 0.2 (night) and 1 (early afternoon). */
export function loadShape(ms: number): number {
  const hour = (ms / 3_600_000) % 24;
  return 0.6 - 0.4 * Math.cos(((hour - 2) / 24) * 2 * Math.PI);
}

/** Moves the demo meter values of `units` in their banks, every `periodMs` (default 1 s) on `clock`. */
export function movingMeters(
  bankOf: (unit: number) => UnitBank,
  opts: { units: readonly number[]; clock: Clock; periodMs?: number; random?: () => number },
): { tick(): void; stop(): void } {
  const random = opts.random ?? Math.random;
  const energyWh = new Map<number, number>(opts.units.map((u) => [u, 1_000_000 * u]));
  let last = opts.clock.now();
  const f32 = (v: number) => encodeValue({ type: 'float32' }, v);
  const tick = () => {
    const now = opts.clock.now();
    const hours = Math.max(0, now - last) / 3_600_000;
    last = now;
    for (const unit of opts.units) {
      const voltage = 230 + (random() - 0.5) * 4;
      const current = (10 + 15 * (unit % 10)) * loadShape(now) * (0.95 + random() * 0.1);
      const pf = 0.9 + random() * 0.08;
      const kw = (3 * voltage * current * pf) / 1000;
      const wh = (energyWh.get(unit) ?? 0) + kw * 1000 * hours;
      energyWh.set(unit, wh);
      const regs = [
        ...f32(voltage),
        ...f32(current),
        ...f32(kw),
        ...f32(pf),
        ...f32(50 + (random() - 0.5) * 0.1),
        ...encodeValue({ type: 'uint64' }, BigInt(Math.floor(wh))),
      ];
      bankOf(unit).setRegisters('holding', 0, regs);
    }
  };
  tick();
  const timer = opts.clock.setInterval(tick, opts.periodMs ?? 1000);
  return { tick, stop: () => timer.cancel() };
}

export async function startPanel(opts: PanelOptions): Promise<Panel> {
  const slave = await startTcpSlave({ port: opts.port ?? 0, units: opts.units });
  const meters = movingMeters((u) => slave.bank(u), opts);
  return {
    slave,
    port: slave.port,
    tick: meters.tick,
    async close() {
      meters.stop();
      await slave.close();
    },
  };
}
