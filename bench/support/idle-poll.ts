/**
 * Keeps idle CPUs polling instead of halting, for the duration of a benchmark
 * (Linux PM QoS: while /dev/cpu_dma_latency is held open with the value 0, the
 * cpuidle governor only picks the polling state; closing the file, or the
 * process ending, releases it). Needs root.
 *
 * Why: in a virtual machine a halted vCPU takes tens of microseconds to wake
 * (a VM exit). With 1 Modbus connection the CPUs are mostly idle, so every
 * request pays that wake-up; during a flood they are busy and do not — which
 * makes a flood look like it *lowers* Modbus p50. With polling idle both
 * phases see awake CPUs, and the ratio shows the interference alone.
 */
import { closeSync, openSync, writeSync } from 'node:fs';

/** Returns the release function, or undefined when the request is not possible. */
export function holdPollIdle(): (() => void) | undefined {
  try {
    const fd = openSync('/dev/cpu_dma_latency', 'w');
    writeSync(fd, Buffer.alloc(4)); // a 32-bit 0: no wake-up latency tolerated
    return () => closeSync(fd);
  } catch {
    return undefined;
  }
}
