import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { hexToBytes, loadHexCases } from '../../../test/fixtures/modbus/load.js';
import { bytesToHex } from './bytes.js';
import { decodeMbapHeader, decodeTcpAdu, encodeMbapHeader, encodeTcpAdu, writeTcpAdu } from './mbap.js';
import { TcpFrameParser, type TcpPushResult } from './tcp-frame-parser.js';

/** Outputs of one push in stream order, in the fixture syntax. */
export function describePush(r: TcpPushResult): string[] {
  const out: string[] = [];
  let next = 0;
  const flushAdus = (upTo: number) => {
    for (; next < upTo; next++) {
      const a = r.adus[next];
      if (a) out.push(`adu ${a.transactionId}/${a.unitId}/${bytesToHex(a.pdu).replace(/ /g, '')}`);
    }
  };
  for (const e of r.events) {
    flushAdus(e.afterAdus);
    out.push(e.type === 'bad-length' ? `fatal ${e.length}` : `skip ${e.protocolId}`);
  }
  flushAdus(r.adus.length);
  return out;
}

describe('TCP stream fixtures (fixtures/modbus/tcp-streams.hex)', () => {
  for (const c of loadHexCases('tcp-streams.hex')) {
    test(`line ${c.line}: ${c.expected} ${c.comment}`, () => {
      const parser = new TcpFrameParser();
      const r = parser.push(hexToBytes(c.input));
      const wantPending = /\bpending$/.test(c.expected);
      const want = c.expected
        .replace(/\bpending$/, '')
        .split(';')
        .map((s) => s.trim())
        .filter((s) => s !== '' && s !== 'none');
      assert.deepEqual(describePush(r), want);
      assert.equal(r.pending !== 'none', wantPending);
      assert.equal(parser.hasPartialFrame, wantPending);
      assert.equal(
        parser.failed,
        want.some((s) => s.startsWith('fatal')),
      );
    });
  }
});

describe('TcpFrameParser', () => {
  test('largest frame: MBAP length 254 = 253-byte PDU', () => {
    const pdu = new Uint8Array(253).fill(7);
    const r = new TcpFrameParser().push(encodeTcpAdu({ transactionId: 9, unitId: 1, pdu }));
    assert.equal(r.adus.length, 1);
    assert.equal(r.adus[0]?.pdu.length, 253);
  });
  test('pending is new when a frame starts in the chunk, continuing otherwise', () => {
    const p = new TcpFrameParser();
    const adu = hexToBytes('00 01 00 00 00 06 11 03 00 6B 00 03');
    assert.equal(p.push(adu.subarray(0, 3)).pending, 'new');
    assert.equal(p.push(adu.subarray(3, 9)).pending, 'continuing');
    const both = new Uint8Array(14);
    both.set(adu.subarray(9));
    both.set(adu.subarray(0, 11), 3);
    const r = p.push(both);
    assert.deepEqual([r.adus.length, r.pending], [1, 'new']);
    const end = p.push(adu.subarray(11));
    assert.deepEqual([end.adus.length, end.pending], [1, 'none']);
  });
  test('a skipped frame counts as pending until its last byte', () => {
    const p = new TcpFrameParser();
    assert.equal(p.push(hexToBytes('00 01 00 05 00 06 11 03')).pending, 'new');
    assert.equal(p.push(hexToBytes('00 6B 00')).pending, 'continuing');
    assert.equal(p.push(hexToBytes('03')).pending, 'none');
  });
  test('after a fatal event everything is ignored until reset', () => {
    const p = new TcpFrameParser();
    assert.equal(p.push(hexToBytes('00 01 00 00 00 00 00')).events[0]?.fatal, true);
    assert.deepEqual(p.push(hexToBytes('00 01 00 00 00 02 01 07')), {
      adus: [],
      events: [],
      pending: 'none',
    });
    p.reset();
    assert.equal(p.push(hexToBytes('00 01 00 00 00 02 01 07')).adus.length, 1);
  });
  test('pushInto reuses the caller result; PDUs are plain copies, never views of the chunk', () => {
    const p = new TcpFrameParser();
    const out: TcpPushResult = { adus: [], events: [], pending: 'none' };
    const frames = ['0001 0000 0006 11 03 006B 0003', '0002 0001 0002 01 07', '0003 00'];
    const chunk = Buffer.from(frames.join('').replace(/ /g, ''), 'hex');
    const r = p.pushInto(chunk, out);
    assert.equal(r, out);
    assert.deepEqual(describePush(r), ['adu 1/17/03006B0003', 'skip 1']);
    assert.equal(r.pending, 'new');
    chunk.fill(0);
    assert.equal(bytesToHex(out.adus[0]?.pdu ?? new Uint8Array()), '03 00 6B 00 03');
    assert.equal(Object.getPrototypeOf(out.adus[0]?.pdu), Uint8Array.prototype);
    p.pushInto(hexToBytes('00 00 02 01 07'), out);
    assert.deepEqual(describePush(out), ['adu 3/1/07'], 'emptied, then filled with this chunk only');
    assert.equal(out.pending, 'none');
  });
  test('a whole frame in the chunk and the same frame byte by byte give the same ADU', () => {
    const adu = hexToBytes('12 34 00 00 00 08 05 10 00 01 00 01 02');
    const whole = new TcpFrameParser().push(Buffer.concat([adu, adu]));
    const p = new TcpFrameParser();
    const bytewise = [...adu, ...adu].flatMap((b) => p.push(Uint8Array.of(b)).adus);
    assert.deepEqual(whole.adus, bytewise);
    assert.equal(whole.pending, 'none');
  });
});

describe('MBAP', () => {
  test('header round trip and ADU decode', () => {
    const h = { transactionId: 0x1234, protocolId: 0, length: 6, unitId: 0xff };
    assert.equal(bytesToHex(encodeMbapHeader(h)), '12 34 00 00 00 06 FF');
    assert.deepEqual(decodeMbapHeader(encodeMbapHeader(h)), { ok: true, header: h });
    assert.equal(decodeMbapHeader(hexToBytes('00 01')).ok, false);
    const adu = hexToBytes('00 01 00 00 00 06 11 03 00 6B 00 03');
    assert.deepEqual(decodeTcpAdu(adu), {
      ok: true,
      adu: { transactionId: 1, unitId: 17, pdu: hexToBytes('03 00 6B 00 03') },
    });
    assert.equal(decodeTcpAdu(adu.subarray(0, 11)).ok, false);
    assert.equal(decodeTcpAdu(hexToBytes('00 01 00 02 00 02 11 03')).ok, false);
    assert.throws(() => encodeTcpAdu({ transactionId: 1, unitId: 1, pdu: new Uint8Array(254) }));
  });
  test('writeTcpAdu: frames back to back in one buffer, the bytes of encodeTcpAdu', () => {
    const a = { transactionId: 0xfffe, unitId: 10, pdu: hexToBytes('03 00 00 00 01') };
    const b = { transactionId: 7, unitId: 255, pdu: hexToBytes('83 02') };
    const out = new Uint8Array(12 + 9);
    const end = writeTcpAdu(
      out,
      writeTcpAdu(out, 0, a.transactionId, a.unitId, a.pdu),
      b.transactionId,
      b.unitId,
      b.pdu,
    );
    assert.equal(end, out.length);
    assert.equal(bytesToHex(out), `${bytesToHex(encodeTcpAdu(a))} ${bytesToHex(encodeTcpAdu(b))}`);
    assert.throws(() => writeTcpAdu(out, 0, 1, 1, new Uint8Array(0)), /pdu.length/);
    assert.throws(() => writeTcpAdu(out, 0, 0x10000, 1, hexToBytes('03')), /transactionId/);
    assert.throws(() => writeTcpAdu(out, 0, 1, 256, hexToBytes('03')), /unitId/);
    assert.throws(() => writeTcpAdu(out, 15, 1, 1, hexToBytes('03 00 00 00 01')), /does not fit/);
  });
});
