/**
 * Virtual Modbus server ids of the paired wireless devices (PRODUCT W3, G2).
 *
 * A device with a configured `virtualId` keeps it (rules.ts has already
 * refused a configuration where it shadows unit 255, a TCP virtual id, a
 * serial slave or another wireless device). A device without one gets the
 * first id from 100 (ref) that nobody owns — unit 255, TCP virtual ids,
 * serial unit ids, configured wireless ids, ids given to the devices before
 * it in the list — searching 100…247, then 1…99. When all 247 are taken the
 * device gets none (it is listed with the invalid address 0xFFFF and has no
 * virtual server). Pure.
 */
import type { ModbusConfig } from '../config/schema.js';
import type { DevicesConfig } from '../config/schema-devices.js';
import { FIRST_WIRELESS_VIRTUAL_ID } from '../config/schema-wireless.js';

const GATEWAY_UNIT = 255;
const MAX_ID = 247;

/** Unit ids owned by something else than a wireless device (TCP devices' virtual ids, serial unit ids). */
export function reservedUnitIds(modbus: ModbusConfig, devices: DevicesConfig): Set<number> {
  const ids = new Set<number>([GATEWAY_UNIT]);
  for (const d of devices.list)
    if (d.location.kind === 'tcp' && d.virtualId !== undefined) ids.add(d.virtualId);
  for (const line of modbus.serialLines) for (const id of line.unitIds) ids.add(id);
  return ids;
}

function* candidates(): Generator<number> {
  for (let id = FIRST_WIRELESS_VIRTUAL_ID; id <= MAX_ID; id++) yield id;
  for (let id = 1; id < FIRST_WIRELESS_VIRTUAL_ID; id++) yield id;
}

/** One id per device, in list order (undefined = none left). */
export function assignVirtualIds(
  devices: ReadonlyArray<{ readonly virtualId?: number | undefined }>,
  reserved: ReadonlySet<number>,
): Array<number | undefined> {
  const used = new Set(reserved);
  for (const d of devices) if (d.virtualId !== undefined) used.add(d.virtualId);
  return devices.map((d) => {
    if (d.virtualId !== undefined) return d.virtualId;
    for (const id of candidates()) {
      if (!used.has(id)) {
        used.add(id);
        return id;
      }
    }
    return undefined;
  });
}
