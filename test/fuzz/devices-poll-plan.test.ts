/**
 * Properties of the poll plan (src/devices/poll-plan.ts) over random
 * measurement layouts: every measurement is covered by exactly one read and
 * lies wholly inside it, at its byte offset; every read is ≤ 125 registers
 * (and ≤ maxRegisters), of its table's function code, and bridges no gap
 * wider than maxGap nor any register marked absent; and for measurements that
 * do not overlap, the number of reads is the minimum (checked against an
 * exhaustive dynamic programme).
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { type CompiledMeasurement, compileMeasurement } from '../../src/devices/decode.js';
import type { Measurement } from '../../src/devices/model-schema.js';
import { MAX_READ_REGISTERS, type PlannedRead, planReads } from '../../src/devices/poll-plan.js';
import { decodeRequest } from '../../src/protocol/modbus/index.js';
import { CaseCounter, fuzzRuns } from '../fixtures/modbus/arbitraries.js';

const RUNS = fuzzRuns(3000);
const counter = new CaseCounter('devices-poll-plan');
const started = performance.now();
after(() => counter.report(started, performance.now()));

const TYPE_BY_SIZE = { 1: 'uint16', 2: 'float32', 4: 'int64' } as const;

function measurement(
  i: number,
  address: number,
  size: number,
  table: 'holding' | 'input',
): CompiledMeasurement {
  const type = size in TYPE_BY_SIZE ? TYPE_BY_SIZE[size as 1 | 2 | 4] : 'string';
  const m: Measurement = {
    key: `K${i}`,
    name: `k${i}`,
    address,
    type,
    unit: '',
    kind: 'instant',
    table,
    ...(type === 'string' ? { registers: size } : {}),
  };
  return compileMeasurement(m, {});
}

/** Non-overlapping layouts: sizes and gaps laid out left to right. */
const layoutArb = fc
  .record({
    items: fc.array(
      fc.record({
        size: fc.oneof(fc.constantFrom(1, 2, 4), fc.integer({ min: 1, max: 125 })),
        gap: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 30 })),
        table: fc.constantFrom('holding' as const, 'input' as const),
      }),
      { maxLength: 40 },
    ),
    start: fc.integer({ min: 0, max: 1000 }),
    maxGap: fc.integer({ min: 0, max: 20 }),
    maxRegisters: fc.integer({ min: 1, max: 125 }),
  })
  .map(({ items, start, maxGap, maxRegisters }) => {
    let at = start;
    const ms = items.map((it, i) => {
      at += it.gap;
      const c = measurement(i, at, it.size, it.table);
      at += it.size;
      return c;
    });
    return { ms, maxGap, maxRegisters: Math.max(maxRegisters, ...ms.map((m) => m.registers)) };
  });

function checkPlan(
  ms: CompiledMeasurement[],
  plan: PlannedRead[],
  maxGap: number,
  maxRegisters: number,
): void {
  const seen = new Map<string, number>();
  for (const r of plan) {
    assert.ok(r.quantity >= 1 && r.quantity <= MAX_READ_REGISTERS && r.quantity <= maxRegisters);
    assert.equal(r.fc, r.table === 'holding' ? 3 : 4);
    const req = decodeRequest(r.pdu);
    assert.ok(req.ok && req.request.kind === 'read-registers');
    assert.deepEqual([req.request.address, req.request.quantity], [r.address, r.quantity]);
    const sorted = [...r.items].sort((a, b) => a.c.address - b.c.address);
    let end = r.address;
    for (const it of sorted) {
      assert.equal(it.c.table, r.table);
      assert.equal(it.byteOffset, 2 * (it.c.address - r.address));
      assert.ok(it.c.address >= r.address && it.c.address + it.c.registers <= r.address + r.quantity);
      assert.ok(it.c.address - end <= maxGap, 'gap bridged wider than maxGap');
      end = Math.max(end, it.c.address + it.c.registers);
      seen.set(it.c.key, (seen.get(it.c.key) ?? 0) + 1);
    }
    assert.equal(end, r.address + r.quantity, 'a read ends at its last measurement');
  }
  for (const m of ms) assert.equal(seen.get(m.key), 1, `${m.key} covered exactly once`);
}

/** Fewest reads for sorted non-overlapping measurements of one table (exhaustive DP over runs). */
function optimum(ms: CompiledMeasurement[], maxGap: number, maxRegisters: number): number {
  const s = [...ms].sort((a, b) => a.address - b.address);
  const best = new Array<number>(s.length + 1).fill(Number.POSITIVE_INFINITY);
  best[0] = 0;
  for (let j = 1; j <= s.length; j++) {
    for (let i = j - 1; i >= 0; i--) {
      const first = s[i] as CompiledMeasurement;
      const last = s[j - 1] as CompiledMeasurement;
      if (last.address + last.registers - first.address > maxRegisters) break;
      let ok = true; // no gap wider than maxGap inside the run
      for (let k = i + 1; k < j; k++) {
        const a = s[k - 1] as CompiledMeasurement;
        const b = s[k] as CompiledMeasurement;
        if (b.address - (a.address + a.registers) > maxGap) ok = false;
      }
      if (ok) best[j] = Math.min(best[j] as number, (best[i] as number) + 1);
    }
  }
  return best[s.length] as number;
}

test('poll plan: exact cover, ≤125 per read, gaps ≤ maxGap, minimal for non-overlapping layouts', () => {
  fc.assert(
    fc.property(layoutArb, ({ ms, maxGap, maxRegisters }) => {
      const plan = planReads(ms, { maxGap, maxRegisters });
      checkPlan(ms, plan, maxGap, maxRegisters);
      for (const table of ['holding', 'input'] as const) {
        const mine = ms.filter((m) => m.table === table);
        const reads = plan.filter((r) => r.table === table).length;
        assert.equal(reads, optimum(mine, maxGap, maxRegisters), `${table}: greedy is minimal`);
      }
    }),
    { numRuns: RUNS },
  );
  counter.add(RUNS);
});

test('poll plan: overlapping measurements share reads; absent registers are never read', () => {
  const arb = fc.record({
    ms: fc.array(
      fc.record({ address: fc.integer({ min: 0, max: 300 }), size: fc.constantFrom(1, 2, 4, 10) }),
      { maxLength: 30 },
    ),
    absent: fc.uniqueArray(fc.integer({ min: 0, max: 320 }), { maxLength: 20 }),
    maxGap: fc.integer({ min: 0, max: 20 }),
  });
  fc.assert(
    fc.property(arb, ({ ms, absent, maxGap }) => {
      const compiled = ms.map((m, i) => measurement(i, m.address, m.size, 'holding'));
      const holes = new Set(absent);
      const isAbsent = (_t: string, a: number) => holes.has(a);
      const plan = planReads(compiled, { maxGap, absent: isAbsent });
      checkPlan(compiled, plan, maxGap, MAX_READ_REGISTERS);
      const covered = (a: number) => compiled.some((c) => a >= c.address && a < c.address + c.registers);
      for (const r of plan) {
        for (let a = r.address; a < r.address + r.quantity; a++) {
          assert.ok(covered(a) || !holes.has(a), `absent register ${a} read`);
        }
      }
    }),
    { numRuns: RUNS },
  );
  counter.add(RUNS);
});
