import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { hexToBytes, loadHexCases } from '../../../test/fixtures/modbus/load.js';
import { bytesToHex } from './bytes.js';
import { crc16Modbus, hasValidCrc } from './crc16.js';
import { decodeRtuAdu, encodeRtuAdu } from './rtu.js';
import { RtuFrameParser, type RtuSide } from './rtu-frame-parser.js';
import { predictRequestLength, predictResponseLength } from './rtu-length.js';

describe('CRC-16/MODBUS vectors (fixtures/modbus/crc.hex)', () => {
  for (const c of loadHexCases('crc.hex')) {
    test(`${c.input} → ${c.expected} ${c.comment}`, () => {
      const msg = hexToBytes(c.input);
      const crc = crc16Modbus(msg);
      assert.equal(bytesToHex(Uint8Array.of(crc & 0xff, crc >> 8)), c.expected);
      const adu = encodeRtuAdu({ unitId: msg[0] ?? 0, pdu: msg.subarray(1) });
      assert.equal(bytesToHex(adu.subarray(-2)), c.expected);
      assert.ok(hasValidCrc(adu));
    });
  }
});

describe('RTU ADU', () => {
  test('decode: ok, bad CRC, bad length', () => {
    assert.deepEqual(decodeRtuAdu(hexToBytes('01 03 00 00 00 0A C5 CD')), {
      ok: true,
      adu: { unitId: 1, pdu: hexToBytes('03 00 00 00 0A') },
    });
    assert.deepEqual(decodeRtuAdu(hexToBytes('01 03 00 00 00 0A C5 CE')), { ok: false, reason: 'crc' });
    assert.deepEqual(decodeRtuAdu(hexToBytes('01 03 C5')), { ok: false, reason: 'length' });
    assert.deepEqual(decodeRtuAdu(new Uint8Array(257)), { ok: false, reason: 'length' });
  });
});

describe('frame length prediction', () => {
  const req = (hex: string) => {
    const b = hexToBytes(hex);
    return predictRequestLength(b, 0, b.length);
  };
  const res = (hex: string) => {
    const b = hexToBytes(hex);
    return predictResponseLength(b, 0, b.length);
  };
  test('requests (slave side)', () => {
    assert.deepEqual(req('01'), { kind: 'need', bytes: 2 });
    assert.deepEqual(req('01 03'), { kind: 'exact', length: 8 });
    assert.deepEqual(req('01 10 00 01 00'), { kind: 'need', bytes: 7 });
    assert.deepEqual(req('01 10 00 01 00 02 04'), { kind: 'exact', length: 13 });
    assert.deepEqual(req('01 17 00 03 00 06 00 0E 00 03 06'), { kind: 'exact', length: 19 });
    assert.deepEqual(req('01 11'), { kind: 'exact', length: 4 });
    assert.deepEqual(req('01 08'), { kind: 'exact', length: 8 });
    assert.deepEqual(req('01 2B 0E'), { kind: 'exact', length: 7 });
    assert.deepEqual(req('01 64 06'), { kind: 'exact', length: 11 });
    assert.deepEqual(req('01 00'), { kind: 'invalid' });
    assert.deepEqual(req('01 83'), { kind: 'invalid' });
    assert.equal(req('01 41').kind, 'search');
  });
  test('responses (master side)', () => {
    assert.deepEqual(res('01 83'), { kind: 'exact', length: 5 });
    assert.deepEqual(res('01 03 06'), { kind: 'exact', length: 11 });
    assert.deepEqual(res('01 01 03'), { kind: 'exact', length: 8 });
    assert.deepEqual(res('01 10'), { kind: 'exact', length: 8 });
    assert.deepEqual(res('01 16'), { kind: 'exact', length: 10 });
    assert.deepEqual(res('01 64 06'), { kind: 'exact', length: 11 });
    assert.deepEqual(res('01 08 00 0B'), { kind: 'exact', length: 8 });
    assert.deepEqual(res('01 08 00 00'), { kind: 'search', min: 8, max: 256, fallback: 8 });
    assert.deepEqual(res('01 18 00 06'), { kind: 'exact', length: 12 });
    assert.deepEqual(res('01 2B 0E 01 01 00 00 02 00 03'), { kind: 'need', bytes: 15 });
    assert.deepEqual(res('01 2B 0E 01 01 00 00 01 00 02 61 62'), { kind: 'exact', length: 14 });
    assert.deepEqual(res('01 2B 0E 01 01 00 00 00'), { kind: 'exact', length: 10 });
  });
});

describe('RTU stream fixtures (fixtures/modbus/rtu-streams.hex)', () => {
  for (const c of loadHexCases('rtu-streams.hex')) {
    test(`line ${c.line}: ${c.input.slice(0, 40)} → ${c.expected} ${c.comment}`, () => {
      const [side, stream = ''] = c.input.split(':');
      const parser = new RtuFrameParser(side?.trim() as RtuSide);
      const r = parser.push(hexToBytes(stream));
      const dropMatch = /drop (\d+)/.exec(c.expected);
      const frames = c.expected
        .replace(/drop \d+/, '')
        .replace(/pending/, '')
        .split(';')
        .map((s) => s.trim().replace(/ /g, ''))
        .filter((s) => s !== '');
      assert.deepEqual(
        r.frames.map((f) => `${f.unitId}/${bytesToHex(f.pdu).replace(/ /g, '')}`),
        frames,
      );
      assert.equal(
        r.events.reduce((n, e) => n + e.bytes, 0),
        Number(dropMatch?.[1] ?? 0),
      );
      assert.equal(parser.pendingBytes > 0, c.expected.includes('pending'));
    });
  }
});

describe('RtuFrameParser', () => {
  test('master side: expect() drops bytes that cannot start the awaited reply', () => {
    const p = new RtuFrameParser('response');
    p.expect(0x11, 3);
    const reply = encodeRtuAdu({ unitId: 0x11, pdu: hexToBytes('03 06 02 2B 00 00 00 64') });
    const other = encodeRtuAdu({ unitId: 0x12, pdu: hexToBytes('03 02 00 01') });
    const stream = new Uint8Array([...other, 0x11, 0x04, ...reply]);
    const r = p.push(stream);
    assert.deepEqual(
      r.frames.map((f) => f.unitId),
      [0x11],
    );
    assert.equal(r.events[0]?.bytes, other.length + 2);
  });
  test('master side: reply to an unknown function code is delimited by CRC', () => {
    const p = new RtuFrameParser('response');
    p.expect(1, 0x41);
    const reply = encodeRtuAdu({ unitId: 1, pdu: hexToBytes('41 01 02 03 04 05') });
    assert.deepEqual(p.push(reply).frames, [{ unitId: 1, pdu: hexToBytes('41 01 02 03 04 05') }]);
    const q = new RtuFrameParser('response');
    assert.equal(q.push(reply).frames.length, 0, 'without expect(), unknown codes are garbage');
  });
  test('onSilence recovers a reply stuck behind garbage that predicted a long frame', () => {
    const p = new RtuFrameParser('response');
    const stream = hexToBytes('01 2B 0E 01 01 00 00 02 00 F5 01 83 02 C0 F1');
    const r = p.push(stream);
    assert.deepEqual(r.frames, []);
    assert.ok(p.pendingBytes > 0, 'F5 01 83 … predicts a 136-byte FC 1 reply: the parser waits');
    const s = p.onSilence();
    assert.deepEqual(s.frames, [{ unitId: 1, pdu: hexToBytes('83 02') }]);
    assert.equal(r.events.reduce((n, e) => n + e.bytes, 0) + s.events.reduce((n, e) => n + e.bytes, 0), 10);
    assert.equal(p.pendingBytes, 0);
    assert.deepEqual(p.onSilence(), { frames: [], events: [] });
  });
  test('reset drops a stale partial frame', () => {
    const p = new RtuFrameParser('request');
    p.push(hexToBytes('01 03 00 00'));
    assert.equal(p.reset(), 4);
    assert.equal(p.push(hexToBytes('01 03 00 00 00 0A C5 CD')).frames.length, 1);
  });
  test('pending bytes stay bounded under a long garbage stream', () => {
    const p = new RtuFrameParser('request');
    const garbage = new Uint8Array(5000).map((_, i) => (i * 37) & 0xff);
    p.push(garbage);
    assert.ok(p.pendingBytes < 256);
  });
});
