/**
 * A sparse holding-register image over the 16-bit address space: which
 * addresses are mapped, and their values. Reads succeed only when every
 * address asked is mapped; otherwise the caller answers exception 02 (the
 * gateway unit's documented choice for gaps and reads beyond the map).
 * Addresses here are protocol addresses (register − 1).
 */

const SPACE = 0x10000;

export class RegisterImage {
  readonly #values = new Uint16Array(SPACE);
  readonly #mapped = new Uint8Array(SPACE);

  /** Maps `words.length` registers from `address` and sets their values. */
  define(address: number, words: readonly number[]): void {
    this.#check(address, words.length);
    this.#mapped.fill(1, address, address + words.length);
    this.#values.set(words, address);
  }

  /** Sets values of already-mapped registers (throws on unmapped ones: a bug in the map). */
  set(address: number, words: readonly number[]): void {
    this.#check(address, words.length);
    if (!this.isMapped(address, words.length)) throw new RangeError(`registers at ${address} are not mapped`);
    this.#values.set(words, address);
  }

  isMapped(address: number, quantity: number): boolean {
    if (address < 0 || quantity < 1 || address + quantity > SPACE) return false;
    for (let a = address; a < address + quantity; a++) if (this.#mapped[a] !== 1) return false;
    return true;
  }

  /** The values, or undefined when any register of the range is unmapped. */
  read(address: number, quantity: number): number[] | undefined {
    if (!this.isMapped(address, quantity)) return undefined;
    return Array.from(this.#values.subarray(address, address + quantity));
  }

  /** One value per address, or undefined when any address is unmapped. */
  readScattered(addresses: readonly number[]): number[] | undefined {
    const out: number[] = [];
    for (const a of addresses) {
      if (!this.isMapped(a, 1)) return undefined;
      out.push(this.#values[a] ?? 0);
    }
    return out;
  }

  #check(address: number, n: number): void {
    if (!Number.isInteger(address) || address < 0 || address + n > SPACE) {
      throw new RangeError(`register range ${address}+${n} outside the address space`);
    }
  }
}
