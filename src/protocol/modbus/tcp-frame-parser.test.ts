import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { hexToBytes, loadHexCases } from '../../../test/fixtures/modbus/load.js';
import { bytesToHex } from './bytes.js';
import { decodeMbapHeader, decodeTcpAdu, encodeMbapHeader, encodeTcpAdu } from './mbap.js';
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
});
