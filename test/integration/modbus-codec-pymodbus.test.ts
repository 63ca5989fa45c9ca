/**
 * Oracle test: Debian's pymodbus (python3-pymodbus 3.0.x), an independent
 * Modbus implementation, encodes the same request/response PDUs, RTU frames
 * and MBAP frames as ours byte for byte, and decodes ours to the same values.
 * FCs 1, 2, 3, 4, 5, 6, 8, 15, 16, 17, 22, 23, 43/14 and exception responses
 * (pymodbus has no vendor code 100). One python run for the whole batch.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { encodeTcpAdu } from '../../src/protocol/modbus/mbap.js';
import { decodeRequest, encodeRequest } from '../../src/protocol/modbus/pdu-request.js';
import { decodeResponse, encodeResponse } from '../../src/protocol/modbus/pdu-response.js';
import type { ModbusRequest, ModbusResponse } from '../../src/protocol/modbus/pdu-types.js';
import { encodeRtuAdu } from '../../src/protocol/modbus/rtu.js';
import { requestArb, responseArb } from '../fixtures/modbus/arbitraries.js';
import { loadSpecCases } from '../fixtures/modbus/load.js';
import { execFileAsync, peer } from '../support/peers.js';

const PYTHON = '/usr/bin/python3';
const ORACLE = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/modbus/pymodbus-oracle.py');
const DIAG_SUBS = [0x00, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12];
const CASES = 400;

type Neutral = Record<string, unknown>;
type Op =
  | { op: 'encode'; side: 'request' | 'response'; msg: Neutral; unit: number; tid: number }
  | { op: 'decode'; side: 'request' | 'response'; pdu: string };
type Result = { pdu?: string; rtu?: string; tcp?: string; decoded?: Neutral; error?: string };

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

async function pymodbusAvailable(): Promise<boolean> {
  try {
    await execFileAsync(PYTHON, ['-c', 'import pymodbus'], { timeout: 20_000 });
    return true;
  } catch {
    return false;
  }
}

function runOracle(ops: Op[]): Promise<Result[]> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      PYTHON,
      [ORACLE],
      { maxBuffer: 64 * 1024 * 1024, timeout: 120_000 },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`pymodbus oracle failed: ${stderr || err.message}`));
        else resolve(JSON.parse(stdout) as Result[]);
      },
    );
    child.stdin?.end(JSON.stringify(ops));
  });
}

function neutralRequest(r: ModbusRequest): Neutral {
  switch (r.kind) {
    case 'read-bits':
    case 'read-registers':
      return { kind: r.kind, fc: r.fc, address: r.address, count: r.quantity };
    case 'write-single-coil':
    case 'write-single-register':
      return { kind: r.kind, fc: r.fc, address: r.address, value: r.value };
    case 'write-multiple-coils':
    case 'write-multiple-registers':
      return { kind: r.kind, fc: r.fc, address: r.address, values: r.values };
    case 'mask-write-register':
      return { kind: r.kind, fc: r.fc, address: r.address, and: r.andMask, or: r.orMask };
    case 'read-write-registers':
      return {
        kind: r.kind,
        fc: r.fc,
        read_address: r.readAddress,
        read_count: r.readQuantity,
        write_address: r.writeAddress,
        values: r.values,
      };
    case 'report-server-id':
      return { kind: r.kind, fc: r.fc };
    case 'read-device-identification':
      return { kind: r.kind, fc: r.fc, read_code: r.readCode, object_id: r.objectId };
    case 'diagnostics':
      return { kind: r.kind, fc: r.fc, sub: r.subFunction, data: hex(r.data) };
    default:
      throw new Error(`no pymodbus counterpart for ${r.kind}`);
  }
}

function neutralResponse(r: ModbusResponse): Neutral {
  switch (r.kind) {
    case 'read-bits':
      return {
        kind: r.kind,
        fc: r.fc,
        bits: [...r.values, ...Array<boolean>((8 - (r.values.length % 8)) % 8).fill(false)],
      };
    case 'read-registers':
    case 'read-write-registers':
      return { kind: r.kind, fc: r.fc, values: r.values };
    case 'write-single-coil':
    case 'write-single-register':
      return { kind: r.kind, fc: r.fc, address: r.address, value: r.value };
    case 'write-multiple-coils':
    case 'write-multiple-registers':
      return { kind: r.kind, fc: r.fc, address: r.address, count: r.quantity };
    case 'mask-write-register':
      return { kind: r.kind, fc: r.fc, address: r.address, and: r.andMask, or: r.orMask };
    case 'report-server-id':
      return {
        kind: r.kind,
        fc: r.fc,
        identifier: hex(r.data.subarray(0, -1)),
        status: r.data.at(-1) === 0xff,
      };
    case 'read-device-identification':
      return {
        kind: r.kind,
        fc: r.fc,
        read_code: r.readCode,
        conformity: r.conformityLevel,
        more_follows: r.moreFollows,
        next_object_id: r.nextObjectId,
        objects: r.objects.map((o) => [o.id, hex(o.value)]),
      };
    case 'exception':
      return { kind: r.kind, fc: r.fc, exception: r.exception };
    case 'diagnostics':
      return { kind: r.kind, fc: r.fc, sub: r.subFunction, data: hex(r.data) };
    default:
      throw new Error(`no pymodbus counterpart for ${r.kind}`);
  }
}

/** Adjusts generated messages to what pymodbus can express. */
function fitRequest(r: ModbusRequest, i: number): ModbusRequest {
  if (r.kind === 'diagnostics') return { ...r, subFunction: DIAG_SUBS[i % DIAG_SUBS.length] ?? 0 };
  return r;
}
function fitResponse(r: ModbusResponse, i: number): ModbusResponse {
  if (r.kind === 'report-server-id') {
    const data = r.data.slice();
    data[data.length - 1] = i % 2 ? 0xff : 0x00; // last byte = run indicator status
    return { ...r, data };
  }
  if (r.kind === 'read-device-identification') {
    const seen = new Set<number>();
    return { ...r, objects: r.objects.filter((o) => !seen.has(o.id) && seen.add(o.id)) };
  }
  return r;
}

function samplePairs(): Array<[ModbusRequest, ModbusResponse]> {
  const reqs = fc
    .sample(requestArb({ oneWordDiagnostics: true, withRaw: false }), { numRuns: CASES * 2, seed: 0x5eed })
    .filter((r) => r.kind !== 'vendor-read-scattered')
    .slice(0, CASES)
    .map(fitRequest);
  return reqs.map((req, i) => {
    const [res] = fc.sample(responseArb(req, true), { numRuns: 1, seed: i });
    return [req, fitResponse(res as ModbusResponse, i)];
  });
}

const withoutKind = ({ kind: _kind, ...rest }: Neutral): Neutral => rest;

/** What pymodbus 3.0 decodes a response to: its FC 17 decoder keeps the status byte in the identifier. */
function pymodbusView(res: ModbusResponse): Neutral {
  const n = withoutKind(neutralResponse(res));
  return res.kind === 'report-server-id' ? { ...n, identifier: hex(res.data) } : n;
}

test('pymodbus and Wattgate agree on PDUs, RTU and MBAP frames, both ways', async (t) => {
  if (!peer(t, 'pymodbus', await pymodbusAvailable())) return;
  const spec = loadSpecCases().filter(
    (c) => ![17, 100].includes(c.requestDecoded.fc) && c.requestDecoded.kind !== 'raw',
  );
  const pairs: Array<[ModbusRequest, ModbusResponse]> = [
    ...spec.map((c): [ModbusRequest, ModbusResponse] => [c.requestDecoded, c.responseDecoded]),
    ...samplePairs(),
  ];
  const ops: Op[] = [];
  pairs.forEach(([req, res], i) => {
    const unit = 1 + (i % 247);
    ops.push({ op: 'encode', side: 'request', msg: neutralRequest(req), unit, tid: i });
    ops.push({ op: 'encode', side: 'response', msg: neutralResponse(res), unit, tid: i });
    ops.push({ op: 'decode', side: 'request', pdu: hex(encodeRequest(req)) });
    ops.push({ op: 'decode', side: 'response', pdu: hex(encodeResponse(res)) });
  });
  const results = await runOracle(ops);
  assert.equal(results.length, ops.length);
  const kinds = new Set<string>();
  pairs.forEach(([req, res], i) => {
    const unit = 1 + (i % 247);
    const [encReq, encRes, decReq, decRes] = results.slice(4 * i, 4 * i + 4);
    const where = `case ${i}: ${JSON.stringify(neutralRequest(req))} / ${JSON.stringify(neutralResponse(res))}`;
    for (const r of [encReq, encRes, decReq, decRes])
      assert.equal(r?.error, undefined, `${where}: ${r?.error}`);
    for (const [ours, theirs] of [
      [encodeRequest(req), encReq],
      [encodeResponse(res), encRes],
    ] as const) {
      assert.equal(theirs?.pdu, hex(ours), `${where}: PDU`);
      assert.equal(theirs?.rtu, hex(encodeRtuAdu({ unitId: unit, pdu: ours })), `${where}: RTU`);
      assert.equal(
        theirs?.tcp,
        hex(encodeTcpAdu({ transactionId: i, unitId: unit, pdu: ours })),
        `${where}: MBAP`,
      );
    }
    assert.deepEqual(
      decReq?.decoded,
      withoutKind(neutralRequest(req)),
      `${where}: pymodbus decodes our request`,
    );
    assert.deepEqual(decRes?.decoded, pymodbusView(res), `${where}: pymodbus decodes our response`);
    // and ours decode pymodbus's bytes back to the same messages
    assert.deepEqual(decodeRequest(Buffer.from(encReq?.pdu ?? '', 'hex')), { ok: true, request: req });
    const back = decodeResponse(Buffer.from(encRes?.pdu ?? '', 'hex'), req);
    assert.deepEqual(
      back.ok && neutralResponse(back.response),
      neutralResponse(res),
      `${where}: we decode theirs`,
    );
    kinds.add(`${req.fc}:${res.kind}`);
  });
  console.log(
    `pymodbus oracle: ${pairs.length} request/response pairs, ${ops.length} operations, ${kinds.size} fc/kind combinations`,
  );
});
