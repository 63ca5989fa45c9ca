/**
 * Clock alignment of sampling periods (PRODUCT L3), pure. Periods are aligned
 * to the Unix epoch in UTC: a 15-minute period samples at :00, :15, :30, :45
 * UTC; 60 minutes at every UTC hour (in a time zone with a 30- or 45-minute
 * offset that is not the local hour). A sample's timestamp is the start of its
 * period.
 */

/** Start of the period containing `now`. */
export function periodStart(now: number, periodMs: number): number {
  return Math.floor(now / periodMs) * periodMs;
}

/** The first period boundary strictly after `now`. */
export function nextBoundary(now: number, periodMs: number): number {
  return periodStart(now, periodMs) + periodMs;
}

/**
 * What a timer that fires at `now` should do, given the last boundary already
 * sampled: sample boundary `t` (and report how many boundaries in between were
 * missed — they are not replayed), or nothing yet (the wall clock is before
 * the next boundary: early timer, or the clock was stepped back).
 */
export function due(
  now: number,
  periodMs: number,
  last: number | undefined,
): { t: number; missed: number } | undefined {
  const t = periodStart(now, periodMs);
  if (last !== undefined && t <= last) return undefined;
  const missed = last === undefined ? 0 : Math.max(0, Math.round((t - last) / periodMs) - 1);
  return { t, missed };
}
