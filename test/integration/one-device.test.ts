/**
 * One device, one place (issue 13), through the real application (createApp
 * + defaultParts, the injected clock): a single `devices.list` entry — a TCP
 * location, a model, a virtual id — is routed by the gateway (an upstream
 * Modbus client reads it at unit 7) AND sampled into history by the
 * datalogger, over ONE connection to the device (the endpoint's connection
 * is shared, src/modbus/tcp-pool.ts); a sensor paired by its install code is
 * logged into history without a second step.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type Panel, startPanel } from '../../sim/panel.js';
import { type App, createApp, defaultParts } from '../../src/app.js';
import type { HistoryPart } from '../../src/history/part.js';
import type { ModbusGateway } from '../../src/modbus/gateway.js';
import { ModbusTcpMaster } from '../../src/modbus/tcp-master.js';
import { decodeResponse, encodeRequest, type ModbusRequest } from '../../src/protocol/modbus/index.js';
import { ManualClock, systemClock } from '../../src/shared/clock.js';
import type { Part } from '../../src/shared/lifecycle.js';
import { silentLogger } from '../../src/shared/logger.js';
import type { WirelessPart } from '../../src/wireless/part.js';

const TH110 = '00124B00AB000001';
const CODE = '0123456789ABCDEF0123456789ABCDEFE7B8';
const T0 = Date.UTC(2026, 11, 5, 9, 0, 1);

const dir = mkdtempSync(join(tmpdir(), 'wattgate-one-device-'));
const clock = new ManualClock(T0);
let panel: Panel;
let app: App;
let parts: Part[] = [];
const part = <T>(name: string) => parts.find((p) => p.name === name) as T;

/** Advances the injected clock in steps, letting sockets and timers run in between. */
async function advance(ms: number, step = 1000): Promise<void> {
  for (let done = 0; done < ms; done += step) {
    clock.advance(Math.min(step, ms - done));
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function points(series: string): number {
  const store = part<HistoryPart>('history').store;
  store.flush();
  return store.pointsWritten(series);
}

before(async () => {
  panel = await startPanel({ units: [1], clock: systemClock });
  app = createApp({
    dataDir: dir,
    log: silentLogger,
    clock,
    parts: (ctx) => {
      parts = defaultParts(ctx, { modbusPort: 0, webPort: 0 });
      return parts;
    },
  });
  const base = app.ctx.config.get();
  app.ctx.config.replace({
    ...base,
    networks: { LOOP: { addresses: ['127.0.0.1'], description: '' } },
    web: { ...base.web, enabled: { LOOP: true } },
    modbus: { ...base.modbus, server: { ...base.modbus.server, enabled: { LOOP: true } } },
    devices: {
      nextId: 2,
      list: [
        {
          id: 1,
          name: 'Incomer',
          model: 'wattgate-demo-meter',
          location: { kind: 'tcp', host: '127.0.0.1', port: panel.port, unit: 1 },
          virtualId: 7,
          periodMinutes: 1,
        },
      ],
    },
    wireless: {
      ...base.wireless,
      simulator: { sensors: [{ rfId: TH110, model: 'th110', periodSeconds: 5, installCode: CODE }] },
    },
  });
  await app.start();
});

after(async () => {
  await app?.stop();
  await panel?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('one entry: the gateway routes it at its virtual id and the datalogger samples it, over one connection', async () => {
  const gateway = part<ModbusGateway>('modbus-gateway');
  const port = gateway.addresses()[0]?.boundPort ?? 0;
  const scada = new ModbusTcpMaster(
    { name: 'scada', host: '127.0.0.1', port },
    { log: silentLogger, clock: systemClock },
  );
  scada.start();
  try {
    const request: ModbusRequest = { kind: 'read-registers', fc: 3, address: 0, quantity: 2 };
    await until(() => scada.stats.connected, 'SCADA connected');
    const pdu = await scada.request({
      unitId: 7,
      pdu: encodeRequest(request),
      request,
      signal: new AbortController().signal,
      timeoutMs: 2000,
    });
    const r = decodeResponse(pdu, request);
    assert.ok(r.ok && r.response.kind === 'read-registers', 'unit 7 answers through the gateway');
    const volts = Buffer.from(Uint16Array.from(r.response.values).buffer).swap16().readFloatBE(0);
    assert.ok(volts > 200 && volts < 260, `voltage ${volts} V from the simulated meter`);
  } finally {
    scada.stop();
  }
  await advance(60_000);
  await until(() => points('modbus:1_mb_VLNAvg') > 0, 'a sample of the device in history');
  assert.ok(points('modbus:1_mb_EActDelTot') > 0);
  assert.equal(
    panel.slave.stats().accepted,
    1,
    'the gateway and the poller share one connection to the device',
  );
});

test('a sensor paired by its install code is routed and logged without a second step', async () => {
  const wireless = part<WirelessPart>('wireless');
  await wireless.permitJoin({ installCodes: [{ code: CODE }] });
  await advance(10_000);
  await until(
    () => app.ctx.config.section('devices').list.length === 2,
    'the joined sensor saved as a device',
  );
  const entry = app.ctx.config.section('devices').list[1];
  assert.equal(entry?.location.kind, 'wireless');
  assert.equal(entry?.model, 'th110');
  assert.equal(entry?.virtualId, 100, 'first free virtual id from 100');
  assert.equal(entry?.id, 2);
  assert.equal(entry?.periodMinutes, 15, 'sampled at the default period');
  await until(
    () => part<ModbusGateway>('modbus-gateway').targetFor(100)?.kind === 'wireless',
    'routed at 100',
  );
  await advance(15 * 60_000, 5000);
  await until(() => points('modbus:2_mb_T') > 0, "the sensor's temperature in history");
});
