/**
 * The RTU slave simulator is a faithful slave: two independent RTU masters
 * from Debian drive it directly over a socat pty pair — mbpoll (libmodbus)
 * and pymodbus 3.0's synchronous serial client — reading and writing several
 * slave addresses on one line; an address the simulator does not play times
 * out. The simulator's own request record confirms what reached it. The
 * `sim rtu` CLI serves mbpoll the same way.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { after, before, test } from 'node:test';
import { type RtuSlave, startRtuSlave } from '../../sim/modbus/rtu-slave.js';
import { execFileAsync, hasCommand, peer } from '../support/peers.js';
import { hasPymodbus, PYTHON } from '../support/pymodbus.js';
import { hasSocat, openPtyPair, type PtyPair } from '../support/socat.js';

let socat = false;
let mbpollOk = false;
let pymodbusOk = false;
let pair: PtyPair | undefined;
let sim: RtuSlave | undefined;

before(async () => {
  [socat, mbpollOk, pymodbusOk] = await Promise.all([
    hasSocat(),
    hasCommand('mbpoll', ['-V']),
    hasPymodbus(),
  ]);
  if (!socat) return;
  pair = await openPtyPair();
  sim = await startRtuSlave({
    path: pair.b,
    baud: 9600,
    parity: 'none',
    units: [1, 2, 5],
    pattern: true,
    record: 50,
  });
});

after(async () => {
  await sim?.close();
  await pair?.close();
});

/** mbpoll in RTU mode, 9600 8N1, 1-based references; returns `[ref]: value` pairs. */
async function mbpoll(args: string[], writes: number[] = []): Promise<{ values: number[]; stdout: string }> {
  const base = ['-m', 'rtu', '-b', '9600', '-P', 'none', '-s', '1', '-1', '-o', '1'];
  const { stdout } = await execFileAsync('mbpoll', [...base, ...args, pair?.a ?? '', ...writes.map(String)], {
    timeout: 20_000,
  });
  const values = [...stdout.matchAll(/^\[\d+\]:\s+(-?\d+)/gm)].map((m) => Number(m[1]));
  return { values, stdout };
}

test('mbpoll -m rtu reads holding registers and coils of several slaves', async (t) => {
  if (!peer(t, 'socat', socat) || !peer(t, 'mbpoll', mbpollOk) || !sim) return;
  const { values } = await mbpoll(['-a', '1', '-r', '1', '-c', '10']);
  assert.deepEqual(values, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  sim.bank(5).setRegisters('input', 99, [4321]);
  assert.deepEqual((await mbpoll(['-a', '5', '-t', '3', '-r', '100', '-c', '1'])).values, [4321]);
  assert.deepEqual((await mbpoll(['-a', '2', '-t', '0', '-r', '1', '-c', '4'])).values, [1, 0, 0, 1]);
  assert.deepEqual(sim.recorded.at(-1)?.unit, 2);
});

test('mbpoll -m rtu writes registers and a coil; the slave applies them', async (t) => {
  if (!peer(t, 'socat', socat) || !peer(t, 'mbpoll', mbpollOk) || !sim) return;
  const w = await mbpoll(['-a', '2', '-r', '11'], [1234, 55]);
  assert.match(w.stdout, /Written 2 references/);
  assert.deepEqual(sim.bank(2).getRegisters('holding', 10, 2), [1234, 55]);
  assert.deepEqual(sim.bank(1).getRegisters('holding', 10, 2), [10, 11], 'only slave 2 wrote');
  await mbpoll(['-a', '1', '-t', '0', '-r', '3'], [1]);
  assert.deepEqual(sim.bank(1).getBits('coils', 2, 1), [true]);
  assert.deepEqual((await mbpoll(['-a', '2', '-r', '11', '-c', '2'])).values, [1234, 55]);
});

test('mbpoll -m rtu: an address the simulator does not play times out', async (t) => {
  if (!peer(t, 'socat', socat) || !peer(t, 'mbpoll', mbpollOk) || !sim) return;
  const before = sim.stats().replies;
  await assert.rejects(mbpoll(['-a', '9', '-r', '1', '-o', '0.3']), /timed out/i);
  assert.equal(sim.stats().replies, before);
  assert.ok(sim.stats().unknownUnit >= 1);
});

const PYMODBUS_MASTER = `
import json, sys, logging
from pymodbus.client import ModbusSerialClient
logging.disable(logging.CRITICAL)
c = ModbusSerialClient(port=sys.argv[1], baudrate=9600, parity='N', stopbits=1, timeout=1)
assert c.connect()
out = {}
r = c.read_holding_registers(20, 5, slave=5); out['hr5'] = r.registers
r = c.write_registers(30, [7, 8, 9], slave=1); out['w1'] = [r.address, r.count]
r = c.read_holding_registers(30, 3, slave=1); out['hr1'] = r.registers
r = c.write_coil(40, True, slave=2); out['wc2'] = [r.address, r.value]
r = c.read_coils(39, 3, slave=2); out['co2'] = [bool(b) for b in r.bits[:3]]
# pymodbus 3.0rc1: readwrite_registers ignores slave= (sends unit 0); unit= works
r = c.readwrite_registers(read_address=30, read_count=2, write_address=32, write_registers=[99], unit=1)
out['rw1'] = r.registers
r = c.read_input_registers(0, 3, slave=9); out['missing'] = r.isError()
c.close()
print(json.dumps(out))
`;

test('pymodbus 3.0 serial client (RTU) reads and writes through the simulator', async (t) => {
  if (!peer(t, 'socat', socat) || !peer(t, 'pymodbus', pymodbusOk) || !sim) return;
  const { stdout } = await execFileAsync(PYTHON, ['-c', PYMODBUS_MASTER, pair?.a ?? ''], { timeout: 30_000 });
  const out = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as Record<string, unknown>;
  assert.deepEqual(out.hr5, [20, 21, 22, 23, 24]);
  assert.deepEqual(out.w1, [30, 3]);
  assert.deepEqual(out.hr1, [7, 8, 9]);
  assert.deepEqual(out.wc2, [40, true]);
  assert.deepEqual(out.co2, [true, true, false], 'coil 39 from the pattern, 40 written');
  assert.deepEqual(out.rw1, [7, 8]);
  assert.equal(out.missing, true);
  assert.deepEqual(sim.bank(1).getRegisters('holding', 30, 3), [7, 8, 99]);
  assert.deepEqual(sim.bank(2).getBits('coils', 40, 1), [true]);
  assert.equal(sim.count(1, 23), 1);
});

test('`npm run sim -- rtu` plays the listed units on a pty until stopped', async (t) => {
  if (!peer(t, 'socat', socat) || !peer(t, 'mbpoll', mbpollOk)) return;
  const cli = await openPtyPair();
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'sim/main.ts', 'rtu', '--path', cli.b, '--baud', '9600', '--units', '3,4'],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  try {
    const first = await new Promise<string>((ok, fail) => {
      const timer = setTimeout(() => fail(new Error('no listening line')), 20_000);
      createInterface({ input: child.stdout as NodeJS.ReadableStream }).once('line', (l) => {
        clearTimeout(timer);
        ok(l);
      });
    });
    assert.deepEqual(JSON.parse(first), { event: 'listening', path: cli.b, baud: 9600, units: [3, 4] });
    const base = ['-m', 'rtu', '-b', '9600', '-P', 'none', '-1', '-o', '1', '-a', '4', '-r', '8', '-c', '2'];
    const { stdout } = await execFileAsync('mbpoll', [...base, cli.a], { timeout: 20_000 });
    assert.match(stdout, /\[8\]:\s+7\s+\[9\]:\s+8/);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    await cli.close();
  }
});
