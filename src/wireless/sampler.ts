/**
 * Wireless sensors → periodic samples (PRODUCT L3, L4, W3). A sensor sends
 * frames at its own communication period (5–60 s); the datalogger takes one sample per
 * sampling period of its device entry (`devices.list[]` with location
 * `{ kind: 'wireless', rfId }`), aligned to the clock like the acquisition's
 * samples and stamped with the period boundary: the values of the latest frame,
 * provided it arrived within 2 × the sensor's communication period (the
 * wireless "connected" rule); otherwise every key of the last frame is stored
 * as a communication error (NaN), so the gap is visible. A device's
 * `measurements` selection limits the keys. The boundary timer runs every
 * minute (the shortest sampling period) on the injected clock.
 */
import type { DevicesConfig } from '../config/schema-devices.js';
import type { ReadingBatch } from '../devices/reading.js';
import type { Clock, TimerHandle } from '../shared/clock.js';
import type { WirelessReadingsEvent } from './events.js';
import { toReadingBatch } from './readings.js';

const MINUTE = 60_000;

export interface WirelessSamplerContext {
  clock: Clock;
  devices: () => DevicesConfig;
  /** Where each sample goes (`wireless.samples`). */
  /** Where each sample goes (`wireless.samples`). */
  record: (batch: ReadingBatch) => void;
}

export interface WirelessSampler {
  onReadings(ev: WirelessReadingsEvent): void;
  /** Samples every wireless device whose period ends at `boundary` (the timer calls it; tests may too). */
  sample(boundary: number): number;
  start(): void;
  stop(): void;
}

export function wirelessSampler(ctx: WirelessSamplerContext): WirelessSampler {
  const latest = new Map<string, WirelessReadingsEvent>();
  let timer: TimerHandle | undefined;
  const sample = (boundary: number): number => {
    let n = 0;
    for (const d of ctx.devices().list) {
      if (!d.enabled || d.location.kind !== 'wireless') continue;
      if (boundary % (d.periodMinutes * MINUTE) !== 0) continue;
      const ev = latest.get(d.location.rfId.toUpperCase());
      if (!ev) continue;
      const keys = d.measurements ? new Set(d.measurements) : undefined;
      const batch = toReadingBatch({ ...ev, t: boundary }, d.id, keys);
      const fresh = boundary - ev.t <= 2 * ev.periodMs;
      ctx.record(
        fresh
          ? batch
          : { ...batch, readings: batch.readings.map((r) => ({ ...r, value: null, quality: 'comm-error' })) },
      );
      n++;
    }
    return n;
  };
  const arm = () => {
    const now = ctx.clock.now();
    const next = Math.floor(now / MINUTE) * MINUTE + MINUTE;
    timer = ctx.clock.setTimeout(() => {
      sample(next);
      arm();
    }, next - now);
  };
  return {
    onReadings: (ev) => latest.set(ev.rfId.toUpperCase(), ev),
    sample,
    start: () => {
      if (!timer) arm();
    },
    stop: () => {
      timer?.cancel();
      timer = undefined;
    },
  };
}
