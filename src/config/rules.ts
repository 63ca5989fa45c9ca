/**
 * Configuration rules that span several fields, checked after the schema
 * passed (same `{ path, message }` detail shape):
 *
 * - G2 unit-id ownership: every unit id has exactly one owner. 255 is the
 *   gateway; then virtual ids (`devices.list[].virtualId` of wireless and TCP
 *   devices, disabled ones included: their id stays theirs); then serial
 *   lines. Two owners for one id are rejected with a message naming both
 *   (e.g. a TCP virtual id equal to a serial slave id, two lines serving the
 *   same id). A wireless device without `virtualId` gets the first id from
 *   100 that nobody owns, at start (src/wireless/virtual-ids.ts), so it never
 *   conflicts. A serial device takes no virtual id (it is reached at its slave
 *   address through its line).
 * - Wireless: at most 100 wireless devices (W1), each with a model and a name
 *   of at most 20 characters (register 31001); radio ids unique among
 *   simulated sensors. `wirelessTransitionErrors` refuses a change that turns
 *   `permanentlyDisabled` back off (W5, irreversible).
 * - Names are unique: serial line names, serial line paths.
 * - A serial line has what its transport needs: a device `path` for 'serial',
 *   a `host` for 'rtu-over-tcp'.
 * - Networks referenced by `modbus.server` and `web.enabled` exist; an address belongs to one network.
 * - `maxConnectionsPerSource` <= `maxConnections`; `web.connections.perSource` <= `max`.
 * - Devices (`devices`, schema-devices.ts): ids unique and below `nextId`
 *   (ids are never reused), names unique, locations unique (one serial
 *   line + slave, one TCP host/port/unit, one radio id per device), a serial
 *   location names an existing serial line, at most `acquisition.maxDevices`
 *   wired devices and 128 routed TCP devices (G6), chosen measurements need a
 *   model. Whether the model exists is checked where the model catalog is
 *   known (the devices API); the poller reports an unknown model in the
 *   device's status.
 */
import type { ErrorDetail } from '../shared/errors.js';
import { type Config, MAX_TCP_DEVICES } from './schema.js';
import { locationKey } from './schema-devices.js';
import { MAX_WIRELESS_DEVICES, MAX_WIRELESS_NAME } from './schema-wireless.js';

/** The gateway's own unit id (PRODUCT G2). */
export const GATEWAY_UNIT_ID = 255;

interface Claim {
  /** Human name of the owner, e.g. `TCP device "meter-1" (virtual id)`. */
  owner: string;
  /** Where the claim is written in the configuration. */
  path: string;
}

/** Collects unit-id claims; the first claim of an id wins, later ones are conflicts. */
class UnitOwnership {
  readonly #claims = new Map<number, Claim>();
  readonly #details: ErrorDetail[];

  constructor(details: ErrorDetail[]) {
    this.#details = details;
    this.#claims.set(GATEWAY_UNIT_ID, { owner: 'the gateway itself (unit 255)', path: '(reserved)' });
  }

  claim(id: number, owner: string, path: string): void {
    const first = this.#claims.get(id);
    if (!first) {
      this.#claims.set(id, { owner, path });
      return;
    }
    const where = first.path === '(reserved)' ? '' : ` at ${first.path}`;
    this.#details.push({
      path,
      message: `unit id ${id} has two owners: ${first.owner}${where} and ${owner}; each unit id must have exactly one owner`,
    });
  }
}

function checkUnitIds(cfg: Config, details: ErrorDetail[]): void {
  const owners = new UnitOwnership(details);
  // Precedence order (G2): virtual ids (wireless and TCP devices) before serial lines.
  cfg.devices.list.forEach((d, i) => {
    if (d.virtualId === undefined || d.location.kind === 'serial') return;
    const kind = d.location.kind === 'tcp' ? 'TCP' : 'wireless';
    owners.claim(d.virtualId, `${kind} device "${d.name}" (virtual id)`, `/devices/list/${i}/virtualId`);
  });
  cfg.modbus.serialLines.forEach((line, i) => {
    line.unitIds.forEach((id, j) => {
      owners.claim(id, `serial line "${line.name}"`, `/modbus/serialLines/${i}/unitIds/${j}`);
    });
  });
}

function checkUnique(
  values: readonly string[],
  what: string,
  pathOf: (i: number) => string,
  out: ErrorDetail[],
): void {
  const first = new Map<string, number>();
  values.forEach((v, i) => {
    const prev = first.get(v);
    if (prev === undefined) first.set(v, i);
    else
      out.push({
        path: pathOf(i),
        message: `${what} ${JSON.stringify(v)} is already used at ${pathOf(prev)}`,
      });
  });
}

function checkNames(cfg: Config, details: ErrorDetail[]): void {
  const { serialLines } = cfg.modbus;
  checkUnique(
    serialLines.map((l) => l.name),
    'serial line name',
    (i) => `/modbus/serialLines/${i}/name`,
    details,
  );
  const serialPaths = serialLines.map((l, i) => [l.path, i] as const).filter(([p]) => p !== '');
  checkUnique(
    serialPaths.map(([p]) => p),
    'serial device path',
    (k) => `/modbus/serialLines/${serialPaths[k]?.[1]}/path`,
    details,
  );
}

function checkSerialTransports(cfg: Config, details: ErrorDetail[]): void {
  cfg.modbus.serialLines.forEach((line, i) => {
    if (line.transport === 'serial' && line.path === '') {
      details.push({
        path: `/modbus/serialLines/${i}/path`,
        message: 'a serial line with transport "serial" needs the path of its serial device',
      });
    }
    if (line.transport === 'rtu-over-tcp' && line.host === undefined) {
      details.push({
        path: `/modbus/serialLines/${i}/host`,
        message: 'a serial line with transport "rtu-over-tcp" needs the host of its serial device server',
      });
    }
  });
}

function checkNetworks(cfg: Config, details: ErrorDetail[]): void {
  const known = new Set(Object.keys(cfg.networks));
  const { server } = cfg.modbus;
  const refs: Array<[string, string]> = [
    ...Object.keys(server.enabled).map((n): [string, string] => [n, `/modbus/server/enabled/${n}`]),
    ...Object.keys(server.allowList).map((n): [string, string] => [n, `/modbus/server/allowList/${n}`]),
    ...Object.keys(cfg.web.enabled).map((n): [string, string] => [n, `/web/enabled/${n}`]),
  ];
  for (const [name, path] of refs) {
    if (!known.has(name)) {
      details.push({
        path,
        message: `network "${name}" is not defined in /networks (known: ${[...known].join(', ')})`,
      });
    }
  }
  const owner = new Map<string, string>();
  for (const [name, net] of Object.entries(cfg.networks)) {
    net.addresses.forEach((a, i) => {
      const prev = owner.get(a);
      if (prev === undefined) owner.set(a, name);
      else
        details.push({
          path: `/networks/${name}/addresses/${i}`,
          message: `address ${a} already belongs to network "${prev}"`,
        });
    });
  }
}

function checkLimits(cfg: Config, details: ErrorDetail[]): void {
  const s = cfg.modbus.server;
  if (s.maxConnectionsPerSource > s.maxConnections) {
    details.push({
      path: '/modbus/server/maxConnectionsPerSource',
      message: `must be <= maxConnections (${s.maxConnections})`,
    });
  }
  const w = cfg.web.connections;
  if (w.perSource > w.max) {
    details.push({ path: '/web/connections/perSource', message: `must be <= max (${w.max})` });
  }
}

function checkDeviceIds(cfg: Config, details: ErrorDetail[]): void {
  const { list, nextId } = cfg.devices;
  checkUnique(
    list.map((d) => String(d.id)),
    'device id',
    (i) => `/devices/list/${i}/id`,
    details,
  );
  list.forEach((d, i) => {
    if (d.id >= nextId) {
      details.push({
        path: `/devices/list/${i}/id`,
        message: `device id ${d.id} must be below /devices/nextId (${nextId}): ids are given from nextId and never reused`,
      });
    }
  });
}

function checkCounts(cfg: Config, details: ErrorDetail[]): void {
  const { list } = cfg.devices;
  const wired = list.filter((d) => d.location.kind !== 'wireless').length;
  const max = cfg.acquisition.maxDevices;
  if (wired > max) {
    details.push({
      path: '/devices/list',
      message: `${wired} wired devices is more than /acquisition/maxDevices (${max})`,
    });
  }
  const routed = list.filter((d) => d.location.kind === 'tcp' && d.virtualId !== undefined).length;
  if (routed > MAX_TCP_DEVICES) {
    details.push({
      path: '/devices/list',
      message: `${routed} TCP devices with a virtual id is more than the gateway's ${MAX_TCP_DEVICES}`,
    });
  }
  const wireless = list.length - wired;
  if (wireless > MAX_WIRELESS_DEVICES) {
    details.push({
      path: '/devices/list',
      message: `${wireless} wireless devices is more than ${MAX_WIRELESS_DEVICES}`,
    });
  }
}

/** What one device's fields need of each other (location kind, model, name length). */
function checkDeviceFields(cfg: Config, details: ErrorDetail[]): void {
  cfg.devices.list.forEach((d, i) => {
    const at = `/devices/list/${i}`;
    if (d.location.kind === 'serial' && d.virtualId !== undefined) {
      details.push({
        path: `${at}/virtualId`,
        message: `a serial device is reached at its slave address (${d.location.slave}) through its line: list it in the line's unitIds instead of giving it a virtual id`,
      });
    }
    if (d.model === undefined && d.measurements !== undefined && d.measurements.length > 0) {
      details.push({
        path: `${at}/measurements`,
        message: 'measurements are chosen from a model: set the model first',
      });
    }
    if (d.location.kind !== 'wireless') return;
    if (d.model === undefined) {
      details.push({ path: `${at}/model`, message: 'a wireless device needs the model of its family' });
    }
    if (d.name.length > MAX_WIRELESS_NAME) {
      details.push({
        path: `${at}/name`,
        message: `a wireless device's name has at most ${MAX_WIRELESS_NAME} characters (register 31001)`,
      });
    }
  });
}

function checkDevices(cfg: Config, details: ErrorDetail[]): void {
  const { list } = cfg.devices;
  checkCounts(cfg, details);
  checkDeviceFields(cfg, details);
  checkDeviceIds(cfg, details);
  checkUnique(
    list.map((d) => d.name),
    'device name',
    (i) => `/devices/list/${i}/name`,
    details,
  );
  checkUnique(
    list.map((d) => locationKey(d.location)),
    'device location',
    (i) => `/devices/list/${i}/location`,
    details,
  );
  const lines = new Set(cfg.modbus.serialLines.map((l) => l.name));
  list.forEach((d, i) => {
    if (d.location.kind === 'serial' && !lines.has(d.location.line)) {
      details.push({
        path: `/devices/list/${i}/location/line`,
        message: `serial line "${d.location.line}" is not defined in /modbus/serialLines`,
      });
    }
  });
}

function checkWireless(cfg: Config, details: ErrorDetail[]): void {
  const { simulator } = cfg.wireless;
  checkUnique(
    simulator.sensors.map((s) => s.rfId.toUpperCase()),
    'simulated sensor radio id',
    (i) => `/wireless/simulator/sensors/${i}/rfId`,
    details,
  );
}

/**
 * Problems of a change from `prev` to `next` that no single document shows
 * (PRODUCT W5): wireless, once permanently disabled, stays so.
 */
export function wirelessTransitionErrors(prev: Config, next: Config): ErrorDetail[] {
  if (!prev.wireless.permanentlyDisabled || next.wireless.permanentlyDisabled) return [];
  return [
    {
      path: '/wireless/permanentlyDisabled',
      message: 'wireless was permanently disabled: this cannot be undone',
    },
  ];
}

/** All cross-field problems of a schema-valid configuration (empty when consistent). */
export function crossFieldErrors(cfg: Config): ErrorDetail[] {
  const details: ErrorDetail[] = [];
  checkUnitIds(cfg, details);
  checkNames(cfg, details);
  checkSerialTransports(cfg, details);
  checkNetworks(cfg, details);
  checkLimits(cfg, details);
  checkDevices(cfg, details);
  checkWireless(cfg, details);
  return details;
}
