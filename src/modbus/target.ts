/**
 * The seam between the Modbus router and whatever answers a unit id (G2): the
 * gateway's own unit 255, a downstream Modbus TCP device (virtual server id),
 * a serial line (transparent RTU), a wireless device's virtual server.
 *
 * The router validates the request (known function codes, SEC-H2) before it
 * reaches a target, so a target never sees a malformed request. A target
 * answers with the response PDU (a normal response or an exception PDU built
 * with the codec). It rejects only with a WattgateError whose code the router
 * maps to a Modbus exception (one table, `exceptionForError`):
 *   WG_ERR_TIMEOUT     → 0x0B gateway target device failed to respond
 *   WG_ERR_BUSY        → 0x06 server device busy (queue full)
 *   WG_ERR_UNAVAILABLE → 0x0A gateway path unavailable (line/device down or disabled)
 *   WG_ERR_ABORTED     → no answer at all (the upstream client is gone)
 *   anything else      → 0x04 server device failure (and logged as a bug)
 */
import type { ModbusRequest } from '../protocol/modbus/index.js';
import { ExceptionCodes } from '../protocol/modbus/index.js';
import { ErrorCodes, isWattgateError } from '../shared/errors.js';

export interface TargetRequest {
  /** The unit id the upstream client addressed (the virtual id for a TCP device). */
  readonly unitId: number;
  /** The request PDU, function code first, exactly as received (forwarded byte-identical). */
  readonly pdu: Uint8Array;
  /** The decoded request when the codec knows the function code; undefined for raw forwarding. */
  readonly request: ModbusRequest | undefined;
  /** Aborted when the upstream connection closes; a target drops queued work for it. */
  readonly signal: AbortSignal;
  /** Upstream source address ("1.2.3.4:5"), for logs and the audit log. */
  readonly source: string;
}

export type TargetKind = 'gateway' | 'tcp-device' | 'serial-line' | 'wireless';

export interface UnitTarget {
  readonly kind: TargetKind;
  /** A short name for logs and metrics ("unit-255", the device or line name). */
  readonly name: string;
  /** Resolves the response PDU; rejects only with a WattgateError (see the table above). */
  handle(req: TargetRequest): Promise<Uint8Array>;
}

/** The exception code the router answers for a target's error; undefined = send nothing. */
export function exceptionForError(e: unknown): number | undefined {
  if (!isWattgateError(e)) return ExceptionCodes.SERVER_DEVICE_FAILURE;
  switch (e.code) {
    case ErrorCodes.TIMEOUT:
      return ExceptionCodes.GATEWAY_TARGET_FAILED_TO_RESPOND;
    case ErrorCodes.BUSY:
      return ExceptionCodes.SERVER_DEVICE_BUSY;
    case ErrorCodes.UNAVAILABLE:
      return ExceptionCodes.GATEWAY_PATH_UNAVAILABLE;
    case ErrorCodes.ABORTED:
      return undefined;
    default:
      return ExceptionCodes.SERVER_DEVICE_FAILURE;
  }
}

/** The failure counters every target keeps (for X2 metrics), one per coded error it answers with. */
export interface FailureCounters {
  busy: number;
  unavailable: number;
  aborted: number;
  timeouts: number;
}

/** Counts one failure under its code; other codes are not counted. */
export function countFailure(c: FailureCounters, code: string): void {
  if (code === ErrorCodes.BUSY) c.busy++;
  else if (code === ErrorCodes.UNAVAILABLE) c.unavailable++;
  else if (code === ErrorCodes.ABORTED) c.aborted++;
  else if (code === ErrorCodes.TIMEOUT) c.timeouts++;
}
