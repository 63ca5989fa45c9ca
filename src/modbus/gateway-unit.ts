/**
 * The gateway's own unit (255, PRODUCT G2/G11/X1) as a `UnitTarget`. It
 * answers from a register image at the reference's addresses
 * (gateway-registers.ts) filled with Wattgate's own identity.
 *
 * Function codes:
 * - FC 3 and FC 100 sub-code 4 (scattered read) over the image. A read that
 *   touches any unmapped register — a gap between fields or beyond the map —
 *   is answered with exception 02 as a whole (no partial data, no filler).
 * - FC 43 / MEI 14 (read device identification): objects VendorName,
 *   ProductCode, MajorMinorRevision, VendorUrl, ProductName, ModelName;
 *   conformity 0x82 (regular stream + individual access); read codes 1–4 with
 *   more-follows paging; individual access to an unknown object → 02.
 * - FC 16 on exactly registers 116–119 (address 115, quantity 4), only
 *   when `modbus.server.allowTimeSetting` is true and a `setTime` callback is
 *   wired. An invalid date-time value → 03. Each accepted write calls
 *   `setTime(epochMs, source)` and then publishes `modbus.time-set` on the bus
 *   (the audit seam).
 * - FC 16 on exactly one resettable digital-input counter (1059/1061,
 *   1075/1077, 1107/1111; gateway-digital-inputs.ts) when a `digitalInputs`
 *   provider is wired: the invalid marker or a negative value → 03; an input
 *   that is absent or in the other mode (provider: INVALID_ARGUMENT) → 02.
 *   Any other FC 16 → 01.
 * - Every other function code (4, 6, 43 with another MEI, 100 with another
 *   sub-code …) → 01.
 * Dynamic registers (date/time, health, wireless list, digital inputs) are
 * refreshed per request; without a provider the wireless list is empty and
 * the digital inputs hold their invalid markers.
 */
import {
  answerReadDeviceId,
  ConformityLevels,
  DeviceIdObjects,
  dateTimeFromEpochMs,
  dateTimeToEpochMs,
  decodeDateTime,
  ExceptionCodes,
  encodeDateTime,
  encodeException,
  encodeResponse,
  type ModbusResponse,
  type ReadDeviceIdRequest,
  type WriteMultipleRegistersRequest,
} from '../protocol/modbus/index.js';
import type { Clock } from '../shared/clock.js';
import { ErrorCodes, hasCode } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { ModbusEventNames, type TimeSetEvent } from './events.js';
import {
  type DigitalInputsProvider,
  digitalInputWords,
  digitalInputWrite,
} from './gateway-digital-inputs.js';
import {
  asciiWords,
  DATETIME_COUNT,
  DATETIME_REGISTER,
  digitalInputFields,
  HEALTH_REGISTER,
  type HealthState,
  IdentityFields,
  invalidWords,
  PRODUCT_IDENTIFIER_REGISTER,
  WIRELESS_LIST_REGISTER,
  WIRELESS_SLOT_REGISTERS,
  WIRELESS_SLOTS,
  wirelessSlotWords,
} from './gateway-registers.js';
import { checkIdentity, type Identity } from './identity.js';
import { RegisterImage } from './register-image.js';
import { exceptionForError, type TargetRequest, type UnitTarget } from './target.js';

export const GATEWAY_UNIT_ID = 255;

export interface WirelessListEntry {
  readonly rfId: bigint;
  readonly virtualId: number;
}

export interface GatewayUnitContext {
  readonly log: Logger;
  readonly clock: Clock;
  /** The bus; only `modbus.time-set` is published. */
  readonly events: { emit(event: 'modbus.time-set', payload: TimeSetEvent): void };
  readonly identity: Identity;
  /** Live `modbus.server.allowTimeSetting`. */
  readonly allowTimeSetting: () => boolean;
  /** Default: always nominal. */
  readonly health?: () => HealthState;
  /** The wireless registry's list (src/wireless, `WirelessPart.list`); default: empty list. */
  readonly wirelessList?: () => readonly WirelessListEntry[];
  /** The local digital inputs (src/inputs, `InputsPart`); default: every DI register invalid. */
  readonly digitalInputs?: DigitalInputsProvider;
  /** Sets the system time; absent → time writes are refused (01) even when allowed. */
  readonly setTime?: (epochMs: number, source: string) => void | Promise<void>;
}

const addr = (register: number): number => register - 1;

function buildImage(identity: Identity): RegisterImage {
  const image = new RegisterImage();
  for (const f of IdentityFields) image.define(addr(f.register), asciiWords(identity[f.key] ?? '', f.count));
  image.define(addr(DATETIME_REGISTER), invalidWords('datetime', DATETIME_COUNT));
  image.define(addr(HEALTH_REGISTER), [0xffff]);
  image.define(addr(PRODUCT_IDENTIFIER_REGISTER), [0xffff]);
  const slots = WIRELESS_SLOTS * WIRELESS_SLOT_REGISTERS;
  image.define(addr(WIRELESS_LIST_REGISTER), new Array<number>(slots).fill(0xffff));
  for (const [register, words] of digitalInputFields()) image.define(addr(register), words);
  return image;
}

function deviceIdObjects(identity: Identity): Map<number, Uint8Array> {
  const text = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
  return new Map([
    [DeviceIdObjects.VENDOR_NAME, text(identity.vendorName)],
    [DeviceIdObjects.PRODUCT_CODE, text(identity.productCode)],
    [DeviceIdObjects.MAJOR_MINOR_REVISION, text(identity.firmwareVersion)],
    [DeviceIdObjects.VENDOR_URL, text(identity.vendorUrl)],
    [DeviceIdObjects.PRODUCT_NAME, text(identity.productName)],
    [DeviceIdObjects.MODEL_NAME, text(identity.modelName)],
  ]);
}

const exception = (fc: number, code: number): Uint8Array => encodeException(fc, code);
const respond = (res: ModbusResponse): Uint8Array => encodeResponse(res);

export class GatewayUnit implements UnitTarget {
  readonly kind = 'gateway';
  readonly name = 'unit-255';
  readonly #ctx: GatewayUnitContext;
  readonly #image: RegisterImage;
  readonly #objects: Map<number, Uint8Array>;

  constructor(ctx: GatewayUnitContext) {
    this.#ctx = ctx;
    const identity = checkIdentity(ctx.identity);
    this.#image = buildImage(identity);
    this.#objects = deviceIdObjects(identity);
  }

  async handle(req: TargetRequest): Promise<Uint8Array> {
    const r = req.request;
    const fc = req.pdu[0] ?? 0;
    if (r === undefined) return exception(fc, ExceptionCodes.ILLEGAL_FUNCTION);
    switch (r.kind) {
      case 'read-registers':
        if (r.fc !== 3) return exception(fc, ExceptionCodes.ILLEGAL_FUNCTION);
        return this.#read(fc, this.#refreshed().read(r.address, r.quantity), (values) =>
          respond({ kind: 'read-registers', fc: 3, values }),
        );
      case 'vendor-read-scattered':
        return this.#read(fc, this.#refreshed().readScattered(r.addresses), (values) =>
          respond({
            kind: 'vendor-read-scattered',
            fc: 0x64,
            transmissionNumber: r.transmissionNumber,
            values,
          }),
        );
      case 'read-device-identification':
        return this.#identification(r);
      case 'write-multiple-registers':
        return r.address === addr(DATETIME_REGISTER)
          ? this.#writeTime(r, req.source)
          : this.#writeInput(r, req.source);
      default:
        return exception(fc, ExceptionCodes.ILLEGAL_FUNCTION);
    }
  }

  /** The register image with date/time, health and the wireless list brought up to date. */
  #refreshed(): RegisterImage {
    const image = this.#image;
    image.set(addr(DATETIME_REGISTER), this.#dateTimeWords());
    const health = this.#ctx.health?.() ?? 0;
    image.set(addr(HEALTH_REGISTER), [[0, 1, 2].includes(health) ? health : 0xffff]);
    const list = this.#ctx.wirelessList?.() ?? [];
    for (let i = 0; i < WIRELESS_SLOTS; i++) {
      const at = addr(WIRELESS_LIST_REGISTER) + i * WIRELESS_SLOT_REGISTERS;
      image.set(at, wirelessSlotWords(list[i]));
    }
    const inputs = this.#ctx.digitalInputs;
    if (inputs !== undefined)
      for (const [register, words] of digitalInputWords(inputs.read())) image.set(addr(register), words);
    return image;
  }

  #dateTimeWords(): number[] {
    try {
      return encodeDateTime(dateTimeFromEpochMs(this.#ctx.clock.now()));
    } catch {
      return invalidWords('datetime', DATETIME_COUNT); // clock outside 2000–2127
    }
  }

  #read(fc: number, values: number[] | undefined, ok: (v: number[]) => Uint8Array): Uint8Array {
    return values === undefined ? exception(fc, ExceptionCodes.ILLEGAL_DATA_ADDRESS) : ok(values);
  }

  #identification(r: ReadDeviceIdRequest): Uint8Array {
    const answer = answerReadDeviceId(r, this.#objects, ConformityLevels.REGULAR_STREAM_INDIVIDUAL);
    return 'exception' in answer ? exception(r.fc, answer.exception) : respond(answer);
  }

  async #writeInput(r: WriteMultipleRegistersRequest, source: string): Promise<Uint8Array> {
    const inputs = this.#ctx.digitalInputs;
    const w = digitalInputWrite(r.address + 1, r.values);
    if (inputs === undefined || (!w.ok && w.reason === 'not-writable')) {
      return exception(r.fc, ExceptionCodes.ILLEGAL_FUNCTION);
    }
    if (!w.ok) return exception(r.fc, ExceptionCodes.ILLEGAL_DATA_VALUE);
    try {
      await inputs.write(w.input, w.field, w.value, source);
    } catch (error) {
      if (hasCode(error, ErrorCodes.INVALID_ARGUMENT))
        return exception(r.fc, ExceptionCodes.ILLEGAL_DATA_ADDRESS);
      this.#ctx.log.warn({ err: error, source }, 'digital input counter write failed');
      return exception(r.fc, exceptionForError(error) ?? ExceptionCodes.SERVER_DEVICE_FAILURE);
    }
    this.#ctx.log.info(
      { source, input: w.input, field: w.field, value: w.value },
      'digital input counter set',
    );
    const quantity = r.values.length;
    return respond({ kind: 'write-multiple-registers', fc: 0x10, address: r.address, quantity });
  }

  async #writeTime(r: WriteMultipleRegistersRequest, source: string): Promise<Uint8Array> {
    const setTime = this.#ctx.setTime;
    const onDateTime = r.address === addr(DATETIME_REGISTER) && r.values.length === DATETIME_COUNT;
    if (!onDateTime || !this.#ctx.allowTimeSetting() || setTime === undefined) {
      return exception(r.fc, ExceptionCodes.ILLEGAL_FUNCTION);
    }
    const epochMs = dateTimeToEpochMs(decodeDateTime(r.values));
    if (epochMs === null) return exception(r.fc, ExceptionCodes.ILLEGAL_DATA_VALUE);
    const previousEpochMs = this.#ctx.clock.now();
    try {
      await setTime(epochMs, source);
    } catch (error) {
      this.#ctx.log.warn({ err: error, source }, 'setting the time from Modbus failed');
      return exception(r.fc, exceptionForError(error) ?? ExceptionCodes.SERVER_DEVICE_FAILURE);
    }
    const event: TimeSetEvent = { unitId: GATEWAY_UNIT_ID, epochMs, previousEpochMs, source };
    this.#ctx.events.emit(ModbusEventNames.TIME_SET, event);
    this.#ctx.log.info({ source, epochMs, previousEpochMs }, 'date/time set through Modbus');
    return respond({ kind: 'write-multiple-registers', fc: 0x10, address: r.address, quantity: 4 });
  }
}

export function createGatewayUnit(ctx: GatewayUnitContext): GatewayUnit {
  return new GatewayUnit(ctx);
}
