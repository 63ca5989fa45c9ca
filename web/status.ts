/**
 * The service status menu's rows, derived from the API: the health board's
 * reasons (history, audit, web), Modbus diagnostics (listeners, serial
 * lines and their backed-off slaves), the wireless overview (radio, devices
 * connected) and the polled devices' communication states.
 */
import type { DeviceEntry, Health, WirelessOverview } from './api.js';

export type Level = 'ok' | 'warn' | 'fault' | 'off';

export interface ServiceRow {
  readonly name: string;
  readonly level: Level;
  readonly reason: string;
  readonly href: string;
}

export interface ModbusDiag {
  server: { connections: { listening: number; current: number } };
  serialLines: { name: string; enabled: boolean; open: boolean; backedOffSlaves: number[] }[];
}

function fromHealth(health: Health, prefix: string, name: string, href: string): ServiceRow {
  const mine = health.reasons.filter((r) => r.key.startsWith(prefix));
  const worst = mine.find((r) => r.severity === 'out-of-order') ?? mine[0];
  if (worst === undefined) return { name, level: 'ok', reason: 'working', href };
  return { name, level: worst.severity === 'out-of-order' ? 'fault' : 'warn', reason: worst.message, href };
}

function wirelessRow(w: WirelessOverview): ServiceRow {
  const name = 'Wireless network';
  const href = '/monitoring';
  if (!w.radioOn)
    return {
      name,
      level: 'off',
      reason: w.permanentlyDisabled ? 'permanently disabled' : 'switched off',
      href,
    };
  const lost = w.devices.filter((d) => d.status !== 'connected').length;
  if (lost === 0) return { name, level: 'ok', reason: `${w.devices.length} devices connected`, href };
  return { name, level: 'warn', reason: `${lost} of ${w.devices.length} devices not connected`, href };
}

export function serviceRows(
  health: Health,
  modbus: ModbusDiag | undefined,
  devices: DeviceEntry[],
  wireless: WirelessOverview | undefined,
): ServiceRow[] {
  const rows: ServiceRow[] = [];
  if (modbus) {
    const l = modbus.server.connections.listening;
    rows.push({
      name: 'Modbus gateway',
      level: l > 0 ? 'ok' : 'warn',
      reason:
        l > 0 ? `listening (${modbus.server.connections.current} clients)` : 'not listening on any network',
      href: '/maintenance/diagnostics',
    });
    for (const line of modbus.serialLines) {
      const href = '/maintenance/diagnostics';
      const name = `Serial line ${line.name}`;
      if (!line.enabled) rows.push({ name, level: 'off', reason: 'switched off', href });
      else if (!line.open) rows.push({ name, level: 'fault', reason: 'port not open', href });
      else if (line.backedOffSlaves.length > 0)
        rows.push({ name, level: 'warn', reason: `not answering: ${line.backedOffSlaves.join(', ')}`, href });
      else rows.push({ name, level: 'ok', reason: 'working', href });
    }
  }
  if (wireless) rows.push(wirelessRow(wireless));
  const polled = devices.filter((d) => d.status.state !== 'disabled' && d.status.state !== 'not-polled');
  const failing = polled.filter((d) => d.status.state === 'error' || d.status.state === 'backed-off');
  rows.push({
    name: 'Data sampling',
    level: failing.length === 0 ? 'ok' : failing.length === polled.length ? 'fault' : 'warn',
    reason:
      failing.length === 0
        ? `${polled.length} devices answering`
        : `${failing.length} of ${polled.length} devices not answering`,
    href: '/monitoring',
  });
  rows.push(fromHealth(health, 'history.', 'History storage', '/maintenance/diagnostics'));
  rows.push(fromHealth(health, 'audit.', 'Audit log', '/maintenance/logs'));
  rows.push(fromHealth(health, 'web.', 'HTTPS', '/maintenance/diagnostics'));
  return rows;
}

export function worst(rows: readonly ServiceRow[]): Level {
  if (rows.some((r) => r.level === 'fault')) return 'fault';
  if (rows.some((r) => r.level === 'warn')) return 'warn';
  return 'ok';
}
