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
 * 4. Plausibility (issue 15): every candidate of step 2 or 3 is checked by
 *    reading one voltage, the frequency and one current of its map
 *    (probe.ts, plausibility.ts); a candidate whose values come back
 *    implausible (1.4e-45 V, 2 kHz, NaN, a refused read …) is dropped and
 *    listed in `rejected`. This applies to 43/14 matches too: an identity is
 *    only a claim (the TCP simulator of the README answers with the demo
 *    meter's identity over registers that hold a test pattern). When every
 *    43/14 candidate is dropped, the register identification still runs.
 */
import {
  DeviceIdObjects,
  decodeResponse,
  encodeRequest,
  type ModbusRequest,
  ReadDeviceIdCodes,
} from '../../protocol/modbus/index.js';
import { compileMeasurement, decodeMeasurement, type ReadingValue } from '../decode.js';
import type { ResolvedModel } from '../model-schema.js';
import type { DeviceIdentity, ModelMatcher } from '../model-source.js';
import { ask, type ProbeCache, probeModel, type Send } from './probe.js';

export type { Send } from './probe.js';

/** A candidate model dropped because its values read back implausible. */
export interface RejectedModel {
  readonly id: string;
  readonly reasons: readonly string[];
}

export interface Identification {
  /** The device answered something. */
  readonly present: boolean;
  readonly identity: DeviceIdentity | undefined;
  /** Matching model ids, best first. */
  readonly models: string[];
  readonly via: '43/14' | 'registers' | 'none';
  /** Candidates dropped by the plausibility check (absent when none was). */
  readonly rejected?: readonly RejectedModel[];
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

/** The candidates whose probed values are plausible, in order; the others go to `rejected`. */
async function keepPlausible(
  send: Send,
  models: ModelMatcher,
  ids: readonly string[],
  cache: ProbeCache,
  rejected: RejectedModel[],
): Promise<string[]> {
  const out: string[] = [];
  for (const id of ids) {
    const model = models.get(id);
    const verdict = model ? await probeModel(send, model, cache) : { plausible: true as const };
    if (verdict.plausible) out.push(id);
    else rejected.push({ id, reasons: verdict.reasons });
  }
  return out;
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
  const cache: ProbeCache = new Map();
  const rejected: RejectedModel[] = [];
  const byIdent = await keepPlausible(send, models, identity ? models.match(identity) : [], cache, rejected);
  const more = () => (rejected.length > 0 ? { rejected } : {});
  if (byIdent.length > 0) return { present: true, identity, models: byIdent, via: '43/14', ...more() };
  const candidates = await matchByRegisters(send, models, opts.maxRegisterProbes ?? 16);
  const byRegs = await keepPlausible(send, models, candidates, cache, rejected);
  const present = ident !== 'silent' || candidates.length > 0;
  const via = byRegs.length > 0 ? 'registers' : 'none';
  return { present, identity, models: byRegs, via, ...more() };
}
