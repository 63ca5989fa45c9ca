/**
 * GET /api/v1/diagnostics/modbus on the whole application (issue 14 item 5:
 * the dead-slave back-off visible in Diagnostics and metrics). The app runs
 * with a serial line on a socat pty pair whose far end never answers (a dead
 * slave, unit 22) and a routed TCP device whose endpoint has nothing
 * listening. After three silent reads of unit 22 through the gateway the API
 * (through the web thread, by a viewer's token) shows: the line with unit 22
 * backed off for its first 1 s period, the requests counted as this client
 * sent them (the oracle: our own count of frames), the TCP endpoint not
 * connected; and the same from the live stats on the main thread.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { type App, createApp, defaultParts } from '../../src/app.js';
import type { ModbusGateway } from '../../src/modbus/gateway.js';
import { serialLineConfig } from '../../src/modbus/serial-line-config.js';
import type { Part } from '../../src/shared/lifecycle.js';
import { silentLogger } from '../../src/shared/logger.js';
import type { WebHost } from '../../src/webhost/host.js';
import { https } from '../support/https.js';
import { adu, RawMbapClient, until } from '../support/modbus-wire.js';
import { peer } from '../support/peers.js';
import { hasSocat, openPtyPair } from '../support/socat.js';

const PASSWORD = 'Diagnostics-Passw0rd!';

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

interface Diagnostics {
  server: { counters: Record<string, number>; connections: { current: number } };
  serialLines: Array<{
    name: string;
    open: boolean;
    counters: Record<string, number>;
    backedOffSlaves: number[];
    slaveBackoff: Array<{ unit: number; since: string; until: string; periods: number; probeDue: boolean }>;
  }>;
  tcpEndpoints: Array<{ endpoint: string; connected: boolean; counters: Record<string, number> }>;
}

test('diagnostics API: a dead slave backed off, counters as sent, a TCP endpoint down', {
  timeout: 120_000,
}, async (t) => {
  if (!peer(t, 'socat', await hasSocat())) return;
  const dir = mkdtempSync(join(tmpdir(), 'wattgate-diagnostics-'));
  const pty = await openPtyPair();
  let app: App | undefined;
  let client: RawMbapClient | undefined;
  try {
    let parts: Part[] = [];
    app = createApp({
      dataDir: dir,
      log: silentLogger,
      parts: (ctx) => {
        parts = defaultParts(ctx, { modbusPort: 0, webPort: 0 });
        return parts;
      },
    });
    const down = await closedPort();
    const base = app.ctx.config.get();
    const line = serialLineConfig({
      name: 'RS485-A',
      path: pty.a,
      unitIds: [22],
      timeoutMs: 100,
      retries: 0,
    });
    app.ctx.config.replace({
      ...base,
      networks: { LOOP: { addresses: ['127.0.0.1'], description: '' } },
      web: { ...base.web, enabled: { LOOP: true } },
      modbus: {
        ...base.modbus,
        server: { ...base.modbus.server, enabled: { LOOP: true } },
        serialLines: [line],
      },
      devices: {
        nextId: 2,
        list: [
          {
            id: 1,
            name: 'meter-down',
            location: { kind: 'tcp', host: '127.0.0.1', port: down, unit: 1, timeoutMs: 300 },
            virtualId: 7,
          },
        ],
      } as typeof base.devices,
    });
    await app.start();
    const web = parts.find((p) => p.name === 'web') as WebHost;
    const port = Number((await web.addresses())[0]?.split(':').pop());
    const gateway = parts.find((p) => p.name === 'modbus-gateway') as ModbusGateway;
    const modbus = gateway.addresses()[0]?.boundPort ?? 0;
    await until(() => gateway.serialLines()[0]?.stats.open === true, 'line open', 10_000);

    const deviceCode = readFileSync(join(dir, 'device-code'), 'utf8').trim();
    const first = await https(port, 'POST', '/api/v1/auth/first-start', { deviceCode, password: PASSWORD });
    assert.equal(first.status, 200, first.body);
    const { csrfToken } = JSON.parse(first.body) as { csrfToken: string };
    const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
    const session = { cookie: first.cookie ?? '', 'x-csrf-token': csrfToken };
    const made = await https(
      port,
      'POST',
      '/api/v1/tokens',
      { name: 'monitor', role: 'viewer', expiresAt },
      session,
    );
    assert.equal(made.status, 201, made.body);
    const bearer = { authorization: `Bearer ${(JSON.parse(made.body) as { token: string }).token}` };

    // Three reads of unit 22 (one attempt each): silent three times → backed off; a fourth fails fast.
    client = await RawMbapClient.open(modbus);
    for (let tid = 1; tid <= 4; tid++)
      assert.equal(await client.ask(adu(tid, 22, '03 0000 0001')), adu(tid, 22, '83 0b'));
    assert.equal(await client.ask(adu(5, 7, '03 0000 0001')), adu(5, 7, '83 0a'), 'TCP device refused: 0x0A');
    const sent = 5;

    assert.equal((await https(port, 'GET', '/api/v1/diagnostics/modbus')).status, 401, 'not public');
    const r = await https(port, 'GET', '/api/v1/diagnostics/modbus', undefined, bearer);
    assert.equal(r.status, 200, r.body);
    const d = JSON.parse(r.body) as Diagnostics;

    assert.equal(d.server.counters.requests, sent, 'every frame we sent, counted once');
    assert.equal(d.server.counters.responses, sent);
    assert.equal(d.server.connections.current, 1);
    const lineOut = d.serialLines.find((l) => l.name === 'RS485-A');
    assert.ok(lineOut, r.body);
    assert.equal(lineOut.open, true);
    assert.deepEqual(lineOut.backedOffSlaves, [22]);
    assert.equal(lineOut.counters.slaveBackoffs, 1);
    assert.equal(lineOut.counters.timeouts, 4, 'four answered 0x0B');
    const probes = lineOut.counters.probes ?? 0;
    assert.equal(
      (lineOut.counters.sent ?? 0) - probes,
      3,
      'three frames of ours on the wire, the rest probes',
    );
    assert.equal(lineOut.counters.backedOff, 1, 'the fourth failed fast');
    const b = lineOut.slaveBackoff[0];
    assert.equal(b?.unit, 22);
    if (b?.periods === 1) {
      assert.equal(Date.parse(b.until) - Date.parse(b.since), 1000, 'first period 1 s');
    } else {
      // A slow host: the first period ended before the query, its probe went unanswered.
      assert.ok((b?.periods ?? 0) >= 2 && probes >= 1, r.body);
    }
    const tcp = d.tcpEndpoints.find((e) => e.endpoint === `127.0.0.1:${down}`);
    assert.ok(tcp, r.body);
    assert.equal(tcp.connected, false);

    // The same as the live stats on the main thread.
    const live = gateway.serialLines()[0]?.stats;
    assert.deepEqual(live?.backedOffSlaves, lineOut.backedOffSlaves);
    assert.equal(live?.requests, lineOut.counters.requests);
  } finally {
    client?.close();
    await app?.stop();
    await pty.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
