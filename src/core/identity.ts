/**
 * Wattgate's own identity as reported to Modbus clients (unit 255 registers and
 * FC 43/14, PRODUCT G11): honest content at the reference's layout. The serial
 * number is the installation's (created at first start); the version is the
 * running release's. Wattgate runs on generic hosts, so it reports hardware
 * version 000.000.000 ("no hardware revision").
 *
 * The vendor URL is the project's public home, package.json `homepage`
 * (core/version.ts). Register 43 holds 34 characters and FC 43/14 reports the
 * same text, so a URL that does not fit loses its scheme, as vendors print
 * theirs on nameplates: `https://github.com/wattgate/wattgate` (36) is reported
 * as `github.com/wattgate/wattgate`. A URL that still does not fit is refused at
 * start (modbus/identity.ts checkIdentity) rather than cut.
 */
import { type Identity, IdentityMaxLength } from '../modbus/identity.js';
import type { AppContext } from './context.js';
import { HOMEPAGE } from './version.js';

/** A URL as register 43 (and 43/14 VendorUrl) reports it: whole when it fits, else without `scheme://`. */
export function reportedUrl(url: string, max: number = IdentityMaxLength.vendorUrl): string {
  return url.length <= max ? url : url.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/\/$/, '');
}

export const WATTGATE_IDENTITY = {
  vendorName: 'Wattgate project',
  vendorUrl: reportedUrl(HOMEPAGE),
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
