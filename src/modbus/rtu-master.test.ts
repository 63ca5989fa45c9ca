import assert from 'node:assert/strict';
import { test } from 'node:test';
import { drive, FakeLine, reply, type SlaveScript } from '../../test/support/rtu-line.js';
import { encodeRtuAdu } from '../protocol/modbus/index.js';
import { ManualClock } from '../shared/clock.js';
import { ErrorCodes, hasCode } from '../shared/errors.js';
import { silentLogger } from '../shared/logger.js';
import { RtuMaster, type RtuMasterSettings } from './rtu-master.js';
import { t35Ms, txTimeMs } from './rtu-timing.js';

const BASE: RtuMasterSettings = {
  name: 'L',
  baud: 9600,
  timeoutMs: 50,
  retries: 1,
  retryWrites: false,
  pauseMs: 0,
  maxQueue: 8,
  queueTimeoutMs: 5000,
  broadcastDelayMs: 100,
};

/** Slave `unit` answers FC 3 with one register = unit × 100 after 2 ms; FC 6 with the echo. */
const normal: SlaveScript = (unit, pdu) => {
  if (pdu[0] === 6) return { bytes: encodeRtuAdu({ unitId: unit, pdu }), delayMs: 2 };
  return { bytes: reply(unit, [3, 2, 0, unit]), delayMs: 2 };
};

function setup(script: SlaveScript = normal, over: Partial<RtuMasterSettings> = {}) {
  const clock = new ManualClock();
  const line = new FakeLine(clock, script);
  const master = new RtuMaster({ log: silentLogger, clock }, line, { ...BASE, ...over });
  master.start();
  const read = (unit: number, o = {}) => master.request(unit, Uint8Array.of(3, 0, 0, 0, 1), o);
  return { clock, line, master, read };
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const outcome = (p: Promise<Uint8Array>) =>
  p.then(
    (b) => hex(b),
    (e: unknown) => {
      for (const [k, code] of Object.entries(ErrorCodes)) if (hasCode(e, code)) return k;
      return 'ERR';
    },
  );

test('one transaction at a time, each reply to its requester, t3.5 before every frame', async () => {
  const { clock, line, read } = setup();
  const answers = [1, 2, 3, 4, 5].map((u) => outcome(read(u)));
  await drive(clock, 200);
  assert.deepEqual(await Promise.all(answers), ['03020001', '03020002', '03020003', '03020004', '03020005']);
  assert.equal(line.maxOutstanding, 1);
  assert.equal(line.sent.length, 5);
  for (let i = 1; i < line.sent.length; i++) {
    const gap = (line.sent[i]?.t ?? 0) - (line.replies[i - 1] ?? 0);
    assert.ok(gap >= t35Ms(9600) - 1e-9, `gap ${gap} ms before frame ${i}`);
    assert.ok(gap < t35Ms(9600) + 0.5, `gap ${gap} ms: no time lost`);
  }
});

test('the response timeout starts when the request has left the wire', async () => {
  // 1200 baud: an 8-byte request takes 73.3 ms; timeout 50 ms; the slave answers 100 ms after the write.
  const { clock, read } = setup((u) => ({ bytes: reply(u, [3, 2, 0, 9]), delayMs: 100 }), { baud: 1200 });
  const r = outcome(read(1));
  await drive(clock, 200, 1);
  assert.equal(await r, '03020009');
  assert.ok(txTimeMs(8, 1200) + 50 > 100);
});

test('silent slave: read retried then 0x0B; a write is not retried unless retryWrites', async () => {
  const { clock, line, master, read } = setup(() => undefined);
  const r = outcome(read(9));
  const w = outcome(master.request(9, Uint8Array.of(6, 0, 1, 0, 2)));
  await drive(clock, 600, 1);
  assert.equal(await r, 'TIMEOUT');
  assert.equal(await w, 'TIMEOUT');
  assert.deepEqual(
    line.sent.map((f) => f.pdu[0]),
    [3, 3, 6],
  );
  assert.equal(master.stats.retries, 1);
  const again = setup(() => undefined, { retryWrites: true });
  const w2 = outcome(again.master.request(9, Uint8Array.of(6, 0, 1, 0, 2)));
  await drive(again.clock, 600, 1);
  assert.equal(await w2, 'TIMEOUT');
  assert.equal(again.line.sent.length, 2);
});

test('corrupt replies: retried, then exception 0x04; CRC errors counted', async () => {
  const bad = (u: number) => {
    const f = reply(u, [3, 2, 0, 1]);
    f[f.length - 1] = (f[f.length - 1] ?? 0) ^ 0xff;
    return { bytes: f, delayMs: 2 };
  };
  const { clock, line, master, read } = setup(bad);
  const r = outcome(read(4));
  await drive(clock, 300, 1);
  assert.equal(await r, '8304');
  assert.equal(line.sent.length, 2);
  assert.equal(master.stats.crcErrors, 2);
  assert.equal(master.stats.corruptFailures, 1);
});

test('a late reply is drained, never delivered to the next request', async () => {
  let n = 0;
  const { clock, line, master, read } = setup((u) => {
    n++;
    return n === 1
      ? { bytes: reply(u, [3, 2, 0xde, 0xad]), delayMs: 70 } // after the 50 ms timeout (+ 9 ms on the wire)
      : { bytes: reply(u, [3, 2, 0, n]), delayMs: 2 };
  });
  const first = outcome(read(1, {}));
  await drive(clock, 400, 0.5);
  // The first attempt times out, its late reply arrives during the drain; the retry gets its own answer.
  assert.equal(await first, '03020002');
  const second = outcome(read(1));
  await drive(clock, 100, 0.5);
  assert.equal(await second, '03020003');
  assert.ok(master.stats.lateBytes >= 7);
  assert.ok(
    (line.sent[1]?.t ?? 0) - (line.replies[0] ?? 0) >= 100 - 1e-9,
    'drain silence after the late reply',
  );
});

test('a reply from another slave address is ignored and counted', async () => {
  const { clock, master, read } = setup((u) => ({ bytes: reply(u + 1, [3, 2, 0, 1]), delayMs: 2 }), {
    retries: 0,
  });
  const r = outcome(read(3));
  await drive(clock, 200, 1);
  assert.equal(await r, 'TIMEOUT');
  assert.equal(master.stats.wrongAddress, 1);
});

test('a dead slave is backed off: it fails fast and the others are served', async () => {
  const { clock, line, master, read } = setup((u, pdu) => (u === 13 ? undefined : normal(u, pdu)), {
    retries: 0,
  });
  for (let i = 0; i < 3; i++) {
    const r = outcome(read(13));
    await drive(clock, 200, 1);
    assert.equal(await r, 'TIMEOUT');
  }
  const sentBefore = line.sent.length;
  const dead = outcome(read(13));
  const alive = outcome(read(2));
  await drive(clock, 20, 0.5);
  assert.equal(await dead, 'TIMEOUT');
  assert.equal(await alive, '03020002');
  assert.equal(line.sent.length, sentBefore + 1, 'nothing sent to the backed-off slave');
  assert.deepEqual(master.stats.backedOffSlaves, [13]);
  assert.equal(master.stats.backedOff, 1);
});

test('queue: bounded (BUSY), aborted and expired requests never reach the line, high before low', async () => {
  const { clock, line, master, read } = setup(normal, { maxQueue: 3, queueTimeoutMs: 30 });
  const gone = new AbortController();
  const a = outcome(read(1)); // taken at once by the worker
  const low = outcome(read(2, { priority: 'low' }));
  const aborted = outcome(read(3, { signal: gone.signal }));
  const high = outcome(read(4));
  const full = outcome(read(5, { priority: 'low' }));
  assert.equal(await full, 'BUSY');
  gone.abort();
  await drive(clock, 200, 0.5);
  assert.equal(await a, '03020001');
  assert.equal(await high, '03020004');
  assert.equal(await low, 'TIMEOUT', 'still queued 30 ms after it came → dropped');
  assert.equal(await aborted, 'ABORTED');
  assert.deepEqual(
    line.sent.map((f) => f.unit),
    [1, 4],
  );
  assert.equal(master.stats.expired, 1);
  assert.equal(master.stats.aborted, 1);
  assert.equal(master.stats.busy, 1);
});

test('broadcast: resolved once on the wire, no reply awaited, the line then waits broadcastDelayMs', async () => {
  const { clock, line, master, read } = setup();
  let done = -1;
  const b = master.broadcast(Uint8Array.of(6, 0, 1, 0, 7)).then(() => {
    done = clock.monotonic();
  });
  const r = outcome(read(2));
  await drive(clock, 200, 0.5);
  await b;
  assert.ok(done >= txTimeMs(8, 9600) - 1e-9 && done < txTimeMs(8, 9600) + 1, `echo at ${done} ms`);
  assert.equal(await r, '03020002');
  assert.equal(line.sent[0]?.unit, 0);
  assert.ok((line.sent[1]?.t ?? 0) >= txTimeMs(8, 9600) + 100 - 1e-9);
  assert.equal(master.stats.broadcasts, 1);
});

test('stop fails queued work with UNAVAILABLE; a line down refuses at once', async () => {
  const { master, read } = setup(() => undefined);
  const q = read(1);
  const q2 = read(2);
  master.stop();
  await assert.rejects(q, (e) => hasCode(e, ErrorCodes.UNAVAILABLE));
  await assert.rejects(q2, (e) => hasCode(e, ErrorCodes.UNAVAILABLE));
  await assert.rejects(read(3), (e) => hasCode(e, ErrorCodes.UNAVAILABLE));
});
