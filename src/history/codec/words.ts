/**
 * Raw 64-bit access to float64 values: a Uint32Array view over the same
 * memory, low word first. The codec relies on little-endian typed arrays
 * (x86, ARM and RISC-V Linux); a big-endian host is refused at load time
 * rather than writing chunks no other host could read.
 */

const probe = new Uint8Array(new Uint16Array([1]).buffer);
if (probe[0] !== 1) throw new Error('history codec: big-endian hosts are not supported');

/** Words of `values` as [lo0, hi0, lo1, hi1, …] (a view: writes go through). */
export function f64Words(values: Float64Array): Uint32Array {
  return new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
}

const scratch = new Float64Array(1);
const scratchWords = f64Words(scratch);

/** The two 32-bit halves of one float64 (hi, lo). */
export function bitsOf(value: number): [hi: number, lo: number] {
  scratch[0] = value;
  return [scratchWords[1] as number, scratchWords[0] as number];
}

export function fromBits(hi: number, lo: number): number {
  scratchWords[0] = lo;
  scratchWords[1] = hi;
  return scratch[0] as number;
}
