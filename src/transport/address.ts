/**
 * Source-address helpers for connection limits and allow lists (G7, G10).
 * Addresses are normalised so that one host counts once: an IPv4-mapped IPv6
 * address (`::ffff:10.0.0.7`, what a dual-stack `::` listener reports for IPv4
 * peers) becomes plain `10.0.0.7`. Allow lists are compiled into a node:net
 * `BlockList` (used here as an allow list) from addresses and CIDR subnets,
 * IPv4 and IPv6.
 */
import { BlockList, isIP } from 'node:net';
import { ErrorCodes, type ErrorDetail, WattgateError } from '../shared/errors.js';

const MAPPED_V4 = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;

/** Canonical form of a peer address, or undefined when it is not an IP address. */
export function normaliseAddress(address: string | undefined): string | undefined {
  if (address === undefined) return undefined;
  const mapped = MAPPED_V4.exec(address);
  const plain = mapped?.[1] ?? address;
  const family = isIP(plain);
  if (family === 0) return undefined;
  return family === 6 ? plain.toLowerCase() : plain;
}

export function familyOf(address: string): 'ipv4' | 'ipv6' {
  return isIP(address) === 6 ? 'ipv6' : 'ipv4';
}

/** `1.2.3.4:502` or `[::1]:502`. */
export function formatHostPort(address: string, port: number | undefined): string {
  const host = isIP(address) === 6 ? `[${address}]` : address;
  return port === undefined ? host : `${host}:${port}`;
}

function parseEntry(entry: string): { address: string; prefix: number | undefined } | string {
  const slash = entry.indexOf('/');
  const rawAddress = slash < 0 ? entry.trim() : entry.slice(0, slash).trim();
  const address = normaliseAddress(rawAddress);
  if (address === undefined) return `"${entry}" is not an IPv4/IPv6 address or CIDR subnet`;
  if (slash < 0) return { address, prefix: undefined };
  const prefixText = entry.slice(slash + 1).trim();
  const prefix = Number(prefixText);
  const max = familyOf(address) === 'ipv6' ? 128 : 32;
  if (!/^\d{1,3}$/.test(prefixText) || prefix > max) {
    return `"${entry}" has a prefix length outside 0–${max}`;
  }
  return { address, prefix };
}

/**
 * Compiles an allow list. Entries: `192.168.1.10`, `10.0.0.0/8`, `fd00::/8`,
 * `::1`. Throws WG_ERR_INVALID_CONFIG naming every bad entry under `path`.
 */
export function compileAllowList(entries: readonly string[], path = '/allowList'): BlockList {
  const list = new BlockList();
  const details: ErrorDetail[] = [];
  entries.forEach((entry, i) => {
    const parsed = parseEntry(entry);
    if (typeof parsed === 'string') {
      details.push({ path: `${path}/${i}`, message: parsed });
      return;
    }
    const family = familyOf(parsed.address);
    if (parsed.prefix === undefined) list.addAddress(parsed.address, family);
    else list.addSubnet(parsed.address, parsed.prefix, family);
  });
  if (details.length > 0) {
    throw new WattgateError(ErrorCodes.INVALID_CONFIG, 'invalid allow-list entry', { details });
  }
  return list;
}

/** True when `address` (already normalised) matches an entry of the compiled list; false if unsure. */
export function isAllowed(list: BlockList, address: string): boolean {
  try {
    return list.check(address, familyOf(address));
  } catch {
    return false;
  }
}
