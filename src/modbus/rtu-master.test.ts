import assert from 'node:assert/strict';
import { test } from 'node:test';
import { drive, FakeLine, reply, type SlaveScript } from '../../test/support/rtu-line.js';
import { encodeRtuAdu } from '../protocol/modbus/index.js';
import { ManualClock } from '../shared/clock.js';
import { ErrorCodes, hasCode } from '../shared/errors.js';
import { silentLogger } from '../shared/logger.js';
import { RtuMaster, type RtuMasterOptions, type RtuMasterSettings } from './rtu-master.js';
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

function setup(
  script: SlaveScript = normal,
  over: Partial<RtuMasterSettings> = {},
  options: RtuMasterOptions = {},
) {
  const clock = new ManualClock();
  const line = new FakeLine(clock, script);
  const master = new RtuMaster({ log: silentLogger, clock }, line, { ...BASE, ...over }, options);
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

// ---- Dead slaves (issue 14 item 5, PRODUCT G5, SECURITY H5/H6): what counts, probes, visible state ----

const READ = Uint8Array.of(3, 0, 0, 0, 1);
/** A vendor code (0x41, raw: the codec does not interpret it) that the slaves below ignore. */
const VENDOR = Uint8Array.of(0x41, 1, 2, 3);
const ignoresVendor: SlaveScript = (u, pdu) => (pdu[0] === 0x41 ? undefined : normal(u, pdu));
/** The longest another client's read may wait behind one unanswered vendor request: its attempt
 * (on the wire, the 200 ms timeout, the 100 ms drain) and the read's own transaction. */
const ONE_ATTEMPT_MS =
  txTimeMs(VENDOR.length + 3, 9600) +
  200 +
  100 +
  2 * t35Ms(9600) +
  txTimeMs(8, 9600) +
  2 +
  txTimeMs(7, 9600) +
  1;

async function driveUntil(clock: ManualClock, done: () => boolean, maxMs: number, stepMs = 1): Promise<void> {
  for (let t = 0; t < maxMs && !done(); t += 100) await drive(clock, 100, stepMs);
  assert.ok(done(), `not done after ${maxMs} ms of the manual clock`);
}

test('100 unanswered vendor-code requests, one after the other: the slave stays in service for another client', async () => {
  const { clock, line, master } = setup(ignoresVendor, { timeoutMs: 200 });
  const attacker: string[] = [];
  let attackerDone = false;
  void (async () => {
    for (let i = 0; i < 100; i++) attacker.push(await outcome(master.request(7, VENDOR, { client: 'A' })));
    attackerDone = true;
  })();
  const reads: string[] = [];
  const waits: number[] = [];
  void (async () => {
    while (!attackerDone) {
      const t0 = clock.monotonic();
      reads.push(await outcome(master.request(7, READ, { client: 'B' })));
      waits.push(clock.monotonic() - t0);
    }
  })();
  await driveUntil(clock, () => attackerDone, 60_000);
  await drive(clock, 100, 1);
  assert.equal(attacker.length, 100);
  assert.ok(
    attacker.every((r) => r === 'TIMEOUT'),
    'the vendor requests time out (0x0B) for their own client',
  );
  assert.ok(reads.length >= 99, `${reads.length} reads`);
  assert.deepEqual(new Set(reads), new Set(['03020007']), 'every read of the other client answered');
  assert.ok(
    Math.max(...waits) <= ONE_ATTEMPT_MS,
    `longest wait ${Math.max(...waits)} ms > ${ONE_ATTEMPT_MS}`,
  );
  assert.equal(line.sent.filter((f) => f.pdu[0] === 0x41).length, 100, 'each sent once, none failed fast');
  assert.deepEqual(master.stats.backedOffSlaves, []);
  assert.equal(master.stats.slaveBackoffs, 0);
  assert.equal(master.stats.backedOff, 0);
});

test('100 vendor-code requests queued at once by one client delay another client by one attempt at most', async () => {
  const { clock, master } = setup(ignoresVendor, { timeoutMs: 200, maxQueue: 128, queueTimeoutMs: 60_000 });
  const attacker = Array.from({ length: 100 }, () => outcome(master.request(7, VENDOR, { client: 'A' })));
  let attackerDone = false;
  void Promise.all(attacker).then(() => {
    attackerDone = true;
  });
  const reads: string[] = [];
  const waits: number[] = [];
  void (async () => {
    for (let i = 0; i < 10; i++) {
      const t0 = clock.monotonic();
      reads.push(await outcome(master.request(7, READ, { client: 'B' })));
      waits.push(clock.monotonic() - t0);
    }
  })();
  await driveUntil(clock, () => reads.length === 10, 10_000);
  assert.deepEqual(reads, Array(10).fill('03020007'));
  assert.ok(
    Math.max(...waits) <= ONE_ATTEMPT_MS,
    `longest wait ${Math.max(...waits)} ms > ${ONE_ATTEMPT_MS}`,
  );
  await driveUntil(clock, () => attackerDone, 60_000);
  assert.deepEqual(new Set(await Promise.all(attacker)), new Set(['TIMEOUT']));
  assert.deepEqual(master.stats.backedOffSlaves, []);
});

test('broadcasts never count towards dead, nor does silence at unit 0', async () => {
  const { clock, line, master } = setup(normal, { retries: 0 });
  for (let i = 0; i < 10; i++) {
    const b = master.broadcast(Uint8Array.of(6, 0, 1, 0, i));
    await drive(clock, 150, 1);
    await b;
  }
  for (let i = 0; i < 5; i++) {
    const r = outcome(master.request(0, READ));
    await drive(clock, 200, 1);
    assert.equal(await r, 'TIMEOUT', 'nobody answers unit 0');
  }
  await drive(clock, 3000, 1);
  assert.deepEqual(master.stats.backedOffSlaves, []);
  assert.equal(master.stats.slaveBackoffs, 0);
  assert.equal(master.stats.probes, 0);
  const b = master.broadcast(Uint8Array.of(6, 0, 1, 0, 99));
  await drive(clock, 150, 1);
  await b;
  assert.equal(line.sent.filter((f) => f.unit === 0).length, 16, 'broadcasts and unit-0 requests all sent');
  assert.equal(master.stats.broadcasts, 11);
});

test('a slave silent to known reads is backed off, probed by the master with a one-item read, back after the first answered probe', async () => {
  let dead = false;
  const script: SlaveScript = (u, pdu) => {
    if (u === 13 && dead) return undefined;
    if (pdu[0] === 4) return { bytes: reply(u, [4, 2, 0, 0x44]), delayMs: 2 };
    return normal(u, pdu);
  };
  const { clock, line, master, read } = setup(script, { retries: 0 });
  const learned = outcome(master.request(13, Uint8Array.of(4, 0, 0x10, 0, 1)));
  await drive(clock, 50, 1);
  assert.equal(await learned, '04020044', 'the slave answered an FC 4 read of register 0x10');
  dead = true;
  for (let i = 0; i < 3; i++) {
    const r = outcome(read(13));
    await drive(clock, 200, 1);
    assert.equal(await r, 'TIMEOUT');
  }
  assert.deepEqual(master.stats.backedOffSlaves, [13]);
  assert.equal(master.stats.slaveBackoffs, 1);
  const offAt = line.sent.length;
  const backedOffAt = (master.stats.slaveBackoff[0]?.since ?? 0) - (clock.now() - clock.monotonic());
  // While backed off: every client request to 13 fails fast (0x0B), nothing reaches the line; 2 is served.
  const fast = [
    outcome(read(13)),
    outcome(master.request(13, Uint8Array.of(6, 0, 1, 0, 1))),
    outcome(read(2)),
  ];
  await drive(clock, 30, 0.5);
  assert.deepEqual(await Promise.all(fast), ['TIMEOUT', 'TIMEOUT', '03020002']);
  assert.equal(master.stats.backedOff, 2);
  // End of the first period (1 s): the master's probe, FC 4 register 0x10 quantity 1; silent.
  await drive(clock, 1100 - (clock.monotonic() - backedOffAt), 1);
  const toDead = () => line.sent.slice(offAt).filter((f) => f.unit === 13);
  assert.deepEqual(
    toDead().map((f) => hex(f.pdu)),
    ['0400100001'],
    'only the probe went to the slave',
  );
  const probe1 = toDead()[0]?.t ?? 0;
  assert.ok(
    probe1 >= backedOffAt + 1000 && probe1 < backedOffAt + 1000 + 10,
    `probe at ${probe1 - backedOffAt} ms`,
  );
  assert.equal(master.stats.probes, 1);
  assert.equal(master.stats.slaveBackoff[0]?.periods, 2);
  assert.equal(master.stats.slaveBackoff[0]?.lastProbe?.result, 'silent');
  // The slave answers again; clients still fail fast until the next probe (2 s after the first).
  dead = false;
  await drive(clock, 1500, 1);
  const still = outcome(read(13));
  await drive(clock, 10, 0.5);
  assert.equal(await still, 'TIMEOUT', 'no client request is used as a probe');
  assert.equal(toDead().length, 1);
  await drive(clock, probe1 + 2000 + 100 - clock.monotonic(), 1);
  assert.equal(toDead().length, 2, 'the second probe');
  const probe2 = toDead()[1]?.t ?? 0;
  assert.ok(probe2 - probe1 >= 2000 && probe2 - probe1 < 2000 + 100, `second period ${probe2 - probe1} ms`);
  assert.deepEqual(master.stats.backedOffSlaves, [], 'back in service after the first answered probe');
  assert.equal(master.stats.probesAnswered, 1);
  const back = outcome(read(13));
  await drive(clock, 30, 0.5);
  assert.equal(await back, '0302000d');
  assert.equal(line.maxOutstanding, 1);
});

test('the default probe is FC 3 register 0 quantity 1; an exception reply proves the slave alive', async () => {
  let dead = true;
  const script: SlaveScript = (u, pdu) => {
    if (u !== 21) return normal(u, pdu);
    if (dead) return undefined;
    return { bytes: reply(u, [(pdu[0] ?? 0) | 0x80, 2]), delayMs: 2 }; // 02: illegal data address
  };
  const { clock, line, master } = setup(script, { retries: 0 });
  for (let i = 0; i < 3; i++) {
    const w = outcome(master.request(21, Uint8Array.of(6, 0, 1, 0, i)));
    await drive(clock, 200, 1);
    assert.equal(await w, 'TIMEOUT');
  }
  assert.deepEqual(master.stats.backedOffSlaves, [21], 'silent writes count too');
  dead = false;
  await drive(clock, 1000, 1);
  assert.deepEqual(
    line.sent.filter((f) => f.unit === 21).map((f) => hex(f.pdu)),
    ['0600010000', '0600010001', '0600010002', '0300000001'],
  );
  assert.deepEqual(master.stats.backedOffSlaves, []);
  const last = master.stats.lastProbe;
  assert.deepEqual([last?.unit, last?.result], [21, 'alive']);
  const answeredAt = (line.replies.at(-1) ?? 0) + (clock.now() - clock.monotonic());
  assert.ok(Math.abs((last?.at ?? 0) - answeredAt) <= 1, 'when the probe was answered (wall clock)');
});

test('the back-off state is visible in the stats, and clears', async () => {
  let dead = true;
  const { clock, master, read } = setup((u, pdu) => (u === 9 && dead ? undefined : normal(u, pdu)), {
    retries: 2,
  });
  const wall = (mono: number) => clock.now() - clock.monotonic() + mono;
  assert.deepEqual(
    [master.stats.backedOffSlaves, master.stats.slaveBackoff, master.stats.lastProbe],
    [[], [], null],
  );
  const r = outcome(read(9));
  await drive(clock, 400, 1);
  assert.equal(await r, 'TIMEOUT');
  const s1 = master.stats;
  const since = s1.slaveBackoff[0]?.since ?? 0;
  assert.equal(s1.retries, 2, 'a read retried twice: three counted silences');
  assert.deepEqual(s1.backedOffSlaves, [9]);
  assert.deepEqual(s1.slaveBackoff, [
    {
      unit: 9,
      since,
      until: since + 1000,
      remainingMs: since + 1000 - wall(clock.monotonic()),
      periods: 1,
      probing: false,
      probeDue: true,
      lastProbe: null,
    },
  ]);
  assert.ok(since > wall(0) && since <= clock.now(), 'since: wall-clock ms');
  // The probe is on the wire: still backed off, probing, no time left.
  await drive(clock, since + 1000 - clock.now() + 5, 0.5);
  assert.deepEqual(
    master.stats.slaveBackoff.map((b) => [b.probing, b.probeDue, b.remainingMs, b.periods]),
    [[true, false, 0, 1]],
  );
  await drive(clock, 200, 1);
  const s2 = master.stats.slaveBackoff[0];
  assert.equal(s2?.periods, 2);
  assert.equal(s2?.probing, false);
  assert.equal(s2?.probeDue, false, 'nobody asked for 9 since');
  assert.equal(s2?.lastProbe?.result, 'silent');
  assert.equal(s2?.until, (s2?.lastProbe?.at ?? 0) + 2000, 'the next probe 2 s after the silent one');
  assert.deepEqual(master.stats.lastProbe, { unit: 9, at: s2?.lastProbe?.at, result: 'silent' });
  assert.equal(master.stats.probes, 1);
  assert.equal(master.stats.probesAnswered, 0);
  dead = false;
  await drive(clock, 5000, 1);
  assert.deepEqual(
    master.stats.slaveBackoff.map((b) => [b.unit, b.remainingMs, b.probing, b.probeDue]),
    [[9, 0, false, false]],
    'period over, nobody asked: no probe, the line is left alone',
  );
  assert.equal(master.stats.probes, 1);
  const asked = outcome(read(9));
  await drive(clock, 5, 0.5);
  assert.equal(await asked, 'TIMEOUT', 'still failing fast; its probe goes at once');
  await drive(clock, 100, 1);
  const s3 = master.stats;
  assert.deepEqual([s3.backedOffSlaves, s3.slaveBackoff], [[], []]);
  assert.equal(s3.lastProbe?.unit, 9);
  assert.equal(s3.lastProbe?.result, 'alive');
  assert.deepEqual([s3.slaveBackoffs, s3.probes, s3.probesAnswered], [1, 2, 1]);
});

test('probes: low priority, one at a time, retried when they cannot be sent', async () => {
  const deadUnits = new Set([11, 12]);
  const slow: SlaveScript = (u, pdu) => {
    if (deadUnits.has(u)) return undefined;
    return { bytes: reply(u, [3, 2, 0, u]), delayMs: pdu[0] === 3 && u === 2 ? 300 : 2 };
  };
  const { clock, line, master, read } = setup(slow, { retries: 0, maxQueue: 1, timeoutMs: 400 });
  // 11 and 12 silent 3 times each, interleaved: both backed off within a few ms of each other.
  for (let i = 0; i < 3; i++) {
    for (const u of [11, 12]) {
      const r = outcome(read(u));
      await drive(clock, 600, 1);
      assert.equal(await r, 'TIMEOUT');
    }
  }
  assert.deepEqual(master.stats.backedOffSlaves, [11, 12]);
  const since11 = master.stats.slaveBackoff[0]?.since ?? 0;
  const offset = clock.now() - clock.monotonic();
  // Just before 11's probe is due: a slow read of 2 on the wire and another queued (maxQueue 1): no room.
  await drive(clock, since11 - offset + 1000 - 20 - clock.monotonic(), 1);
  const busy = [outcome(read(2)), outcome(read(2))];
  await drive(clock, 40, 1);
  const s = master.stats.slaveBackoff;
  assert.deepEqual(
    s.map((b) => [b.unit, b.lastProbe?.result ?? null, b.periods]),
    [
      [11, 'not-sent', 1],
      [12, null, 1],
    ],
    'the queue was full: not sent, the period not lengthened',
  );
  assert.equal(master.stats.probes, 0);
  await drive(clock, 2000, 1);
  assert.deepEqual(await Promise.all(busy), ['03020002', '03020002']);
  const probes = line.sent.filter((f) => deadUnits.has(f.unit) && f.t > since11 - offset + 900);
  assert.deepEqual(
    probes.map((f) => [f.unit, hex(f.pdu)]),
    [
      [12, '0300000001'],
      [11, '0300000001'],
    ],
    '12 (due first now), then 11 (retried 1 s after not-sent)',
  );
  const [p12, p11] = probes;
  assert.ok((p11?.t ?? 0) - (p12?.t ?? 0) >= 400, 'the second probe only after the first one ended');
  assert.equal(master.stats.probes, 2);
  assert.equal(line.maxOutstanding, 1);
});
