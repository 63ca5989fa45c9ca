/**
 * Events the Modbus gateway publishes (on the sink its context gives it).
 * `modbus.time-set` is the seam for the audit log (SECURITY D1 "time
 * change", PRODUCT G11): the composition root wires it to the audit part.
 */

export const ModbusEventNames = {
  /** A Modbus client set the gateway's date/time (unit 255, registers 116–119). */
  TIME_SET: 'modbus.time-set',
} as const;

export interface TimeSetEvent {
  readonly unitId: number;
  /** The time written, UTC epoch milliseconds. */
  readonly epochMs: number;
  /** The clock's time just before the change. */
  readonly previousEpochMs: number;
  /** Upstream client "address:port". */
  readonly source: string;
}

export interface ModbusEvents {
  'modbus.time-set': TimeSetEvent;
}
