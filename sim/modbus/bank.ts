/**
 * One simulated Modbus unit's data: coils, discrete inputs, holding and input
 * registers over the whole 16-bit address space (0-based protocol addresses),
 * plus its 43/14 identification objects.
 *
 * Registers are stored as big-endian wire bytes, so a read (FC 3/4, 23) is one
 * copy out of a preallocated buffer — the simulator's fast path. Bits are one
 * byte each (0/1). About 384 KiB per unit.
 */
import { DeviceIdObjects } from '../../src/protocol/modbus/index.js';

export type RegisterTable = 'holding' | 'input';
export type BitTable = 'coils' | 'discrete';

const SPACE = 0x10000;

export interface IdentityText {
  readonly vendorName?: string;
  readonly productCode?: string;
  readonly revision?: string;
  readonly vendorUrl?: string;
  readonly productName?: string;
  readonly modelName?: string;
}

const DEFAULT_IDENTITY: Required<IdentityText> = {
  vendorName: 'Wattgate',
  productCode: 'WG-SIM-TCP',
  revision: '1.0',
  vendorUrl: '',
  productName: 'Wattgate Modbus TCP simulator',
  modelName: 'sim',
};

export class UnitBank {
  readonly unitId: number;
  /** Holding registers as big-endian bytes (address a at offset 2a). */
  readonly holdingBytes = new Uint8Array(2 * SPACE);
  /** Input registers as big-endian bytes. */
  readonly inputBytes = new Uint8Array(2 * SPACE);
  readonly coils = new Uint8Array(SPACE);
  readonly discrete = new Uint8Array(SPACE);
  /** 43/14 objects, id → bytes (ASCII). */
  readonly identification = new Map<number, Uint8Array>();

  constructor(unitId: number, identity: IdentityText = {}) {
    this.unitId = unitId;
    this.setIdentity({ ...DEFAULT_IDENTITY, ...identity });
  }

  setIdentity(text: IdentityText): void {
    const put = (id: number, v: string | undefined) => {
      if (v !== undefined) this.identification.set(id, new TextEncoder().encode(v));
    };
    put(DeviceIdObjects.VENDOR_NAME, text.vendorName);
    put(DeviceIdObjects.PRODUCT_CODE, text.productCode);
    put(DeviceIdObjects.MAJOR_MINOR_REVISION, text.revision);
    put(DeviceIdObjects.VENDOR_URL, text.vendorUrl);
    put(DeviceIdObjects.PRODUCT_NAME, text.productName);
    put(DeviceIdObjects.MODEL_NAME, text.modelName);
  }

  #regs(table: RegisterTable): Uint8Array {
    return table === 'holding' ? this.holdingBytes : this.inputBytes;
  }

  /** Writes u16 values from `address` on (values are masked to 16 bits). */
  setRegisters(table: RegisterTable, address: number, values: readonly number[]): void {
    const bytes = this.#regs(table);
    values.forEach((v, i) => {
      const off = 2 * ((address + i) & 0xffff);
      bytes[off] = (v >>> 8) & 0xff;
      bytes[off + 1] = v & 0xff;
    });
  }

  getRegisters(table: RegisterTable, address: number, quantity: number): number[] {
    const bytes = this.#regs(table);
    const out: number[] = [];
    for (let i = 0; i < quantity; i++) {
      const off = 2 * ((address + i) & 0xffff);
      out.push(((bytes[off] ?? 0) << 8) | (bytes[off + 1] ?? 0));
    }
    return out;
  }

  setBits(table: BitTable, address: number, values: readonly boolean[]): void {
    const bits = table === 'coils' ? this.coils : this.discrete;
    values.forEach((v, i) => {
      bits[(address + i) & 0xffff] = v ? 1 : 0;
    });
  }

  getBits(table: BitTable, address: number, quantity: number): boolean[] {
    const bits = table === 'coils' ? this.coils : this.discrete;
    const out: boolean[] = [];
    for (let i = 0; i < quantity; i++) out.push(bits[(address + i) & 0xffff] === 1);
    return out;
  }

  /** Demo pattern: register n holds n (both tables), every third bit set. */
  fillPattern(): void {
    for (let a = 0; a < SPACE; a++) {
      this.holdingBytes[2 * a] = a >>> 8;
      this.holdingBytes[2 * a + 1] = a & 0xff;
      this.coils[a] = a % 3 === 0 ? 1 : 0;
      this.discrete[a] = a % 3 === 1 ? 1 : 0;
    }
    this.inputBytes.set(this.holdingBytes);
  }
}
