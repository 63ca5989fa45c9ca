/** Display helpers shared by the pages. */

export function formatValue(value: number | string | null): string {
  if (value === null) return '—';
  if (typeof value === 'string') return value; // 64-bit counters arrive as decimal strings
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  const digits = abs >= 1000 ? 0 : abs >= 100 ? 1 : abs >= 1 ? 2 : 3;
  return value.toLocaleString('en-GB', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

let zone = 'UTC';
let parts = new Intl.DateTimeFormat('en-GB', { timeZone: zone });

/** Times are shown in the installation's time zone (GET /api/v1/system), not the browser's. */
export function setTimeZone(z: string): void {
  try {
    parts = new Intl.DateTimeFormat('en-GB', {
      timeZone: z,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    zone = z;
  } catch {
    // an unknown zone keeps the previous one
  }
}
setTimeZone('UTC');

export function timeZone(): string {
  return zone;
}

/** Date and time as YYYY-MM-DD HH:MM:SS in the installation's zone (unambiguous in every country). */
export function localDateTime(d: Date): string {
  const p = Object.fromEntries(parts.formatToParts(d).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
}

export function formatTime(iso: string | null): string {
  if (iso === null) return 'never';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : localDateTime(d);
}
