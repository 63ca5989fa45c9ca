/**
 * What the digital inputs publish on the application bus (merged into
 * AppEvents by the composition root):
 * - `inputs.status`: a status input changed (after debouncing; `t` = the edge);
 * - `inputs.readings`: once a minute, each configured input's counters (for
 *   the datalogger: pulses, accumulated value and flow of a pulse input;
 *   logical state, activations and active time of a status input);
 * - `inputs.counter-set`: a Modbus client set a resettable counter through
 *   unit 255 (source = "address:port"), for the audit log (G10).
 */
import type { InputName } from '../config/schema-inputs.js';
import type { DigitalInputField } from '../modbus/gateway-digital-inputs.js';

export interface InputStatusEvent {
  readonly input: InputName;
  readonly name: string;
  readonly logical: 0 | 1;
  readonly level: 0 | 1;
  readonly t: number;
}

export interface InputReadingsEvent {
  readonly input: InputName;
  readonly name: string;
  readonly kind: 'pulse' | 'status';
  readonly t: number;
  /** Non-resettable pulse counter (0 for a status input). */
  readonly pulses: number;
  /** round(pulses × weight) + offset, in the input's unit (pulse inputs). */
  readonly accumulated: number | null;
  /** Unit per hour over the last minute (pulse inputs). */
  readonly flow: number | null;
  readonly logical: 0 | 1 | null;
  readonly operations: number | null;
  readonly operatingTimeS: number | null;
}

export interface InputCounterSetEvent {
  readonly input: InputName;
  readonly field: DigitalInputField;
  readonly value: number;
  readonly source: string;
  readonly t: number;
}

export const InputsEventNames = {
  STATUS: 'inputs.status',
  READINGS: 'inputs.readings',
  COUNTER_SET: 'inputs.counter-set',
} as const;

export interface InputsEvents {
  'inputs.status': InputStatusEvent;
  'inputs.readings': InputReadingsEvent;
  'inputs.counter-set': InputCounterSetEvent;
}

export interface InputsEventSink {
  emit<K extends keyof InputsEvents>(event: K, payload: InputsEvents[K]): void;
}
