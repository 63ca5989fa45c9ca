// The shared Modbus TCP connection per endpoint (tcp-pool.ts, tcp-master.ts)
// against the simulated slave over loopback: one connection for every user of
// an endpoint, each request with its own unit id; upstream ('high') requests
// go before waiting polls ('low'); a holder that wants one request at a time
// limits the endpoint; the last lease closes the connection.
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { startTcpSlave, type TcpSlave } from '../../sim/modbus/tcp-slave.js';
import { decodeResponse, encodeRequest, type ModbusRequest } from '../protocol/modbus/index.js';
import { systemClock } from '../shared/clock.js';
import { silentLogger } from '../shared/logger.js';
import type { ModbusTcpMaster } from './tcp-master.js';
import { TcpMasterPool } from './tcp-pool.js';

const slaves: TcpSlave[] = [];
const pools: TcpMasterPool[] = [];
afterEach(async () => {
  for (const p of pools.splice(0)) p.stop();
  await Promise.all(slaves.splice(0).map((s) => s.close()));
});

async function until(cond: () => boolean, what: string, timeoutMs = 2000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

function pool(): TcpMasterPool {
  const p = new TcpMasterPool(
    { log: silentLogger, clock: systemClock },
    { backoff: { baseMs: 20, maxMs: 50 } },
  );
  pools.push(p);
  return p;
}

async function slave(latencyMs = 0): Promise<TcpSlave> {
  const s = await startTcpSlave({ units: [1, 2], record: 200, latencyMs });
  slaves.push(s);
  s.bank(1).setRegisters('holding', 0, [101, 102, 103]);
  s.bank(2).setRegisters('holding', 0, [201, 202, 203]);
  return s;
}

async function read(
  m: ModbusTcpMaster,
  unitId: number,
  address: number,
  priority: 'high' | 'low' = 'high',
): Promise<number> {
  const request: ModbusRequest = { kind: 'read-registers', fc: 3, address, quantity: 1 };
  const pdu = await m.request({
    unitId,
    pdu: encodeRequest(request),
    request,
    signal: new AbortController().signal,
    timeoutMs: 2000,
    priority,
  });
  const r = decodeResponse(pdu, request);
  assert.ok(r.ok && r.response.kind === 'read-registers');
  return r.response.values[0] as number;
}

test('one connection per endpoint for every holder; each request carries its own unit id', async () => {
  const s = await slave();
  const p = pool();
  const gateway = p.acquire('127.0.0.1', s.port);
  const poller = p.acquire('127.0.0.1', s.port);
  assert.equal(gateway.master, poller.master);
  await until(() => gateway.master.stats.connected, 'connected');
  assert.deepEqual(
    await Promise.all([
      read(gateway.master, 1, 0),
      read(poller.master, 2, 1, 'low'),
      read(gateway.master, 2, 2),
    ]),
    [101, 202, 203],
  );
  assert.equal(s.stats().accepted, 1, 'the device saw one connection');
  gateway.release();
  assert.equal(p.size, 1, 'still held by the poller');
  assert.equal(await read(poller.master, 1, 2, 'low'), 103);
  poller.release();
  poller.release(); // idempotent
  assert.equal(p.size, 0);
  await until(() => s.stats().connections === 0, 'the last release closed the connection');
});

test('upstream (high) requests are sent before waiting polls (low)', async () => {
  const s = await slave(30);
  const p = pool();
  const lease = p.acquire('127.0.0.1', s.port, { oneInFlight: true });
  await until(() => lease.master.stats.connected, 'connected');
  assert.equal(lease.master.maxInFlight, 1);
  // One poll on the wire, three more polls waiting, then two upstream requests arrive.
  const polls = [0, 1, 2, 0].map((a) => read(lease.master, 1, a, 'low'));
  await until(() => lease.master.stats.queueDepth === 3, 'polls queued');
  const upstream = [read(lease.master, 2, 0), read(lease.master, 2, 1)];
  await Promise.all([...polls, ...upstream]);
  const order = s.recorded.map((r) => r.unitId);
  assert.deepEqual(order, [1, 2, 2, 1, 1, 1], 'the upstream requests overtook the waiting polls');
  assert.equal(s.stats().maxInFlight, 1);
  lease.release();
});

test('one holder asking for one request at a time limits the endpoint; its release lifts it', async () => {
  const s = await slave();
  const p = pool();
  const a = p.acquire('127.0.0.1', s.port);
  assert.equal(a.master.maxInFlight, 16);
  const b = p.acquire('127.0.0.1', s.port, { oneInFlight: true });
  assert.equal(a.master.maxInFlight, 1);
  b.release();
  assert.equal(a.master.maxInFlight, 16);
  a.release();
});
