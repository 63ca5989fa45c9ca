/**
 * CSV export of history points (UTF-8, RFC 4180 line ends, one point per
 * line): `timestamp,time_ms,series,value,quality`. Timestamps are ISO 8601
 * UTC with milliseconds plus the same instant in epoch milliseconds; values
 * use the shortest text that reads back as the same float64, and the IEEE
 * specials as `NaN`, `Infinity`, `-Infinity` and `-0`, so an export
 * round-trips exactly (NaN payloads aside). Series ids start with a letter or
 * digit (SERIES_ID_PATTERN), so no cell can start a spreadsheet formula.
 */
import type { Columns } from '../codec/chunk-codec.js';

const LINES_PER_PIECE = 2048;

export function csvHeader(): string {
  return 'timestamp,time_ms,series,value,quality\r\n';
}

export function csvValue(v: number): string {
  if (v === 0 && 1 / v < 0) return '-0';
  return String(v);
}

/** Lines for points [from, to) of `p`, in pieces of about 2048 lines. */
export function* csvLines(series: string, p: Columns, from: number, to: number): Generator<string> {
  let piece = '';
  let lines = 0;
  for (let i = from; i < to; i++) {
    const t = p.t[i] as number;
    piece += `${new Date(t).toISOString()},${t},${series},${csvValue(p.v[i] as number)},${p.q[i]}\r\n`;
    if (++lines === LINES_PER_PIECE) {
      yield piece;
      piece = '';
      lines = 0;
    }
  }
  if (piece) yield piece;
}
