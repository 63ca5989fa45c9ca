// Unit 255 against the reference's own register table (PRODUCT G11, X1):
// Panel_Server.tsv is parsed here and is the oracle — not src/modbus's tables.
// Every row is read with FC 3 at register − 1 over a real socket: its length
// must match the N° column, its content Wattgate's identity (ASCII, NUL-padded),
// the clock (DATETIME), the health callback, or the Invalid Value column. The
// same through FC 100-4 and 43/14, and with Debian's pymodbus as the client.
// The vendor URL is Wattgate's real one (src/core/identity.ts, from package.json
// `homepage`): never empty, in register 43 and in 43/14 object 3 alike.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { WATTGATE_IDENTITY } from '../../src/core/identity.js';
import type { ModbusEvents } from '../../src/modbus/events.js';
import { createGateway } from '../../src/modbus/gateway.js';
import type { Identity } from '../../src/modbus/identity.js';
import { createSerialLineTarget } from '../../src/modbus/serial-line-target.js';
import { ManualClock } from '../../src/shared/clock.js';
import { memoryConfigView } from '../../src/shared/config-view.js';
import { TypedEvents } from '../../src/shared/events.js';
import { silentLogger } from '../../src/shared/logger.js';
import { devicesView } from '../support/modbus-fixtures.js';
import { execFileAsync, peer } from '../support/peers.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const TSV_PATH = join(HERE, '../../reference/modbus-map/Panel_Server.tsv');
const HOMEPAGE = (JSON.parse(readFileSync(join(HERE, '../../package.json'), 'utf8')) as { homepage?: string })
  .homepage;

interface Row {
  register: number;
  count: number;
  type: string;
  invalid: string;
  description: string;
}

function parseTsv(text: string): Row[] {
  const [head = '', ...lines] = text.split('\n').filter((l) => l.trim() !== '');
  const cols = head.split('\t');
  const at = (name: string) => {
    const i = cols.findIndex((c) => c.trim() === name);
    assert.ok(i >= 0, `column ${name}`);
    return i;
  };
  const [reg, n, type, inv, desc] = ['Register (dec)', 'N°', 'Type', 'Invalid Value', 'Description'].map(at);
  return lines.map((l) => {
    const f = l.split('\t');
    const get = (i: number | undefined) => (f[i ?? -1] ?? '').trim();
    return {
      register: Number(get(reg)),
      count: Number(get(n)),
      type: get(type),
      invalid: get(inv).replace(/^0x/i, '').toLowerCase(),
      description: get(desc),
    };
  });
}

const IDENTITY: Identity = {
  vendorName: 'Wattgate project',
  vendorUrl: WATTGATE_IDENTITY.vendorUrl,
  productName: 'Wattgate open-source panel server',
  productCode: 'WG-PS-OSS',
  modelName: 'Wattgate PS',
  productRange: 'Wattgate',
  productFamily: 'Panel server',
  hardwareVersion: '0.0.0',
  firmwareVersion: '0.1.0',
  serialNumber: 'WG2626Z9Y8X',
  capabilities: 'Modbus TCP gateway',
  additionalCapabilities: 'Datalogger',
};

/** Description prefix → expected ASCII; undefined = Wattgate reports the invalid marker. */
const ASCII_ROWS: ReadonlyArray<[string, string | undefined]> = [
  ['Product range', IDENTITY.productRange],
  ['Product family', IDENTITY.productFamily],
  ['Vendor URL', IDENTITY.vendorUrl],
  ['Commercial Reference', IDENTITY.productCode],
  ['EcoStruxure Panel Server hardware version', '000.000.000'],
  ['Serial number', IDENTITY.serialNumber],
  ['EcoStruxure Panel Server firmware version', '000.001.000'],
  ['Product capability', IDENTITY.capabilities],
  ['Additionnal product capability', IDENTITY.additionalCapabilities],
  ['Manufacturer Name', IDENTITY.vendorName],
  ['EcoStruxure Panel Server user application name', undefined],
  ['EcoStruxure Panel Server product model', IDENTITY.modelName],
];

const NOW = Date.UTC(2026, 5, 30, 23, 59, 58, 765);
const rows = parseTsv(readFileSync(TSV_PATH, 'utf8'));
const clock = new ManualClock(NOW);
const gateway = createGateway(
  {
    log: silentLogger,
    clock,
    events: new TypedEvents<ModbusEvents>(),
    modbus: memoryConfigView({
      server: {
        port: 502,
        enabled: { LO: true },
        maxConnections: 8,
        maxConnectionsPerSource: 8,
        idleTimeoutMs: 120_000,
        frameDeadlineMs: 2000,
        maxPendingPerConnection: 16,
        unknownFunctionCodes: 'forward' as const,
        allowList: {},
        readOnlyUnits: [],
        allowTimeSetting: false,
      },
      serialLines: [],
    }),
    networks: memoryConfigView({ LO: { addresses: ['127.0.0.1'], description: '' } }),
    identity: IDENTITY,
    devices: devicesView(),
    createSerialLineTarget,
    createDeviceTarget: () => {
      throw new Error('no TCP devices in this test');
    },
    health: () => 1,
  },
  { portOverride: 0 },
);

let port = 0;
let socket: Socket;
let inbox = Buffer.alloc(0);
let tid = 0;

/** One request PDU to unit 255 → the response PDU (bounded wait). */
async function ask(pdu: Buffer): Promise<Buffer> {
  const id = ++tid & 0xffff;
  const head = Buffer.alloc(7);
  head.writeUInt16BE(id, 0);
  head.writeUInt16BE(pdu.length + 1, 4);
  head[6] = 255;
  socket.write(Buffer.concat([head, pdu]));
  const end = Date.now() + 2000;
  while (inbox.length < 6 || inbox.length < 6 + inbox.readUInt16BE(4)) {
    if (Date.now() > end) throw new Error('no answer');
    await new Promise((r) => setTimeout(r, 2));
  }
  const size = 6 + inbox.readUInt16BE(4);
  const adu = inbox.subarray(0, size);
  inbox = inbox.subarray(size);
  assert.equal(adu.readUInt16BE(0), id, 'transaction id echoed');
  assert.equal(adu[6], 255, 'unit id echoed');
  return adu.subarray(7);
}

const readHolding = (address: number, count: number) =>
  ask(Buffer.from([3, address >> 8, address & 0xff, 0, count]));

before(async () => {
  await gateway.start();
  port = gateway.addresses()[0]?.boundPort ?? 0;
  socket = await new Promise<Socket>((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('error', reject);
    s.once('connect', () => resolve(s));
  });
  socket.on('data', (b: Buffer) => {
    inbox = Buffer.concat([inbox, b]);
  });
});
after(async () => {
  socket.destroy();
  await gateway.stop();
});

function expectedAscii(row: Row): string | undefined | null {
  const match = ASCII_ROWS.find(([prefix]) => row.description.startsWith(prefix));
  return match === undefined ? null : match[1];
}

test('the oracle table has the rows this test relies on', () => {
  assert.equal(rows.length, 277);
  for (const [prefix] of ASCII_ROWS)
    assert.ok(
      rows.some((r) => r.description.startsWith(prefix)),
      prefix,
    );
  assert.equal(rows.filter((r) => r.description.startsWith('RFID of wireless device')).length, 100);
});

test("the vendor URL is the project's home from package.json, whole or without its scheme to fit 34 characters", () => {
  assert.ok(HOMEPAGE, 'package.json has a homepage');
  assert.match(HOMEPAGE, /^https:\/\/[a-z0-9.-]+\/\S+$/);
  const vendorUrlRow = rows.find((r) => r.description === 'Vendor URL');
  assert.ok(vendorUrlRow, 'the reference table has the Vendor URL row');
  const room = 2 * vendorUrlRow.count;
  assert.equal(room, 34);
  const expected = HOMEPAGE.length <= room ? HOMEPAGE : HOMEPAGE.replace(/^https:\/\//, '');
  assert.ok(expected.length > 0 && expected.length <= room, expected);
  assert.equal(IDENTITY.vendorUrl, expected);
});

test('FC 3 at register − 1: every row of the reference table, exact length and content', async () => {
  for (const row of rows) {
    const pdu = await readHolding(row.register - 1, row.count);
    const what = `register ${row.register} (${row.description.slice(0, 40)})`;
    assert.equal(pdu[0], 3, `${what}: normal response`);
    assert.equal(pdu[1], 2 * row.count, `${what}: byte count from N°`);
    const data = pdu.subarray(2);
    const ascii = expectedAscii(row);
    if (row.type === 'ASCII' && ascii !== null && ascii !== undefined) {
      assert.ok(ascii.length <= 2 * row.count, `${what}: fits`);
      assert.equal(data.toString('latin1'), ascii.padEnd(2 * row.count, '\0'), what);
    } else if (row.type === 'DATE-TIME' && row.register === 116) {
      // 2026-06-30 23:59:58.765 UTC
      assert.equal(data.toString('hex'), '001a061e173be58d', what);
    } else if (row.register === 159) {
      assert.equal(data.toString('hex'), '0001', `${what}: health callback`);
    } else {
      assert.equal(data.toString('hex'), row.invalid, `${what}: invalid marker`);
    }
  }
});

test('FC 100-4 reads the first register of every row, equal to FC 3', async () => {
  const firsts = new Map<number, number>();
  for (const row of rows)
    firsts.set(row.register - 1, (await readHolding(row.register - 1, 1)).readUInt16BE(2));
  const addresses = [...firsts.keys()];
  for (let i = 0; i < addresses.length; i += 100) {
    const batch = addresses.slice(i, i + 100);
    const req = Buffer.alloc(4 + 2 * batch.length);
    req.set([0x64, 2 + 2 * batch.length, 4, i & 0xff]);
    for (const [j, a] of batch.entries()) req.writeUInt16BE(a, 4 + 2 * j);
    const res = await ask(req);
    assert.deepEqual([...res.subarray(0, 4)], [0x64, 2 + 2 * batch.length, 4, i & 0xff]);
    for (const [j, a] of batch.entries())
      assert.equal(res.readUInt16BE(4 + 2 * j), firsts.get(a), `address ${a}`);
  }
});

test('FC 43/14: the six identification objects, basic and regular streams, individual access', async () => {
  const objects = [
    IDENTITY.vendorName,
    IDENTITY.productCode,
    '000.001.000',
    IDENTITY.vendorUrl,
    IDENTITY.productName,
    IDENTITY.modelName,
  ];
  const stream = (ids: number[]) =>
    Buffer.concat(
      ids.map((id) =>
        Buffer.concat([Buffer.from([id, objects[id]?.length ?? 0]), Buffer.from(objects[id] ?? '')]),
      ),
    );
  assert.notEqual(IDENTITY.vendorUrl, '', 'VendorUrl is filled (G11)');
  const vendorUrl = await ask(Buffer.from([0x2b, 0x0e, 4, 3]));
  assert.equal(
    vendorUrl.subarray(7, 9).toString('hex'),
    `03${IDENTITY.vendorUrl.length.toString(16).padStart(2, '0')}`,
  );
  assert.equal(vendorUrl.subarray(9).toString('latin1'), IDENTITY.vendorUrl);
  const basic = await ask(Buffer.from([0x2b, 0x0e, 1, 0]));
  assert.equal(basic.toString('hex'), `2b0e0182000003${stream([0, 1, 2]).toString('hex')}`);
  const regular = await ask(Buffer.from([0x2b, 0x0e, 2, 0]));
  assert.equal(regular.toString('hex'), `2b0e0282000006${stream([0, 1, 2, 3, 4, 5]).toString('hex')}`);
  for (let id = 0; id < 6; id++) {
    const one = await ask(Buffer.from([0x2b, 0x0e, 4, id]));
    assert.equal(one.toString('hex'), `2b0e0482000001${stream([id]).toString('hex')}`);
  }
});

const PY = `
import json, sys
from pymodbus.client import ModbusTcpClient
from pymodbus.mei_message import ReadDeviceInformationRequest
args = json.load(sys.stdin)
c = ModbusTcpClient('127.0.0.1', port=args['port'], timeout=5)
assert c.connect()
out = {'reads': [], 'ident': {}}
for address, count in args['reads']:
    rr = c.read_holding_registers(address, count, slave=255)
    out['reads'].append(None if rr.isError() else rr.registers)
for code in (1, 2):
    r = c.execute(ReadDeviceInformationRequest(read_code=code, object_id=0, unit=255))
    out['ident'][str(code)] = {str(k): v.decode('latin1') for k, v in r.information.items()}
c.close()
print(json.dumps(out))
`;

async function pymodbusAvailable(): Promise<boolean> {
  try {
    await execFileAsync('/usr/bin/python3', ['-c', 'import pymodbus.client'], { timeout: 20_000 });
    return true;
  } catch {
    return false;
  }
}

function runPy(
  input: unknown,
): Promise<{ reads: Array<number[] | null>; ident: Record<string, Record<string, string>> }> {
  return new Promise((resolve, reject) => {
    const child = execFile('/usr/bin/python3', ['-c', PY], { timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`pymodbus client failed: ${stderr || err.message}`));
      else resolve(JSON.parse(stdout));
    });
    child.stdin?.end(JSON.stringify(input));
  });
}

test('pymodbus (peer) reads identity, date/time and health (FC 3) and 43/14', async (t) => {
  if (!peer(t, 'pymodbus', await pymodbusAvailable())) return;
  const picked = rows.filter((r) => expectedAscii(r) !== null || r.register === 116 || r.register === 159);
  const reads = picked.map((r) => [r.register - 1, r.count]);
  const out = await runPy({ port, reads });
  for (const [i, row] of picked.entries()) {
    const ours = await readHolding(row.register - 1, row.count);
    const words = Array.from({ length: row.count }, (_, j) => ours.readUInt16BE(2 + 2 * j));
    assert.deepEqual(out.reads[i], words, `register ${row.register}`);
  }
  assert.deepEqual(out.ident['1'], { 0: IDENTITY.vendorName, 1: IDENTITY.productCode, 2: '000.001.000' });
  assert.deepEqual(out.ident['2'], {
    0: IDENTITY.vendorName,
    1: IDENTITY.productCode,
    2: '000.001.000',
    3: IDENTITY.vendorUrl,
    4: IDENTITY.productName,
    5: IDENTITY.modelName,
  });
});
