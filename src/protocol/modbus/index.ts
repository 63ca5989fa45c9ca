/**
 * Public API of the pure Modbus codec: function and exception codes, PDU
 * encode/decode (requests, responses, exceptions, raw pass-through), MBAP and
 * the TCP stream parser, RTU (CRC, ADU, length prediction, stream parser) and
 * the one data-type table.
 */

export { bytesToHex, hexToBytes } from './bytes.js';
export { crc16Modbus, hasValidCrc } from './crc16.js';
export {
  type DateTimeValue,
  dateTimeFromEpochMs,
  dateTimeToEpochMs,
  decodeDateTime,
  encodeDateTime,
  isValidDateTime,
} from './data-datetime.js';
export {
  type ByteOrder,
  DATA_TYPE_NAMES,
  type DataFormat,
  type DataTypeName,
  DataTypes,
  type DataValue,
  decodeValue,
  decodeValueFromBytes,
  encodeValue,
  encodeValueToBytes,
  isInvalid,
  type NumericTypeName,
  readCanonicalNumber,
  registerCount,
  STRING_REGISTERS_MAX,
  type WordOrder,
} from './data-types.js';
export * from './function-codes.js';
export {
  decodeMbapHeader,
  decodeTcpAdu,
  encodeMbapHeader,
  encodeTcpAdu,
  MBAP_HEADER_LENGTH,
  MBAP_LENGTH_MAX,
  MBAP_LENGTH_MIN,
  type MbapHeader,
  MODBUS_PROTOCOL_ID,
  type TcpAdu,
} from './mbap.js';
export { DiagnosticSubFunctions, splitServerIdData } from './pdu-diagnostics.js';
export { type DecodeExceptionResult, decodeException, encodeException } from './pdu-exception.js';
export { answerReadDeviceId } from './pdu-identification.js';
export { decodeRequest, encodeRaw, encodeRequest } from './pdu-request.js';
export { decodeResponse, encodeResponse } from './pdu-response.js';
export type * from './pdu-types.js';
export {
  type DecodeRtuResult,
  decodeRtuAdu,
  encodeRtuAdu,
  RTU_ADU_MAX,
  RTU_ADU_MIN,
  RTU_BROADCAST_ADDRESS,
  type RtuAdu,
} from './rtu.js';
export { RtuFrameParser, type RtuParserEvent, type RtuPushResult, type RtuSide } from './rtu-frame-parser.js';
export { type FrameLength, predictRequestLength, predictResponseLength } from './rtu-length.js';
export {
  TcpFrameParser,
  type TcpParserEvent,
  type TcpPending,
  type TcpPushResult,
} from './tcp-frame-parser.js';
