/**
 * RTU line timing (PRODUCT G5, ARCHITECTURE 15).
 *
 * - A character is 11 bits on the wire whatever the settings (start + 8 data +
 *   parity + stop, or start + 8 data + 2 stop without parity): the Modbus
 *   serial line specification counts 11 bits, and so do we, so a line with
 *   "no parity, 1 stop bit" (10 bits) is timed a little conservatively.
 * - t3.5, the silence that separates frames, is 3.5 characters up to 19200
 *   baud and a fixed 1.75 ms above (the specification's fixed value, which
 *   spares fast lines a sub-millisecond gap that UARTs cannot honour anyway).
 * - A request leaves the wire `bytes × charTime` after it is written: a pty
 *   or a USB adapter accepts it at once, so the response timeout starts from
 *   that computed end, not from the write call.
 *
 * `waitUntil(clock, at)` honours sub-millisecond instants although Node
 * timers truncate fractional delays (setTimeout(f, 1.75) waits 1 ms, and may
 * fire late): the bulk is a clock timer of whole milliseconds ending ≥ 1 ms
 * before `at`, the rest a setImmediate spin on `clock.monotonic()` (the
 * performance.now of the system clock), which keeps the event loop serving
 * I/O between checks. The spin costs at most ~2 ms of CPU per frame.
 */
import type { Clock } from '../shared/clock.js';

/** Bits per RTU character on the wire. */
export const RTU_CHAR_BITS = 11;
/** Above this baud rate t3.5 is fixed (and t1.5 would be 0.75 ms). */
export const FIXED_T35_ABOVE_BAUD = 19_200;
export const FIXED_T35_MS = 1.75;
/** The last stretch of a wait that is spun rather than slept. */
const SPIN_MS = 1;

/** One character's time on the wire, ms. */
export function charTimeMs(baud: number): number {
  return (RTU_CHAR_BITS * 1000) / baud;
}

/** The inter-frame silence t3.5, ms. */
export function t35Ms(baud: number): number {
  return baud > FIXED_T35_ABOVE_BAUD ? FIXED_T35_MS : 3.5 * charTimeMs(baud);
}

/** How long `bytes` take to leave the wire, ms. */
export function txTimeMs(bytes: number, baud: number): number {
  return bytes * charTimeMs(baud);
}

/** Resolves once `clock.monotonic() >= at` (sub-millisecond precise on the system clock). */
export function waitUntil(clock: Clock, at: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const spin = (): void => {
      if (clock.monotonic() >= at) resolve();
      else setImmediate(spin);
    };
    const bulk = Math.floor(at - clock.monotonic() - SPIN_MS);
    if (bulk >= 1) clock.setTimeout(spin, bulk);
    else spin();
  });
}
