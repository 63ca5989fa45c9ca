/**
 * String formats used by the configuration schemas, registered once in
 * TypeBox's format registry (importing this module registers them). They stay
 * plain JSON Schema `format` keywords, so the schema still serialises for the
 * web UI; the checks themselves are the functions exported here.
 */
import { isIP } from 'node:net';
import { Format } from 'typebox/format';

export const Formats = {
  ip: 'wattgate-ip',
  ipOrCidr: 'wattgate-ip-or-cidr',
  host: 'wattgate-host',
  timezone: 'wattgate-timezone',
} as const;

/** Human words for each format, used in validation messages. */
export const FORMAT_DESCRIPTIONS: Record<string, string> = {
  [Formats.ip]: 'an IPv4 or IPv6 address',
  [Formats.ipOrCidr]: 'an IPv4/IPv6 address or CIDR block (e.g. 192.168.1.0/24)',
  [Formats.host]: 'an IP address or DNS host name',
  [Formats.timezone]: 'an IANA time zone name (e.g. Europe/Paris, UTC)',
};

export function isIpAddress(v: string): boolean {
  return isIP(v) !== 0;
}

export function isIpOrCidr(v: string): boolean {
  const slash = v.indexOf('/');
  if (slash < 0) return isIpAddress(v);
  const family = isIP(v.slice(0, slash));
  const bits = v.slice(slash + 1);
  if (family === 0 || !/^\d{1,3}$/.test(bits)) return false;
  return Number(bits) <= (family === 4 ? 32 : 128);
}

const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

export function isHost(v: string): boolean {
  if (isIpAddress(v)) return true;
  const name = v.endsWith('.') ? v.slice(0, -1) : v;
  if (name.length === 0 || name.length > 253) return false;
  const labels = name.split('.');
  // An all-numeric last label would be a malformed IPv4 address, not a name.
  if (/^\d+$/.test(labels.at(-1) ?? '')) return false;
  return labels.every((l) => LABEL.test(l));
}

const TZ_SHAPE = /^(?:[A-Za-z][A-Za-z0-9_+-]*)(?:\/[A-Za-z0-9][A-Za-z0-9_+-]*)*$/;

export function isTimezone(v: string): boolean {
  if (v.length > 64 || !TZ_SHAPE.test(v)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: v });
    return true;
  } catch {
    return false;
  }
}

const CHECKS: ReadonlyArray<[string, (v: string) => boolean]> = [
  [Formats.ip, isIpAddress],
  [Formats.ipOrCidr, isIpOrCidr],
  [Formats.host, isHost],
  [Formats.timezone, isTimezone],
];

/**
 * (Re-)registers the formats. TypeBox treats an unregistered format as valid,
 * so validation calls this first: a `Format.Reset()` elsewhere cannot silently
 * weaken the checks.
 */
export function ensureFormats(): void {
  for (const [name, check] of CHECKS) if (Format.Get(name) !== check) Format.Set(name, check);
}

ensureFormats();
