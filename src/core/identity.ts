/**
 * Wattgate's own identity as reported to Modbus clients (unit 255 registers and
 * FC 43/14, PRODUCT G11): honest content at the reference's layout. The serial
 * number is the installation's (created at first start); the version is the
 * running release's. Wattgate runs on generic hosts, so it reports hardware
 * version 000.000.000 ("no hardware revision"). The vendor URL stays empty (the
 * reference's invalid marker) until the project has a public home.
 */
import type { Identity } from '../modbus/identity.js';
import type { AppContext } from './context.js';

export const WATTGATE_IDENTITY = {
  vendorName: 'Wattgate project',
  vendorUrl: '',
  productName: 'Wattgate panel server',
  productCode: 'WATTGATE',
  modelName: 'Wattgate',
  productRange: 'Wattgate',
  productFamily: 'Panel server',
  hardwareVersion: '0.0.0',
  capabilities: 'Modbus TCP gateway',
} as const;

export function wattgateIdentity(ctx: Pick<AppContext, 'version' | 'installation' | 'config'>): Identity {
  return {
    ...WATTGATE_IDENTITY,
    firmwareVersion: ctx.version,
    serialNumber: ctx.installation.serial,
    userApplicationName: ctx.config.section('system').name,
  };
}
