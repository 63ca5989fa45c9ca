/**
 * A real, independent Modbus TCP slave for peer tests: Debian's pymodbus 3.0
 * (`/usr/bin/python3`, package python3-pymodbus) in a child process on a free
 * loopback port. Unit 1 with `zero_mode=True` (protocol address n = element n):
 * coils i%3==0, discrete inputs i%3==1, holding registers 3i+1, input
 * registers 1000+i, for i in 0..299; 43/14 VendorName "pymodbus-peer".
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createConnection, createServer } from 'node:net';
import { execFileAsync } from './peers.js';

export const PYTHON = '/usr/bin/python3';

const SLAVE = `
import asyncio, logging, sys
from pymodbus.server import StartAsyncTcpServer
from pymodbus.datastore import ModbusSequentialDataBlock, ModbusSlaveContext, ModbusServerContext
from pymodbus.device import ModbusDeviceIdentification
logging.disable(logging.CRITICAL)
unit = ModbusSlaveContext(
    co=ModbusSequentialDataBlock(0, [i % 3 == 0 for i in range(300)]),
    di=ModbusSequentialDataBlock(0, [i % 3 == 1 for i in range(300)]),
    hr=ModbusSequentialDataBlock(0, [i * 3 + 1 for i in range(300)]),
    ir=ModbusSequentialDataBlock(0, [1000 + i for i in range(300)]),
    zero_mode=True,
)
context = ModbusServerContext(slaves={1: unit}, single=False)
identity = ModbusDeviceIdentification(info_name={
    'VendorName': 'pymodbus-peer', 'ProductCode': 'PM', 'MajorMinorRevision': '3.0'})
asyncio.run(StartAsyncTcpServer(context=context, identity=identity, address=('127.0.0.1', int(sys.argv[1]))))
`;

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  await new Promise((r) => server.close(r));
  return typeof address === 'object' && address ? address.port : 0;
}

/** True when Debian's pymodbus can be imported. */
export async function hasPymodbus(): Promise<boolean> {
  try {
    await execFileAsync(PYTHON, ['-c', 'import pymodbus.server, pymodbus.client'], { timeout: 20_000 });
    return true;
  } catch {
    return false;
  }
}

export interface PymodbusSlave {
  readonly port: number;
  stop(): void;
}

async function waitListening(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = createConnection({ host: '127.0.0.1', port });
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > end || child.exitCode !== null) throw new Error('pymodbus slave did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function startPymodbusSlave(timeoutMs = 15_000): Promise<PymodbusSlave> {
  const port = await freePort();
  const child = spawn(PYTHON, ['-c', SLAVE, String(port)], { stdio: 'ignore' });
  try {
    await waitListening(port, child, timeoutMs);
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }
  return { port, stop: () => void child.kill('SIGTERM') };
}
