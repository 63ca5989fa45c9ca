/**
 * The reference's DATETIME (IEC 60870-5 style, 4 registers), as documented in
 * its Modbus_Tables "Data Type: DATETIME":
 *   reg 1  bits 0–6  year − 2000 (0–127),            bits 7–15 reserved
 *   reg 2  bits 0–4  day (1–31), bits 8–11 month (1–12), other bits reserved
 *   reg 3  bits 0–5  minutes (0–59), bits 8–12 hours (0–23), other bits reserved
 *   reg 4  milliseconds within the minute (0–59999)
 * Reserved bits are ignored on decode and written as 0. All four registers
 * 0xFFFF is the invalid marker. Times are UTC (PRODUCT.md N1).
 */
import { assertIntRange, invalidArgument } from './bytes.js';

export interface DateTimeValue {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  /** Seconds × 1000 + milliseconds, 0–59999. */
  millisecond: number;
}

/** Decodes 4 registers (canonical order). Never throws; fields may be out of range (see isValidDateTime). */
export function decodeDateTime(r: readonly number[]): DateTimeValue {
  const [r1 = 0, r2 = 0, r3 = 0, r4 = 0] = r;
  return {
    year: 2000 + (r1 & 0x7f),
    month: (r2 >> 8) & 0x0f,
    day: r2 & 0x1f,
    hour: (r3 >> 8) & 0x1f,
    minute: r3 & 0x3f,
    millisecond: r4 & 0xffff,
  };
}

export function isValidDateTime(dt: DateTimeValue): boolean {
  const dim = daysInMonth(dt.year, dt.month);
  return (
    dt.year >= 2000 &&
    dt.year <= 2127 &&
    dt.month >= 1 &&
    dt.month <= 12 &&
    dt.day >= 1 &&
    dt.day <= dim &&
    dt.hour >= 0 &&
    dt.hour <= 23 &&
    dt.minute >= 0 &&
    dt.minute <= 59 &&
    dt.millisecond >= 0 &&
    dt.millisecond <= 59999
  );
}

/** Encodes to 4 registers; throws INVALID_ARGUMENT on out-of-range fields. */
export function encodeDateTime(dt: DateTimeValue): number[] {
  if (typeof dt !== 'object' || dt === null)
    throw invalidArgument('datetime value must be an object', 'value');
  assertIntRange(dt.year, 2000, 2127, 'datetime.year');
  assertIntRange(dt.month, 1, 12, 'datetime.month');
  assertIntRange(dt.day, 1, daysInMonth(dt.year, dt.month), 'datetime.day');
  assertIntRange(dt.hour, 0, 23, 'datetime.hour');
  assertIntRange(dt.minute, 0, 59, 'datetime.minute');
  assertIntRange(dt.millisecond, 0, 59999, 'datetime.millisecond');
  return [dt.year - 2000, (dt.month << 8) | dt.day, (dt.hour << 8) | dt.minute, dt.millisecond];
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** UTC epoch milliseconds, or null when the fields are not a valid date-time. */
export function dateTimeToEpochMs(dt: DateTimeValue): number | null {
  if (!isValidDateTime(dt)) return null;
  return Date.UTC(dt.year, dt.month - 1, dt.day, dt.hour, dt.minute, 0, dt.millisecond);
}

/** From UTC epoch milliseconds (years 2000–2127); throws INVALID_ARGUMENT outside. */
export function dateTimeFromEpochMs(ms: number): DateTimeValue {
  const d = new Date(ms);
  const year = d.getUTCFullYear();
  if (!Number.isFinite(ms) || year < 2000 || year > 2127) {
    throw invalidArgument(`epoch ${ms} outside the DATETIME years 2000–2127`, 'epochMs');
  }
  return {
    year,
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    millisecond: d.getUTCSeconds() * 1000 + d.getUTCMilliseconds(),
  };
}
