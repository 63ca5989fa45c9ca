/**
 * The demo's serial line: a socat pty pair (sim/pty-pair.ts) with an RTU
 * slave simulator on one end playing demo meters (the same moving values and
 * register layout as sim/panel.ts), Wattgate's serial line on the other.
 * Only when socat is installed; the demo says so when it is not.
 */
import type { Clock } from '../src/shared/clock.js';
import { startRtuSlave } from './modbus/rtu-slave.js';
import { movingMeters } from './panel.js';
import { openPtyPair, socatInstalled } from './pty-pair.js';

export interface SerialPanel {
  /** The end Wattgate opens. */
  readonly path: string;
  readonly units: readonly number[];
  close(): Promise<void>;
}

export async function startSerialPanel(opts: {
  units: readonly number[];
  clock: Clock;
  baud: number;
}): Promise<SerialPanel | undefined> {
  if (!socatInstalled()) return undefined;
  const pair = await openPtyPair();
  const slave = await startRtuSlave({ path: pair.b, baud: opts.baud, parity: 'even', units: opts.units });
  const meters = movingMeters((u) => slave.bank(u), { units: opts.units, clock: opts.clock });
  return {
    path: pair.a,
    units: opts.units,
    async close() {
      meters.stop();
      await slave.close();
      await pair.close();
    },
  };
}
