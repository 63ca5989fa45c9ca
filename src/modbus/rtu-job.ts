/**
 * One job of the RTU line's queue (rtu-master.ts): a request, a broadcast or
 * the master's own dead-slave probe, with how it settles; and the stats view
 * of the backed-off slaves (wall-clock times for Diagnostics and metrics).
 */
import { decodeRequest, decodeResponse, type ModbusRequest } from '../protocol/modbus/index.js';
import type { Clock, TimerHandle } from '../shared/clock.js';
import type { WattgateError } from '../shared/errors.js';
import type { RtuRequestOptions, SlaveBackoffState } from './rtu-contract.js';
import type { BackedOffSlave } from './rtu-policy.js';
import type { Priority } from './rtu-queue.js';

export interface Job {
  readonly unit: number;
  readonly pdu: Uint8Array;
  readonly request: ModbusRequest | undefined;
  readonly raw: boolean;
  readonly broadcast: boolean;
  /** The token of the master's own dead-slave probe (rtu-policy.ts); undefined for everything else. */
  readonly probe: number | undefined;
  readonly priority: Priority;
  readonly client: string | undefined;
  readonly signal: AbortSignal;
  readonly deadline: number;
  readonly resolve: (pdu: Uint8Array) => void;
  readonly reject: (e: WattgateError) => void;
  settled: boolean;
  timer: TimerHandle | undefined;
  onAbort: (() => void) | undefined;
}

/** The signal of a job nobody can abort. */
export const NEVER: AbortSignal = new AbortController().signal;

export interface JobSpec {
  readonly unit: number;
  readonly pdu: Uint8Array;
  readonly broadcast: boolean;
  readonly probe: number | undefined;
  readonly priority: Priority;
  readonly client: string | undefined;
  readonly signal: AbortSignal;
  readonly deadline: number;
  readonly resolve: (pdu: Uint8Array) => void;
  readonly reject: (e: WattgateError) => void;
}

/** A job, with its request decoded once (undefined, and `raw`, when the codec does not interpret it). */
export function newJob(spec: JobSpec): Job {
  const decoded = decodeRequest(spec.pdu);
  const request = decoded.ok && decoded.request.kind !== 'raw' ? decoded.request : undefined;
  return {
    ...spec,
    request,
    raw: spec.probe === undefined && request === undefined,
    settled: false,
    timer: undefined,
    onAbort: undefined,
  };
}

/** A request (or a broadcast: unit 0) of a client of the line. */
export function requestJob(
  unit: number,
  pdu: Uint8Array,
  o: RtuRequestOptions,
  broadcast: boolean,
  deadline: number,
  resolve: (pdu: Uint8Array) => void,
  reject: (e: WattgateError) => void,
): Job {
  const { priority = 'high', client, signal = NEVER } = o;
  return newJob({
    unit,
    pdu,
    broadcast,
    probe: undefined,
    priority,
    client,
    signal,
    deadline,
    resolve,
    reject,
  });
}

/** The master's own probe of a backed-off slave: low priority, nobody can abort it. */
export function probeJob(
  unit: number,
  pdu: Uint8Array,
  token: number,
  deadline: number,
  notSent: () => void,
): Job {
  return newJob({
    unit,
    pdu,
    broadcast: false,
    probe: token,
    priority: 'low',
    client: undefined,
    signal: NEVER,
    deadline,
    resolve: () => {},
    reject: notSent,
  });
}

/** Whether a non-exception reply answers the request (always, for a raw one). */
export function answers(request: ModbusRequest | undefined, pdu: Uint8Array): boolean {
  return request === undefined || decodeResponse(pdu, request).ok;
}

/** The backed-off slaves with wall-clock times (monotonic instants shifted by the clock's offset). */
export function backoffStates(slaves: readonly BackedOffSlave[], clock: Clock): SlaveBackoffState[] {
  const now = clock.monotonic();
  const offset = clock.now() - now; // read once: two reads would drift apart by the time between them
  const wall = (mono: number) => Math.round(mono + offset);
  return slaves.map((b) => ({
    unit: b.unit,
    since: wall(b.since),
    until: wall(b.since) + Math.round(b.until - b.since), // exactly the period after `since`
    remainingMs: Math.max(0, Math.ceil(b.until - now)),
    periods: b.periods,
    probing: b.probing,
    probeDue: b.wanted,
    lastProbe: b.lastProbe === undefined ? null : { at: wall(b.lastProbe.at), result: b.lastProbe.result },
  }));
}
