/**
 * Identifying one Modbus device (PRODUCT L2): is something there, what does it
 * say it is, which model fits.
 *
 * 1. FC 43 / MEI 14, read code 2 (regular stream: VendorName, ProductCode,
 *    MajorMinorRevision, VendorUrl, ProductName, ModelName …), paging with
 *    more-follows (at most 8 pages); a device that refuses code 2 is asked for
 *    code 1 (basic). Any answer — objects or an exception — means the device
 *    is present. No answer at all (timeout) means absent on a serial line; on
 *    TCP, where the connection already proved a host, the register probes
 *    below still run.
 * 2. The objects are matched against the models' `identification` by the
 *    catalog (`ModelMatcher.match`).
 * 3. When that gives nothing, models that identify by a register
 *    (`identification.register`: a measurement key and the value it must have)
 *    are tried: each distinct register block is read once (at most
 *    `maxRegisterProbes`), decoded through the data-type table and compared
 *    (a string: regular expression; a number: equality).
 */
import {
  DeviceIdObjects,
  decodeResponse,
  encodeRequest,
  type ModbusRequest,
  ReadDeviceIdCodes,
} from '../../protocol/modbus/index.js';
import { isWattgateError } from '../../shared/errors.js';
import { compileMeasurement, decodeMeasurement, type ReadingValue } from '../decode.js';
import type { ResolvedModel } from '../model-schema.js';
import type { DeviceIdentity, ModelMatcher } from '../model-source.js';

/** Sends one request PDU to the device; rejects (WattgateError) when no answer came. */
export type Send = (pdu: Uint8Array) => Promise<Uint8Array>;

export interface Identification {
  /** The device answered something. */
  readonly present: boolean;
  readonly identity: DeviceIdentity | undefined;
  /** Matching model ids, best first. */
  readonly models: string[];
  readonly via: '43/14' | 'registers' | 'none';
}

export interface IdentifyOptions {
  /** Run the register probes even when 43/14 got no answer (TCP: the host is there). */
  readonly probeWhenSilent?: boolean;
  readonly maxRegisterProbes?: number;
}

const MAX_PAGES = 8;
const FIELDS: Readonly<Record<number, keyof DeviceIdentity>> = {
  [DeviceIdObjects.VENDOR_NAME]: 'vendorName',
  [DeviceIdObjects.PRODUCT_CODE]: 'productCode',
  [DeviceIdObjects.MAJOR_MINOR_REVISION]: 'revision',
  [DeviceIdObjects.VENDOR_URL]: 'vendorUrl',
  [DeviceIdObjects.PRODUCT_NAME]: 'productName',
  [DeviceIdObjects.MODEL_NAME]: 'modelName',
  [DeviceIdObjects.USER_APPLICATION_NAME]: 'userApplicationName',
};

type Answer = { kind: 'reply'; pdu: Uint8Array } | { kind: 'silent' };

async function ask(send: Send, pdu: Uint8Array): Promise<Answer> {
  try {
    return { kind: 'reply', pdu: await send(pdu) };
  } catch (e) {
    if (isWattgateError(e)) return { kind: 'silent' };
    throw e;
  }
}

const latin1 = (b: Uint8Array) => String.fromCharCode(...b).replace(/[\0\s]+$/, '');

/** Reads the 43/14 objects of one read code: objects, 'refused' (an exception) or 'silent'. */
async function readObjects(
  send: Send,
  readCode: number,
): Promise<Map<number, string> | 'refused' | 'silent'> {
  const objects = new Map<number, string>();
  let objectId = 0;
  for (let page = 0; page < MAX_PAGES; page++) {
    const request: ModbusRequest = { kind: 'read-device-identification', fc: 0x2b, readCode, objectId };
    const a = await ask(send, encodeRequest(request));
    if (a.kind === 'silent') return page === 0 ? 'silent' : objects;
    const r = decodeResponse(a.pdu, request);
    if (!r.ok || r.response.kind !== 'read-device-identification') return page === 0 ? 'refused' : objects;
    for (const o of r.response.objects) objects.set(o.id, latin1(o.value));
    if (!r.response.moreFollows || r.response.nextObjectId <= objectId) break;
    objectId = r.response.nextObjectId;
  }
  return objects;
}

function toIdentity(objects: ReadonlyMap<number, string>): DeviceIdentity {
  const out: Record<string, string> = {};
  for (const [id, text] of objects) {
    const field = FIELDS[id];
    if (field && text !== '') out[field] = text;
  }
  return out as DeviceIdentity;
}

/** FC 43/14: the identity, 'refused' (present, no identification) or 'silent' (no answer). */
export async function readIdentity(send: Send): Promise<DeviceIdentity | 'refused' | 'silent'> {
  const regular = await readObjects(send, ReadDeviceIdCodes.REGULAR);
  if (regular === 'silent') return 'silent';
  const objects = regular === 'refused' ? await readObjects(send, ReadDeviceIdCodes.BASIC) : regular;
  if (typeof objects === 'string') return 'refused';
  return toIdentity(objects);
}

function valueMatches(value: ReadingValue, want: string | number): boolean {
  if (value === null) return false;
  if (typeof want === 'number') return typeof value !== 'string' && Number(value) === want;
  try {
    return new RegExp(want).test(String(value));
  } catch {
    return false;
  }
}

/** Models that identify by a register, tried in catalog order; each register block read once. */
async function matchByRegisters(send: Send, models: ModelMatcher, maxProbes: number): Promise<string[]> {
  const cache = new Map<string, Uint8Array | null>();
  const out: string[] = [];
  for (const model of models.list()) {
    const probe = registerProbe(model);
    if (!probe) continue;
    const { c, pdu, key } = probe;
    if (!cache.has(key)) {
      if (cache.size >= maxProbes) break;
      const a = await ask(send, pdu);
      if (a.kind === 'silent') break; // no answer: asking more only costs more timeouts
      cache.set(key, a.pdu[0] === pdu[0] && a.pdu[1] === 2 * c.registers ? a.pdu : null);
    }
    const reply = cache.get(key);
    const want = model.identification?.register?.matches;
    if (reply && want !== undefined && valueMatches(decodeMeasurement(c, reply, 2), want)) out.push(model.id);
  }
  return out;
}

function registerProbe(model: ResolvedModel) {
  const reg = model.identification?.register;
  const m = reg && model.measurements.find((x) => x.key === reg.key);
  if (!m) return undefined;
  const c = compileMeasurement(m, model);
  const fc = c.table === 'holding' ? 3 : 4;
  const pdu = encodeRequest({ kind: 'read-registers', fc, address: c.address, quantity: c.registers });
  return { c, pdu, key: `${fc}/${c.address}/${c.registers}` };
}

export async function identifyDevice(
  send: Send,
  models: ModelMatcher,
  opts: IdentifyOptions = {},
): Promise<Identification> {
  const ident = await readIdentity(send);
  if (ident === 'silent' && !opts.probeWhenSilent) {
    return { present: false, identity: undefined, models: [], via: 'none' };
  }
  const identity = typeof ident === 'string' ? undefined : ident;
  const byIdent = identity ? models.match(identity) : [];
  if (byIdent.length > 0) return { present: true, identity, models: byIdent, via: '43/14' };
  const byRegs = await matchByRegisters(send, models, opts.maxRegisterProbes ?? 16);
  const present = ident !== 'silent' || byRegs.length > 0;
  return { present, identity, models: byRegs, via: byRegs.length > 0 ? 'registers' : 'none' };
}
