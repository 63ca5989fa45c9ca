/**
 * The demo's wireless sensors and digital inputs (PRODUCT X4): ten paired
 * sensors of different families with their simulated radios, one more sensor
 * in the air that needs an install code (it shows as an unknown device until
 * discovery is opened with its code), and two pulse inputs (water and gas).
 * Radio ids are 00124B00DE000001… The paired sensors are devices of
 * `devices.list` (pairedEntries, paired.ts); the simulated radio's sensors go
 * in `wireless.simulator`:
 *
 *   const { paired, simulator } = demoWireless();
 *   { ...config, wireless: { ...config.wireless, simulator }, inputs: demoInputs() }
 */
import type { InputsConfig } from '../../src/config/schema-inputs.js';
import type { SimulatedSensorConfig } from '../../src/config/schema-wireless.js';
import type { PairedSpec } from './paired.js';

type Demo = Omit<SimulatedSensorConfig, 'rfId'> & { name: string; label: string };

const DEMO: readonly Demo[] = [
  {
    model: 'pte63-powertag-a9',
    name: 'Lighting floor 1',
    label: 'Q11',
    profile: 'office',
    ratedPowerW: 6000,
  },
  {
    model: 'pte63-powerlogic-tag-qo',
    name: 'Sockets floor 1',
    label: 'Q12',
    profile: 'office',
    ratedPowerW: 4000,
  },
  { model: 'pte-rope-powertag-f160', name: 'HVAC', label: 'Q2', profile: 'industrial', ratedPowerW: 40000 },
  { model: 'pte-m250-m630', name: 'Main incomer', label: 'Q1', profile: 'office', ratedPowerW: 120000 },
  { model: 'acti9-active', name: 'Kitchen', label: 'Q31', profile: 'residential', ratedPowerW: 9000 },
  { model: 'heattag', name: 'Busbar heat', label: 'H1', periodSeconds: 60 },
  { model: 'th110', name: 'Busbar temperature', label: 'T1', periodSeconds: 60 },
  { model: 'co2-sensor', name: 'Meeting room CO2', label: 'A1', periodSeconds: 120 },
  { model: 'trh-sensor', name: 'Office climate', label: 'A2', periodSeconds: 120 },
  { model: 'wireless-indication-aux', name: 'Breaker Q4 status', label: 'Q4', periodSeconds: 60 },
];

const rfId = (n: number) => `00124B00DE${n.toString(16).toUpperCase().padStart(6, '0')}`;

/** An install code for the sensor that is not paired (36 hex digits). */
export const DEMO_INSTALL_CODE = '83FED3407A939723A5C639B26916D505C3B5';

/** The demo's paired sensors and `wireless.simulator`. */
export function demoWireless(): {
  paired: PairedSpec[];
  simulator: { sensors: SimulatedSensorConfig[] };
} {
  const paired = DEMO.map((d, i) => ({ rfId: rfId(i + 1), model: d.model, name: d.name, label: d.label }));
  const sensors: SimulatedSensorConfig[] = DEMO.map(({ name: _n, label: _l, ...s }, i) => ({
    rfId: rfId(i + 1),
    ...s,
  }));
  sensors.push({ rfId: rfId(0x11), model: 'cl110', periodSeconds: 60, installCode: DEMO_INSTALL_CODE });
  return { paired, simulator: { sensors } };
}

/** `inputs` of the demo: DI1 a water meter (10 L a pulse), DI2 a gas meter (0.01 m3 a pulse). */
export function demoInputs(): InputsConfig {
  const common = {
    usage: 21,
    offset: 0,
    statusFeature: 1,
    polarity: 'active-high',
    contextText: '',
  } as const;
  const texts = { inactiveText: '', activeText: '', meteringName: '', flowName: '' };
  return {
    driver: 'simulator',
    channels: {
      DI1: {
        ...common,
        ...texts,
        kind: 'pulse',
        name: 'Water main',
        label: 'WM1',
        commodity: 'water',
        weight: 10,
        unit: 'L',
        flowUnit: 'L/h',
        meteringFeature: 49,
        simulator: { pulsesPerSecond: 0.5, pulseWidthMs: 50, glitchesPerMinute: 0, meanToggleSeconds: 600 },
      },
      DI2: {
        ...common,
        ...texts,
        kind: 'pulse',
        name: 'Gas',
        label: 'GM1',
        commodity: 'gas',
        weight: 0.01,
        unit: 'm3',
        flowUnit: 'm3/h',
        meteringFeature: 50,
        simulator: { pulsesPerSecond: 0.2, pulseWidthMs: 100, glitchesPerMinute: 2, meanToggleSeconds: 600 },
      },
    },
  };
}
