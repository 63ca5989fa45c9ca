// identifyDevice with the plausibility check, against a simulated unit's own
// PDU answers (sim/modbus/answer.ts: real request and response PDUs, no
// network): what is kept, what is rejected and why, and how many reads it costs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fillBank } from '../../../sim/devices/model-bank.js';
import { answerPdu } from '../../../sim/modbus/answer.js';
import { UnitBank } from '../../../sim/modbus/bank.js';
import { ModelCatalog } from '../models/catalog.js';
import { identifyDevice } from './identify.js';
import type { Send } from './probe.js';

const catalog = ModelCatalog.open();

function device(bank: UnitBank): { send: Send; reads: () => number } {
  let reads = 0;
  const send: Send = async (pdu) => {
    if (pdu[0] === 3 || pdu[0] === 4) reads++;
    return answerPdu(bank, pdu);
  };
  return { send, reads: () => reads };
}

test('a 43/14 match whose registers hold a test pattern is rejected with its reasons', async () => {
  const bank = new UnitBank(1); // the simulator's identity: Wattgate, WG-SIM-TCP
  bank.fillPattern();
  const d = device(bank);
  const id = await identifyDevice(d.send, catalog);
  assert.deepEqual([id.present, id.models, id.via], [true, [], 'none']);
  assert.equal(id.rejected?.[0]?.id, 'wattgate-demo-meter');
  assert.match(id.rejected?.[0]?.reasons.join('; ') ?? '', /VLNAvg = 1\.4\d*e-45 V/);
  assert.ok(d.reads() <= 3 + 16, `${d.reads()} register reads`);
});

test('a plausible 43/14 match is kept after three reads, without a rejected list', async () => {
  const bank = new UnitBank(1);
  fillBank(bank, catalog.require('wattgate-demo-meter'), { VLNAvg: 230, Freq: 50, IAvg: 4.2 });
  const d = device(bank);
  const id = await identifyDevice(d.send, catalog);
  assert.deepEqual([id.models, id.via, id.rejected], [['wattgate-demo-meter'], '43/14', undefined]);
  assert.equal(d.reads(), 3);
});

test('a NaN that is not the documented marker counts against the model; the marker does not', async () => {
  const model = catalog.require('schneider-iem3000');
  const bank = new UnitBank(1);
  bank.identification.clear();
  bank.setIdentity({ vendorName: 'Schneider Electric', productCode: 'A9MEM3150' });
  fillBank(bank, model, { VAN: 231, Freq: 50, IA: 3 });
  bank.setRegisters('holding', 3027, [0xffc0, 0x0000]); // VAN: the float32 marker (quiet NaN): not available
  assert.deepEqual((await identifyDevice(device(bank).send, catalog)).models, ['schneider-iem3000']);
  bank.setRegisters('holding', 3027, [0x7fc0, 0x0001]); // another NaN: garbage
  const id = await identifyDevice(device(bank).send, catalog);
  assert.deepEqual(id.models, []);
  assert.match(id.rejected?.[0]?.reasons[0] ?? '', /VAN = NaN V: not a finite number/);
});
