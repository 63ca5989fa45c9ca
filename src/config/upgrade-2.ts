/**
 * Configuration version 1 → 2: one device, one place (issue 13). Version 1
 * described a physical device up to three times — as a gateway TCP device
 * (`modbus.tcpDevices[]`: name, host, port, unitId, virtualId, timeoutMs,
 * oneInFlight), as a datalogger device (`devices.list[]`), and, for a wireless
 * one, as a paired device (`wireless.devices[]`: rfId, model, name, label,
 * virtualId). Version 2 keeps `devices.list` only:
 *
 * - a gateway TCP device whose host/port/unit is a datalogger device's TCP
 *   location is merged into it (it takes the `virtualId` and `oneInFlight`;
 *   the datalogger's name, model, timeout and sampling stay); otherwise it
 *   becomes a new device without a model (routed, not sampled), with the
 *   next id;
 * - a paired wireless device whose radio id is a datalogger device's is
 *   merged likewise (`virtualId`, `label`; its name when the datalogger's is
 *   longer than a wireless name may be); otherwise it becomes a new device
 *   with its model, sampled at the default period — pairing now logs a sensor
 *   without a second step, and the upgraded configuration behaves the same.
 *
 * Works on the raw document (defaults may be absent: version 1 files are
 * imported as written); anything malformed (a list that is not a list of
 * objects) is left where it is, for validation to report.
 */
import { MAX_WIRELESS_NAME } from './schema-wireless.js';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const objects = (v: unknown): Json[] => (Array.isArray(v) ? v.filter(isObject) : []);
/** A list the step can merge: absent, or an array of objects (anything else stays, for validation to refuse). */
const mergeable = (v: unknown): v is Json[] | undefined =>
  v === undefined || (Array.isArray(v) && v.every(isObject));

interface Builder {
  readonly list: Json[];
  readonly names: Set<string>;
  nextId: number;
}

function uniqueName(b: Builder, wanted: unknown, fallback: string): string {
  const base = typeof wanted === 'string' && wanted.trim() !== '' ? wanted.trim() : fallback;
  let name = base;
  for (let n = 2; b.names.has(name); n++) name = `${base} (${n})`;
  b.names.add(name);
  return name;
}

function tcpMatch(b: Builder, t: Json): Json | undefined {
  const host = String(t.host ?? '').toLowerCase();
  const port = t.port ?? 502;
  const unit = t.unitId ?? 255;
  return b.list.find((d) => {
    const loc = d.location;
    return (
      isObject(loc) &&
      loc.kind === 'tcp' &&
      String(loc.host ?? '').toLowerCase() === host &&
      (loc.port ?? 502) === port &&
      (loc.unit ?? 255) === unit &&
      d.virtualId === undefined
    );
  });
}

function mergeTcp(b: Builder, t: Json): void {
  const found = tcpMatch(b, t);
  if (found && isObject(found.location)) {
    found.virtualId = t.virtualId;
    found.location = { ...found.location, oneInFlight: t.oneInFlight ?? false };
    return;
  }
  b.list.push({
    id: b.nextId++,
    name: uniqueName(b, t.name, `TCP device ${String(t.virtualId)}`),
    enabled: true,
    location: {
      kind: 'tcp',
      host: t.host,
      port: t.port ?? 502,
      unit: t.unitId ?? 255,
      timeoutMs: t.timeoutMs ?? 1000,
      oneInFlight: t.oneInFlight ?? false,
    },
    virtualId: t.virtualId,
  });
}

function mergeWireless(b: Builder, w: Json): void {
  const rfId = String(w.rfId ?? '').toUpperCase();
  const found = b.list.find(
    (d) =>
      isObject(d.location) &&
      d.location.kind === 'wireless' &&
      String(d.location.rfId).toUpperCase() === rfId,
  );
  const virtual = w.virtualId === undefined ? {} : { virtualId: w.virtualId };
  if (found && isObject(found.location)) {
    Object.assign(found, virtual);
    found.location = { ...found.location, label: w.label ?? '' };
    if (
      typeof found.name === 'string' &&
      found.name.length > MAX_WIRELESS_NAME &&
      typeof w.name === 'string'
    ) {
      b.names.delete(found.name);
      found.name = uniqueName(b, w.name, rfId);
    }
    return;
  }
  b.list.push({
    id: b.nextId++,
    name: uniqueName(b, w.name, rfId.slice(-6)),
    model: w.model,
    enabled: true,
    location: { kind: 'wireless', rfId: w.rfId, label: w.label ?? '' },
    ...virtual,
  });
}

export function upgradeToVersion2(config: unknown): unknown {
  if (!isObject(config)) return config;
  const out = structuredClone(config);
  const devices = isObject(out.devices) ? out.devices : {};
  const list = objects(devices.list);
  const ids = list.map((d) => d.id).filter((id): id is number => typeof id === 'number');
  const given = typeof devices.nextId === 'number' ? devices.nextId : 1;
  const b: Builder = {
    list,
    names: new Set(list.map((d) => String(d.name))),
    nextId: Math.max(given, ...ids.map((id) => id + 1)),
  };
  if (isObject(out.modbus) && mergeable(out.modbus.tcpDevices)) {
    for (const t of objects(out.modbus.tcpDevices)) mergeTcp(b, t);
    delete out.modbus.tcpDevices;
  }
  if (isObject(out.wireless) && mergeable(out.wireless.devices)) {
    for (const w of objects(out.wireless.devices)) mergeWireless(b, w);
    delete out.wireless.devices;
  }
  if (b.list.length > 0 || isObject(out.devices))
    out.devices = { ...devices, nextId: b.nextId, list: b.list };
  return out;
}
