/**
 * Modbus function codes, exception codes and per-function limits
 * (Modbus Application Protocol Specification V1.1b3, sections 6 and 7),
 * plus the reference panel server's vendor code 100 (0x64) sub-code 4.
 * Wire codes are `as const` tables, never enums.
 */

export const FunctionCodes = {
  READ_COILS: 0x01,
  READ_DISCRETE_INPUTS: 0x02,
  READ_HOLDING_REGISTERS: 0x03,
  READ_INPUT_REGISTERS: 0x04,
  WRITE_SINGLE_COIL: 0x05,
  WRITE_SINGLE_REGISTER: 0x06,
  READ_EXCEPTION_STATUS: 0x07,
  DIAGNOSTICS: 0x08,
  GET_COMM_EVENT_COUNTER: 0x0b,
  GET_COMM_EVENT_LOG: 0x0c,
  WRITE_MULTIPLE_COILS: 0x0f,
  WRITE_MULTIPLE_REGISTERS: 0x10,
  REPORT_SERVER_ID: 0x11,
  READ_FILE_RECORD: 0x14,
  WRITE_FILE_RECORD: 0x15,
  MASK_WRITE_REGISTER: 0x16,
  READ_WRITE_MULTIPLE_REGISTERS: 0x17,
  READ_FIFO_QUEUE: 0x18,
  ENCAPSULATED_INTERFACE_TRANSPORT: 0x2b,
  /** Vendor code of the reference panel server; sub-code 4 reads scattered registers. */
  VENDOR_PANEL_SERVER: 0x64,
} as const;

export type FunctionCodeName = keyof typeof FunctionCodes;
export type KnownFunctionCode = (typeof FunctionCodes)[FunctionCodeName];

/** Human name per function code number, for logs and diagnostics. */
export const FunctionCodeNames: Readonly<Record<number, FunctionCodeName>> = Object.freeze(
  Object.fromEntries(Object.entries(FunctionCodes).map(([name, code]) => [code, name as FunctionCodeName])),
);

/** MEI type of Read Device Identification inside FC 43. */
export const MEI_READ_DEVICE_IDENTIFICATION = 0x0e;
/** Sub-code of the vendor FC 100 "read scattered registers" request. */
export const VENDOR_SUBCODE_READ_SCATTERED = 0x04;
/** Bit set on the function code of an exception response. */
export const EXCEPTION_FLAG = 0x80;

export const ExceptionCodes = {
  ILLEGAL_FUNCTION: 0x01,
  ILLEGAL_DATA_ADDRESS: 0x02,
  ILLEGAL_DATA_VALUE: 0x03,
  SERVER_DEVICE_FAILURE: 0x04,
  ACKNOWLEDGE: 0x05,
  SERVER_DEVICE_BUSY: 0x06,
  NEGATIVE_ACKNOWLEDGE: 0x07,
  MEMORY_PARITY_ERROR: 0x08,
  GATEWAY_PATH_UNAVAILABLE: 0x0a,
  GATEWAY_TARGET_FAILED_TO_RESPOND: 0x0b,
} as const;

export type ExceptionCodeName = keyof typeof ExceptionCodes;
export type ExceptionCode = (typeof ExceptionCodes)[ExceptionCodeName];

export const ExceptionCodeNames: Readonly<Record<number, ExceptionCodeName>> = Object.freeze(
  Object.fromEntries(Object.entries(ExceptionCodes).map(([name, code]) => [code, name as ExceptionCodeName])),
);

/** Quantity limits per function (spec V1.1b3 and SEC-H2); vendor 100-4 from PRODUCT.md G3. */
export const Limits = {
  READ_BITS_MAX: 2000,
  READ_REGISTERS_MAX: 125,
  WRITE_COILS_MAX: 1968,
  WRITE_REGISTERS_MAX: 123,
  RW_READ_MAX: 125,
  RW_WRITE_MAX: 121,
  VENDOR_SCATTERED_MAX: 100,
  /** Largest PDU: 256-byte RTU ADU minus address and CRC; MBAP length 254 minus unit id. */
  PDU_MAX: 253,
  /** Address space size: address + quantity must not exceed this. */
  ADDRESS_SPACE: 0x10000,
} as const;

/** Read Device Identification access codes (FC 43 / MEI 14). */
export const ReadDeviceIdCodes = {
  BASIC: 0x01,
  REGULAR: 0x02,
  EXTENDED: 0x03,
  INDIVIDUAL: 0x04,
} as const;

export type ReadDeviceIdCode = (typeof ReadDeviceIdCodes)[keyof typeof ReadDeviceIdCodes];

/** Standard device identification object ids (0x00–0x06); 0x80–0xFF are private. */
export const DeviceIdObjects = {
  VENDOR_NAME: 0x00,
  PRODUCT_CODE: 0x01,
  MAJOR_MINOR_REVISION: 0x02,
  VENDOR_URL: 0x03,
  PRODUCT_NAME: 0x04,
  MODEL_NAME: 0x05,
  USER_APPLICATION_NAME: 0x06,
} as const;

/** Conformity levels reported in the 43/14 response (0x8x = individual access also supported). */
export const ConformityLevels = {
  BASIC_STREAM: 0x01,
  REGULAR_STREAM: 0x02,
  EXTENDED_STREAM: 0x03,
  BASIC_STREAM_INDIVIDUAL: 0x81,
  REGULAR_STREAM_INDIVIDUAL: 0x82,
  EXTENDED_STREAM_INDIVIDUAL: 0x83,
} as const;

/** Function codes that write (SEC-H5: not retried by default; G10: refused on read-only units). */
export const WRITE_FUNCTION_CODES: ReadonlySet<number> = new Set([5, 6, 15, 16, 21, 22, 23]);

export function isExceptionFunctionCode(fc: number): boolean {
  return (fc & EXCEPTION_FLAG) !== 0;
}
