/**
 * A paired wireless device's virtual Modbus server (PRODUCT G2, G3, W3): the
 * `UnitTarget` the router hands its virtual id's requests to, answering from
 * the device's register image (device-image.ts: the model's map).
 *
 * - FC 3: holding registers; FC 4: input registers when the model has some
 *   (the reference's wireless maps have none: then 01). FC 100-4: scattered
 *   holding registers. A read touching a register no measurement covers → 02
 *   as a whole (as unit 255 does).
 * - FC 43/14: VendorName, ProductCode, MajorMinorRevision from the device's
 *   identification registers (`Vendor`, `CommRef`, `FwRev`), ProductName (the
 *   model's name), ModelName (`ProductModel`, else the model id),
 *   UserApplicationName (the device's name); conformity 0x82.
 * - FC 16 only on read-write measurements (access 'rw' in the model), each
 *   written whole: a range that is not exactly a run of whole read-write
 *   measurements → 02; a value that is the invalid marker, not a number, or
 *   negative for an energy register (unit …h) → 03. The value goes to the
 *   device as a command through the radio driver (e.g. writing 0 to
 *   `EActDelRecPartSet` resets the partial energy); the answer waits for the
 *   device's acknowledgement. Radio off (wireless disabled) → 0x0A; device not
 *   connected → 0x0B; driver errors map through the router's one table.
 *   The registers show the effect when the device reports it (the simulator
 *   reports at once; a real device at its next frame).
 * - Any other function code → 01.
 */
import { decodeMeasurement } from '../devices/decode.js';
import type { TargetRequest, UnitTarget } from '../modbus/target.js';
import {
  answerReadDeviceId,
  ConformityLevels,
  DeviceIdObjects,
  ExceptionCodes,
  encodeException,
  encodeResponse,
  type ModbusResponse,
  type ReadDeviceIdRequest,
  type WriteMultipleRegistersRequest,
} from '../protocol/modbus/index.js';
import { ErrorCodes, WattgateError } from '../shared/errors.js';
import type { WirelessDevice } from './device.js';
import type { DeviceImage } from './device-image.js';
import type { RadioCommand } from './driver.js';

export interface VirtualServerContext {
  /** Sends a command through the radio driver (rejects with coded errors). */
  readonly send: (command: RadioCommand, signal: AbortSignal) => Promise<void>;
  /** Wireless enabled, not permanently disabled. */
  readonly radioOn: () => boolean;
}

const exception = (fc: number, code: number): Uint8Array => encodeException(fc, code);
const respond = (res: ModbusResponse): Uint8Array => encodeResponse(res);
const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0) & 0x7f);

export class WirelessVirtualServer implements UnitTarget {
  readonly kind = 'wireless';
  readonly name: string;
  readonly #device: WirelessDevice;
  readonly #image: DeviceImage;
  readonly #ctx: VirtualServerContext;

  constructor(device: WirelessDevice, image: DeviceImage, ctx: VirtualServerContext) {
    this.#device = device;
    this.#image = image;
    this.#ctx = ctx;
    this.name = `wireless-${device.config.rfIdHex}`;
  }

  async handle(req: TargetRequest): Promise<Uint8Array> {
    const r = req.request;
    const fc = req.pdu[0] ?? 0;
    if (r === undefined) return exception(fc, ExceptionCodes.ILLEGAL_FUNCTION);
    switch (r.kind) {
      case 'read-registers': {
        const table = r.fc === 3 ? 'holding' : this.#image.hasInputTable ? 'input' : undefined;
        if (table === undefined) return exception(fc, ExceptionCodes.ILLEGAL_FUNCTION);
        const values = this.#image.read(table, r.address, r.quantity);
        if (values === undefined) return exception(fc, ExceptionCodes.ILLEGAL_DATA_ADDRESS);
        return respond({ kind: 'read-registers', fc: r.fc, values });
      }
      case 'vendor-read-scattered': {
        const values = this.#image.readScattered(r.addresses);
        if (values === undefined) return exception(fc, ExceptionCodes.ILLEGAL_DATA_ADDRESS);
        const { transmissionNumber } = r;
        return respond({ kind: 'vendor-read-scattered', fc: 0x64, transmissionNumber, values });
      }
      case 'read-device-identification':
        return this.#identification(r);
      case 'write-multiple-registers':
        return this.#write(r, req.signal);
      default:
        return exception(fc, ExceptionCodes.ILLEGAL_FUNCTION);
    }
  }

  #identification(r: ReadDeviceIdRequest): Uint8Array {
    const answer = answerReadDeviceId(r, this.#objects(), ConformityLevels.REGULAR_STREAM_INDIVIDUAL);
    return 'exception' in answer ? exception(r.fc, answer.exception) : respond(answer);
  }

  #objects(): Map<number, Uint8Array> {
    const text = (key: string): string | undefined => {
      const v = this.#device.value(key);
      return typeof v === 'string' && v !== '' ? v : undefined;
    };
    const cfg = this.#device.config;
    const model = cfg.model;
    const entries: Array<[number, string]> = [
      [DeviceIdObjects.VENDOR_NAME, text('Vendor') ?? 'unknown'],
      [DeviceIdObjects.PRODUCT_CODE, text('CommRef') ?? model?.references?.[0] ?? cfg.modelId],
      [DeviceIdObjects.MAJOR_MINOR_REVISION, text('FwRev') ?? 'unknown'],
      [DeviceIdObjects.PRODUCT_NAME, model?.name ?? cfg.modelId],
      [DeviceIdObjects.MODEL_NAME, text('ProductModel') ?? cfg.modelId],
      [DeviceIdObjects.USER_APPLICATION_NAME, cfg.name],
    ];
    return new Map(entries.map(([id, s]) => [id, ascii(s.slice(0, 200))]));
  }

  async #write(r: WriteMultipleRegistersRequest, signal: AbortSignal): Promise<Uint8Array> {
    const targets = this.#image.writable(r.address, r.values.length);
    if (targets === undefined) return exception(r.fc, ExceptionCodes.ILLEGAL_DATA_ADDRESS);
    const commands: RadioCommand[] = [];
    let offset = 0;
    for (const c of targets) {
      const words = r.values.slice(offset, offset + c.registers);
      offset += c.registers;
      const bytes = Uint8Array.from(words.flatMap((w) => [w >> 8, w & 0xff]));
      const value = decodeMeasurement(c, bytes, 0);
      const energy = c.measurement.unit.endsWith('h');
      if (typeof value !== 'number' && typeof value !== 'bigint') {
        return exception(r.fc, ExceptionCodes.ILLEGAL_DATA_VALUE);
      }
      if (energy && value < 0) return exception(r.fc, ExceptionCodes.ILLEGAL_DATA_VALUE);
      commands.push({ kind: 'write', rfId: this.#device.config.rfId, key: c.key, value });
    }
    if (!this.#ctx.radioOn()) throw new WattgateError(ErrorCodes.UNAVAILABLE, 'wireless is disabled');
    if (!this.#device.connected()) {
      throw new WattgateError(ErrorCodes.TIMEOUT, `wireless device ${this.name} is not connected`);
    }
    for (const command of commands) await this.#ctx.send(command, signal);
    return respond({
      kind: 'write-multiple-registers',
      fc: 0x10,
      address: r.address,
      quantity: r.values.length,
    });
  }
}
