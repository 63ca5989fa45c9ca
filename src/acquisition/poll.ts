/**
 * One poll of one device: its planned reads, each reply decoded into readings
 * (PRODUCT L1, L3).
 *
 * - A normal reply of the right size: each measurement decoded through the
 *   data-type table (devices/decode.ts); its invalid marker → quality
 *   'invalid', value null.
 * - A Modbus exception from the device: 02/03 (illegal address/value) on a
 *   merged read → the read is split into one read per measurement, for this
 *   poll and the next ones (the device has holes where the model said
 *   nothing), and the parts are read at once; any other exception, or 02/03
 *   on a single measurement → 'invalid' (the device answered: it has no such
 *   value). Exceptions 0x06 (busy), 0x0A and 0x0B (from a gateway on the
 *   path) are communication errors.
 * - A communication error (timeout, connection down, line busy, wrong reply
 *   size): 'comm-error' for that read AND the reads not yet sent — a silent
 *   device is not asked again within the same poll, so it costs one timeout,
 *   not one per read.
 *
 * Up to `inFlight` reads of the device run at once (default 1: in order).
 */
import { decodeMeasurement } from '../devices/decode.js';
import { type PlannedRead, splitRead } from '../devices/poll-plan.js';
import type { DeviceRuntime } from '../devices/registry.js';
import { ErrorCodes, isWattgateError } from '../shared/errors.js';
import type { Quality, Reading } from './events.js';
import type { DeviceLink } from './links.js';
import type { DeviceError } from './status.js';

export interface PollOptions {
  readonly link: DeviceLink;
  readonly signal: AbortSignal;
  /** Wraps each request (the global TCP limiter). */
  readonly run: <T>(task: () => Promise<T>) => Promise<T>;
  readonly now: () => number;
  /** Reads of this device in progress at once; default 1. */
  readonly inFlight?: number;
}

export interface PollOutcome {
  readonly readings: Reading[];
  /** No read got an answer from the device (a communication failure). */
  readonly failed: boolean;
  /** The first communication error, else the last exception the device answered. */
  readonly error: DeviceError | undefined;
}

type ReadResult = { ok: true; pdu: Uint8Array } | { ok: false; error: DeviceError; comm: boolean };

const COMM_EXCEPTIONS: ReadonlySet<number> = new Set([0x06, 0x0a, 0x0b]);

function classify(read: PlannedRead, pdu: Uint8Array, at: number): ReadResult {
  const bytes = 2 * read.quantity;
  if (pdu[0] === read.fc && pdu[1] === bytes && pdu.length === bytes + 2) return { ok: true, pdu };
  if (pdu[0] === (read.fc | 0x80) && pdu.length === 2) {
    const code = pdu[1] ?? 0;
    const error = { at, code: `MODBUS_EXCEPTION_${code}`, message: `exception ${code} to FC ${read.fc}` };
    return { ok: false, error, comm: COMM_EXCEPTIONS.has(code) };
  }
  const message = `reply of ${pdu.length} bytes does not answer FC ${read.fc} × ${read.quantity}`;
  return { ok: false, error: { at, code: ErrorCodes.MALFORMED_FRAME, message }, comm: true };
}

async function request(read: PlannedRead, o: PollOptions): Promise<ReadResult> {
  try {
    const pdu = await o.run(() => o.link.request(read.pdu, o.signal));
    return classify(read, pdu, o.now());
  } catch (e) {
    const code = isWattgateError(e) ? e.code : 'WG_ERR_INTERNAL';
    return { ok: false, error: { at: o.now(), code, message: (e as Error).message }, comm: true };
  }
}

/**
 * A reading as a class instance, not an object literal: V8 may decide to
 * allocate an object literal's objects straight in the old generation
 * ("allocation-site pretenuring") once many of them survived a minor GC — as
 * happens during a burst of polls — and then ~100 000 short-lived readings a
 * second pile up there until the next major GC (measured: +150 MB resident).
 */
class ReadingRecord implements Reading {
  constructor(
    readonly seriesId: string,
    readonly key: string,
    readonly t: number,
    readonly value: Reading['value'],
    readonly quality: Quality,
  ) {}
}

interface ReadOutcome {
  readonly read: PlannedRead;
  readonly quality: Quality;
  readonly pdu: Uint8Array | undefined;
}

class PollRun {
  /** One entry per read; readings are built at the end, so they live only as long as their consumer needs them. */
  readonly outcomes: ReadOutcome[] = [];
  commError: DeviceError | undefined;
  exception: DeviceError | undefined;
  answered = 0;
  next = 0;

  constructor(
    readonly d: DeviceRuntime,
    readonly plan: PlannedRead[],
    readonly t: number,
    readonly o: PollOptions,
  ) {}

  push(read: PlannedRead, quality: Quality, pdu?: Uint8Array): void {
    this.outcomes.push({ read, quality, pdu });
  }

  readings(): Reading[] {
    const { d, t } = this;
    const out: Reading[] = [];
    for (const { read, quality, pdu } of this.outcomes) {
      for (const it of read.items) {
        let value = pdu ? decodeMeasurement(it.c, pdu, 2 + it.byteOffset) : null;
        let q = quality;
        if (value === null && q === 'valid') q = 'invalid';
        if (q !== 'valid') value = null;
        const seriesId = d.seriesIds[it.c.index] ?? '';
        out.push(new ReadingRecord(seriesId, it.c.key, t, value, q));
      }
    }
    return out;
  }

  async one(read: PlannedRead): Promise<void> {
    if (this.commError) return this.push(read, 'comm-error');
    const r = await request(read, this.o);
    if (r.ok) {
      this.answered++;
      return this.push(read, 'valid', r.pdu);
    }
    if (r.comm) {
      this.commError ??= r.error;
      return this.push(read, 'comm-error');
    }
    this.answered++;
    this.exception = r.error;
    const code = r.error.code;
    if (read.items.length > 1 && (code === 'MODBUS_EXCEPTION_2' || code === 'MODBUS_EXCEPTION_3')) {
      const parts = splitRead(read);
      this.plan.splice(this.plan.indexOf(read), 1, ...parts);
      for (const part of parts) await this.one(part);
      return;
    }
    this.push(read, 'invalid');
  }

  async worker(reads: readonly PlannedRead[]): Promise<void> {
    while (this.next < reads.length) {
      await this.one(reads[this.next++] as PlannedRead);
    }
  }
}

/**
 * Polls `plan` (the device's current reads; a split replaces a read in this
 * array) and returns the readings stamped `t`.
 */
export async function pollDevice(
  d: DeviceRuntime,
  plan: PlannedRead[],
  t: number,
  o: PollOptions,
): Promise<PollOutcome> {
  const run = new PollRun(d, plan, t, o);
  const reads = [...plan];
  const n = Math.max(1, Math.min(o.inFlight ?? 1, reads.length));
  if (n === 1) await run.worker(reads);
  else await Promise.all(Array.from({ length: n }, () => run.worker(reads)));
  const failed = reads.length > 0 && run.answered === 0;
  return { readings: run.readings(), failed, error: run.commError ?? run.exception };
}
