/**
 * What the digital inputs publish (on the sink their context gives them):
 * - `inputs.status`: a status input changed (after debouncing; `t` = the edge);
 * - `inputs.samples`: once a minute, one batch of readings per configured
 *   input (THE reading shape, devices/reading.ts; origin = the input): pulses,
 *   accumulated value and flow of a pulse input; logical state, activations
 *   and active time of a status input, as series `input:<DI1>_di_<field>`;
 * - `inputs.counter-set`: a Modbus client set a resettable counter through
 *   unit 255 (source = "address:port"), for the audit log (G10).
 */
import type { InputName } from '../config/schema-inputs.js';
import type { ReadingBatch } from '../devices/reading.js';
import type { DigitalInputField } from '../modbus/gateway-digital-inputs.js';
import type { EventSink } from '../shared/events.js';

export interface InputStatusEvent {
  readonly input: InputName;
  readonly name: string;
  readonly logical: 0 | 1;
  readonly level: 0 | 1;
  readonly t: number;
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
  SAMPLES: 'inputs.samples',
  COUNTER_SET: 'inputs.counter-set',
} as const;

export interface InputsEvents {
  'inputs.status': InputStatusEvent;
  'inputs.samples': ReadingBatch;
  'inputs.counter-set': InputCounterSetEvent;
}

export type InputsEventSink = EventSink<InputsEvents>;
