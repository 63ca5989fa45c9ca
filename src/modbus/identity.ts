/**
 * Wattgate's own identity as the gateway unit (255) reports it (PRODUCT G11):
 * vendor, product, versions and serial number, passed in by the composition
 * root — never hard-coded here. `checkIdentity` validates it once, at build
 * time, so a bad identity fails the start instead of answering garbage.
 *
 * Versions use the reference's 11-character form "MMM.mmm.ppp" (e.g.
 * "001.008.007"): `formatVersion("0.1.0")` → "000.001.000". A pre-release or
 * build suffix ("0.2.0-rc.1+abc") is dropped; a component above 999 is refused.
 * Strings are printable ASCII (0x20–0x7E); an empty string is reported as the
 * reference's invalid marker (all NUL).
 */
import { ErrorCodes, WattgateError } from '../shared/errors.js';

export interface Identity {
  /** Manufacturer name: register 160 and 43/14 VendorName. */
  readonly vendorName: string;
  /** Register 43 and 43/14 VendorUrl. */
  readonly vendorUrl: string;
  /** 43/14 ProductName (no register in the reference's map). */
  readonly productName: string;
  /** Commercial reference: register 61 and 43/14 ProductCode. */
  readonly productCode: string;
  /** Product model: register 61444 and 43/14 ModelName. */
  readonly modelName: string;
  /** Register 11. */
  readonly productRange: string;
  /** Register 27. */
  readonly productFamily: string;
  /** Semver-like "1.2.3" or already "001.002.003": register 81. */
  readonly hardwareVersion: string;
  /** Semver-like: register 121 and 43/14 MajorMinorRevision. */
  readonly firmwareVersion: string;
  /** The installation's serial number (≤ 12 characters): register 101. */
  readonly serialNumber: string;
  /** Product capability text: register 127. */
  readonly capabilities: string;
  /** Additional product capability text: register 143 (invalid marker when absent). */
  readonly additionalCapabilities?: string;
  /** User application name (the admin's name for the box): register 5638 (invalid marker when absent). */
  readonly userApplicationName?: string;
}

/** Longest value per field, in characters (the reference's register lengths × 2; 43/14-only: 200). */
export const IdentityMaxLength = {
  vendorName: 32,
  vendorUrl: 34,
  productName: 200,
  productCode: 32,
  modelName: 32,
  productRange: 32,
  productFamily: 32,
  hardwareVersion: 11,
  firmwareVersion: 11,
  serialNumber: 12,
  capabilities: 32,
  additionalCapabilities: 32,
  userApplicationName: 64,
} as const satisfies Record<keyof Identity, number>;

const VERSION_PATTERN = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:[-+].*)?$/;
const PRINTABLE = /^[\x20-\x7e]*$/;

function invalid(path: string, message: string): WattgateError {
  return new WattgateError(ErrorCodes.INVALID_ARGUMENT, `identity.${path} ${message}`, {
    details: [{ path: `/identity/${path}`, message }],
  });
}

/** "0.1.0" → "000.001.000"; throws INVALID_ARGUMENT when not `major.minor.patch` with parts 0–999. */
export function formatVersion(version: string, path = 'version'): string {
  const m = VERSION_PATTERN.exec(version.trim());
  if (!m) throw invalid(path, `must look like 1.2.3 (each part 0–999), got "${version}"`);
  return m
    .slice(1, 4)
    .map((p) => p.padStart(3, '0'))
    .join('.');
}

/** Validates an identity and returns it with both versions in the reference's format. */
export function checkIdentity(identity: Identity): Identity {
  const out: Identity = {
    ...identity,
    hardwareVersion: formatVersion(identity.hardwareVersion, 'hardwareVersion'),
    firmwareVersion: formatVersion(identity.firmwareVersion, 'firmwareVersion'),
  };
  for (const key of Object.keys(IdentityMaxLength) as Array<keyof Identity>) {
    const value = out[key];
    if (value === undefined) continue;
    if (typeof value !== 'string') throw invalid(key, 'must be a string');
    if (!PRINTABLE.test(value)) throw invalid(key, 'must be printable ASCII');
    if (value.length > IdentityMaxLength[key]) throw invalid(key, `longer than ${IdentityMaxLength[key]}`);
  }
  return out;
}
