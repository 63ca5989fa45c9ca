// The simulator (sim/modbus/tcp-slave.ts) is a faithful Modbus TCP slave: a
// real, independent master — Debian's mbpoll (libmodbus inside) — reads and
// writes every table and sees the values the test put in the banks, one
// unit at a time or several in one poll, and its exceptions.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTcpSlave, type TcpSlave } from '../../sim/modbus/tcp-slave.js';
import { execFileAsync, hasCommand, peer } from '../support/peers.js';

let available = false;
let sim: TcpSlave;

before(async () => {
  available = await hasCommand('mbpoll', ['-V']);
  sim = await startTcpSlave({ units: [1, 2] });
  sim.bank(1).setRegisters('holding', 0, [10, 11, 12, 13, 14]);
  sim.bank(2).setRegisters('holding', 0, [20, 21]);
  sim.bank(1).setRegisters('input', 100, [0xffff, 7]);
  sim.bank(1).setBits('coils', 0, [true, false, true]);
  sim.bank(1).setBits('discrete', 0, [false, true]);
});

after(() => sim.close());

/** mbpoll, 1-based references (reference r is protocol address r-1); returns stdout and exit code. */
async function mbpoll(args: string[]): Promise<{ out: string; code: number }> {
  const argv = ['-m', 'tcp', '-p', String(sim.port), '-1', '-o', '0.5', ...args];
  try {
    const { stdout, stderr } = await execFileAsync('mbpoll', argv, { timeout: 20_000 });
    return { out: stdout + stderr, code: 0 };
  } catch (e) {
    const x = e as { stdout?: string; stderr?: string; code?: number };
    return { out: `${x.stdout ?? ''}${x.stderr ?? ''}`, code: x.code ?? 1 };
  }
}

function readings(out: string): number[] {
  return [...out.matchAll(/^\[(\d+)\]:\s+(-?\d+)/gm)].map((m) => Number(m[2]));
}

test('mbpoll reads holding and input registers, coils and discrete inputs', async (t) => {
  if (!peer(t, 'mbpoll', available)) return;
  sim.resetStats();
  assert.deepEqual(
    readings((await mbpoll(['-a', '1', '-r', '1', '-c', '5', '127.0.0.1'])).out),
    [10, 11, 12, 13, 14],
  );
  assert.deepEqual(
    readings((await mbpoll(['-a', '1', '-t', '3', '-r', '101', '-c', '2', '127.0.0.1'])).out),
    [65535, 7],
  );
  assert.deepEqual(
    readings((await mbpoll(['-a', '1', '-t', '0', '-r', '1', '-c', '3', '127.0.0.1'])).out),
    [1, 0, 1],
  );
  assert.deepEqual(
    readings((await mbpoll(['-a', '1', '-t', '1', '-r', '1', '-c', '2', '127.0.0.1'])).out),
    [0, 1],
  );
  for (const fc of [1, 2, 3, 4]) assert.equal(sim.count(1, fc), 1, `FC ${fc} counted once`);
});

test('mbpoll polls two units in one run', async (t) => {
  if (!peer(t, 'mbpoll', available)) return;
  const { out } = await mbpoll(['-a', '1,2', '-r', '1', '-c', '2', '127.0.0.1']);
  assert.deepEqual(readings(out), [10, 11, 20, 21]);
});

test('mbpoll writes registers and coils; the banks hold the values', async (t) => {
  if (!peer(t, 'mbpoll', available)) return;
  sim.resetStats();
  assert.equal((await mbpoll(['-a', '2', '-r', '11', '127.0.0.1', '111', '222', '333'])).code, 0);
  assert.deepEqual(sim.bank(2).getRegisters('holding', 10, 3), [111, 222, 333]);
  assert.equal((await mbpoll(['-a', '2', '-t', '0', '-r', '5', '127.0.0.1', '1', '0', '1'])).code, 0);
  assert.deepEqual(sim.bank(2).getBits('coils', 4, 3), [true, false, true]);
  assert.equal(sim.count(2, 16) + sim.count(2, 6), 1);
  assert.equal(sim.count(2, 15) + sim.count(2, 5), 1);
});

test('mbpoll sees an injected exception; an unknown unit gets silence', async (t) => {
  if (!peer(t, 'mbpoll', available)) return;
  const remove = sim.faults.add({ unit: 1, fc: 3, exception: 2 });
  const { out } = await mbpoll(['-a', '1', '-r', '1', '-c', '2', '127.0.0.1']);
  remove();
  assert.match(out, /illegal data address/i);
  assert.deepEqual(readings(out), []);
  const before = sim.stats().unknownUnit;
  const silent = await mbpoll(['-a', '9', '-r', '1', '127.0.0.1']);
  assert.deepEqual(readings(silent.out), []);
  assert.equal(sim.stats().unknownUnit, before + 1);
});
