/**
 * A generic Modbus TCP client for the wireless acceptance test, on Debian's
 * pymodbus 3.0: it knows nothing of Wattgate — each operation carries the
 * address, length, type and invalid marker a test took from the reference's
 * public tables. Operations: `read` (FC 3, decoded by the table's type:
 * Float32, INT64, UINT64, UINT16, BITMAP, ASCII; the invalid marker → null;
 * 64-bit integers as decimal strings), `scattered` (FC 100 sub-code 4, as a
 * pymodbus custom message), `write` (FC 16), `ident` (FC 43/14 basic stream).
 * Exceptions come back as `error` (the exception code).
 * (Debian's pymodbus imports pyserial and serial_asyncio even for TCP:
 * scripts/install-peers.sh installs both.)
 */
import { execFile } from 'node:child_process';
import { execFileAsync } from './peers.js';

export const PY_CLIENT = `
import json, struct, sys
from pymodbus.client import ModbusTcpClient
from pymodbus.mei_message import ReadDeviceInformationRequest
from pymodbus.pdu import ModbusRequest, ModbusResponse

class ScatteredRequest(ModbusRequest):
    function_code = 100
    def __init__(self, addresses=(), tn=0, **kwargs):
        ModbusRequest.__init__(self, **kwargs)
        self.addresses, self.tn = list(addresses), tn
    def encode(self):
        body = b''.join(struct.pack('>H', a) for a in self.addresses)
        return struct.pack('>BBB', 2 + 2 * len(self.addresses), 4, self.tn) + body

class ScatteredResponse(ModbusResponse):
    function_code = 100
    def __init__(self, **kwargs):
        ModbusResponse.__init__(self, **kwargs)
        self.values, self.tn = [], None
    def decode(self, data):
        n = (data[0] - 2) // 2
        self.tn = data[2]
        self.values = [struct.unpack('>H', data[3 + 2 * i:5 + 2 * i])[0] for i in range(n)]

def decode(regs, typ, invalid):
    raw = b''.join(struct.pack('>H', r) for r in regs)
    marker = (invalid or '').lower().replace('0x', '')
    if typ != 'BITMAP' and marker and raw.hex() == marker:
        return None
    if typ == 'Float32':
        v = struct.unpack('>f', raw)[0]
        return None if v != v else v
    if typ == 'INT64':
        return str(struct.unpack('>q', raw)[0])
    if typ == 'UINT64':
        return str(struct.unpack('>Q', raw)[0])
    if typ == 'ASCII':
        return raw.split(b'\\0')[0].decode('latin1')
    return regs[0]

def run(c, op):
    kind, unit, out = op['op'], op['unit'], {'tag': op['tag']}
    if kind == 'read':
        rr = c.read_holding_registers(op['address'], op['count'], slave=unit)
        if rr.isError():
            out['error'] = getattr(rr, 'exception_code', -1)
        else:
            out['registers'] = rr.registers
            out['value'] = decode(rr.registers, op['type'], op.get('invalid'))
    elif kind == 'scattered':
        rr = c.execute(ScatteredRequest(op['addresses'], 7, unit=unit))
        if rr.isError():
            out['error'] = getattr(rr, 'exception_code', -1)
        else:
            out['registers'] = rr.values
    elif kind == 'write':
        rr = c.write_registers(op['address'], op['values'], slave=unit)
        if rr.isError():
            out['error'] = getattr(rr, 'exception_code', -1)
    elif kind == 'ident':
        rr = c.execute(ReadDeviceInformationRequest(read_code=1, object_id=0, unit=unit))
        out['objects'] = {str(k): v.decode('latin1') for k, v in rr.information.items()}
    return out

args = json.load(sys.stdin)
c = ModbusTcpClient('127.0.0.1', port=args['port'], timeout=5)
c.register(ScatteredResponse)
assert c.connect()
print(json.dumps([run(c, op) for op in args['ops']]))
c.close()
`;

export type PyOp =
  | {
      readonly op: 'read';
      readonly unit: number;
      readonly address: number;
      readonly count: number;
      readonly type: string;
      readonly invalid: string;
      readonly tag: string;
    }
  | {
      readonly op: 'scattered';
      readonly unit: number;
      readonly addresses: readonly number[];
      readonly tag: string;
    }
  | {
      readonly op: 'write';
      readonly unit: number;
      readonly address: number;
      readonly values: number[];
      readonly tag: string;
    }
  | { readonly op: 'ident'; readonly unit: number; readonly tag: string };

export interface PyResult {
  readonly tag: string;
  readonly value?: number | string | null;
  readonly registers?: number[];
  readonly error?: number;
  readonly objects?: Record<string, string>;
}

const PYTHON = '/usr/bin/python3';
const PRELUDE = PY_CLIENT.slice(0, PY_CLIENT.indexOf('class ScatteredRequest'));

/** True when the client's imports work (pymodbus installed). */
export async function pymodbusClientAvailable(): Promise<boolean> {
  try {
    await execFileAsync(PYTHON, ['-c', PRELUDE], { timeout: 20_000 });
    return true;
  } catch {
    return false;
  }
}

export function runPyClient(port: number, ops: readonly PyOp[]): Promise<PyResult[]> {
  return new Promise((resolve, reject) => {
    const child = execFile(PYTHON, ['-c', PY_CLIENT], { timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`pymodbus client failed: ${stderr || err.message}`));
      else resolve(JSON.parse(stdout) as PyResult[]);
    });
    child.stdin?.end(JSON.stringify({ port, ops }));
  });
}
