/**
 * Typed Modbus PDUs: requests and responses, discriminated by `kind`.
 * Addresses are 0-based protocol addresses (register n is at address n-1).
 * `raw` carries a PDU this codec does not interpret (unknown function codes,
 * FC 43 with another MEI type, FC 100 with another sub-code) for pass-through.
 */
import type { ExceptionCode } from './function-codes.js';

export type ReadBitsFc = 0x01 | 0x02;
export type ReadRegistersFc = 0x03 | 0x04;

export interface ReadBitsRequest {
  kind: 'read-bits';
  fc: ReadBitsFc;
  address: number;
  quantity: number;
}
export interface ReadRegistersRequest {
  kind: 'read-registers';
  fc: ReadRegistersFc;
  address: number;
  quantity: number;
}
export interface WriteSingleCoilRequest {
  kind: 'write-single-coil';
  fc: 0x05;
  address: number;
  value: boolean;
}
export interface WriteSingleRegisterRequest {
  kind: 'write-single-register';
  fc: 0x06;
  address: number;
  value: number;
}
export interface DiagnosticsRequest {
  kind: 'diagnostics';
  fc: 0x08;
  subFunction: number;
  data: Uint8Array;
}
export interface WriteMultipleCoilsRequest {
  kind: 'write-multiple-coils';
  fc: 0x0f;
  address: number;
  values: boolean[];
}
export interface WriteMultipleRegistersRequest {
  kind: 'write-multiple-registers';
  fc: 0x10;
  address: number;
  values: number[];
}
export interface ReportServerIdRequest {
  kind: 'report-server-id';
  fc: 0x11;
}
export interface MaskWriteRegisterRequest {
  kind: 'mask-write-register';
  fc: 0x16;
  address: number;
  andMask: number;
  orMask: number;
}
export interface ReadWriteRegistersRequest {
  kind: 'read-write-registers';
  fc: 0x17;
  readAddress: number;
  readQuantity: number;
  writeAddress: number;
  values: number[];
}
export interface ReadDeviceIdRequest {
  kind: 'read-device-identification';
  fc: 0x2b;
  readCode: number;
  objectId: number;
}
export interface VendorReadScatteredRequest {
  kind: 'vendor-read-scattered';
  fc: 0x64;
  transmissionNumber: number;
  addresses: number[];
}
export interface RawRequest {
  kind: 'raw';
  fc: number;
  /** The whole PDU, function code included. */
  pdu: Uint8Array;
}

export type ModbusRequest =
  | ReadBitsRequest
  | ReadRegistersRequest
  | WriteSingleCoilRequest
  | WriteSingleRegisterRequest
  | DiagnosticsRequest
  | WriteMultipleCoilsRequest
  | WriteMultipleRegistersRequest
  | ReportServerIdRequest
  | MaskWriteRegisterRequest
  | ReadWriteRegistersRequest
  | ReadDeviceIdRequest
  | VendorReadScatteredRequest
  | RawRequest;

export interface ReadBitsResponse {
  kind: 'read-bits';
  fc: ReadBitsFc;
  /** Exactly the requested quantity when decoded against a request; else byte count × 8. */
  values: boolean[];
}
export interface ReadRegistersResponse {
  kind: 'read-registers';
  fc: ReadRegistersFc;
  values: number[];
}
export interface WriteSingleCoilResponse {
  kind: 'write-single-coil';
  fc: 0x05;
  address: number;
  value: boolean;
}
export interface WriteSingleRegisterResponse {
  kind: 'write-single-register';
  fc: 0x06;
  address: number;
  value: number;
}
export interface DiagnosticsResponse {
  kind: 'diagnostics';
  fc: 0x08;
  subFunction: number;
  data: Uint8Array;
}
export interface WriteMultipleCoilsResponse {
  kind: 'write-multiple-coils';
  fc: 0x0f;
  address: number;
  quantity: number;
}
export interface WriteMultipleRegistersResponse {
  kind: 'write-multiple-registers';
  fc: 0x10;
  address: number;
  quantity: number;
}
export interface ReportServerIdResponse {
  kind: 'report-server-id';
  fc: 0x11;
  /** Device-specific bytes after the byte count: server id, run indicator (0x00/0xFF), extra data. */
  data: Uint8Array;
}
export interface MaskWriteRegisterResponse {
  kind: 'mask-write-register';
  fc: 0x16;
  address: number;
  andMask: number;
  orMask: number;
}
export interface ReadWriteRegistersResponse {
  kind: 'read-write-registers';
  fc: 0x17;
  values: number[];
}
export interface DeviceIdObject {
  id: number;
  value: Uint8Array;
}
export interface ReadDeviceIdResponse {
  kind: 'read-device-identification';
  fc: 0x2b;
  readCode: number;
  conformityLevel: number;
  moreFollows: boolean;
  nextObjectId: number;
  objects: DeviceIdObject[];
}
export interface VendorReadScatteredResponse {
  kind: 'vendor-read-scattered';
  fc: 0x64;
  transmissionNumber: number;
  values: number[];
}
export interface ExceptionResponse {
  kind: 'exception';
  /** The function code of the request (without the 0x80 flag). */
  fc: number;
  exception: ExceptionCode | number;
}
export interface RawResponse {
  kind: 'raw';
  fc: number;
  pdu: Uint8Array;
}

export type ModbusResponse =
  | ReadBitsResponse
  | ReadRegistersResponse
  | WriteSingleCoilResponse
  | WriteSingleRegisterResponse
  | DiagnosticsResponse
  | WriteMultipleCoilsResponse
  | WriteMultipleRegistersResponse
  | ReportServerIdResponse
  | MaskWriteRegisterResponse
  | ReadWriteRegistersResponse
  | ReadDeviceIdResponse
  | VendorReadScatteredResponse
  | ExceptionResponse
  | RawResponse;

/** Result of decoding an untrusted request PDU (server side). Never thrown. */
export type DecodeRequestResult =
  | { ok: true; request: ModbusRequest }
  | { ok: false; functionCode: number; exception: ExceptionCode; reason: string };

/** Result of decoding an untrusted response PDU (client side). Never thrown. */
export type DecodeResponseResult = { ok: true; response: ModbusResponse } | { ok: false; reason: string };

/** Per-family decoder result before the dispatcher adds the function code. */
export type PartialRequestResult<R> =
  | { ok: true; request: R }
  | { ok: false; exception: ExceptionCode; reason: string };
