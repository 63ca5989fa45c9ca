/**
 * GET /metrics (PRODUCT X2, issue 15 item 8) on the whole application, read
 * by a viewer's API token and parsed by a second implementation of the
 * Prometheus text format (peer: Debian's python3-prometheus-client parser):
 * every sample parses; the Modbus server's request counter equals the
 * requests this test sent; a routed TCP device with nothing listening is an
 * endpoint that is not connected; the resident memory agrees with the
 * kernel's VmRSS of this process (the app runs here); both threads report a
 * heap; health is 0. Without credentials: 401, never the figures.
 *
 * Per device (issue 15 items 4, 8), against what the test itself caused and
 * what the far side saw: a live TCP meter polled live (its name has a quote
 * and a backslash: escaped by Wattgate, unescaped by the parser), a silent
 * unit id on the same endpoint (every poll fails, it backs off), a serial
 * slave behind an RTU-over-TCP server that answers every frame with a broken
 * CRC, a TCP device with nothing listening. Each device's Modbus requests
 * equal the requests its far side received, its timeouts the silent unit's,
 * its CRC errors the corrupt frames the server sent; its polls, failures,
 * skips and state equal GET /api/v1/devices; the live meter's polls are the
 * requests its unit received less the test's own; the units of one endpoint
 * add up to the endpoint.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { test } from 'node:test';
import { startTcpSlave } from '../../sim/modbus/tcp-slave.js';
import type { Config } from '../../src/config/schema.js';
import type { ModbusGateway } from '../../src/modbus/gateway.js';
import { encodeRtuAdu } from '../../src/protocol/modbus/index.js';
import { freePort } from '../support/cli.js';
import { https } from '../support/https.js';
import { adu, RawMbapClient } from '../support/modbus-wire.js';
import { execFileAsync, peer } from '../support/peers.js';
import { PYTHON } from '../support/pymodbus.js';
import { loopback, startWholeApp } from '../support/whole-app.js';

const PARSE = `
import json, sys
from prometheus_client.parser import text_string_to_metric_families
out = []
for f in text_string_to_metric_families(sys.stdin.read()):
    for s in f.samples:
        out.append({"family": f.name, "type": f.type, "name": s.name, "labels": s.labels, "value": s.value})
print(json.dumps(out))
`;

/** Debian's Python (the peer's package is installed there, not in any other python3 on PATH). */
function runParser(text: string): Promise<{ stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile(PYTHON, ['-c', PARSE], { timeout: 30_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${err.message}: ${stderr}`)) : resolve({ stdout }),
    );
    child.stdin?.end(text);
  });
}

async function parserAvailable(): Promise<boolean> {
  try {
    await execFileAsync(PYTHON, ['-c', 'import prometheus_client.parser'], { timeout: 20_000 });
    return true;
  } catch {
    return false;
  }
}

interface Sample {
  family: string;
  type: string;
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** A serial device server (RTU over TCP) whose slaves answer every FC 3 read with the CRC inverted. */
async function brokenCrcServer(): Promise<{ port: number; answered: Map<number, number>; close(): void }> {
  const answered = new Map<number, number>();
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    let buf = Buffer.alloc(0);
    s.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      for (; buf.length >= 8; buf = buf.subarray(8)) {
        const unit = buf[0] ?? 0; // FC 3 requests: 8 bytes each
        answered.set(unit, (answered.get(unit) ?? 0) + 1);
        const reply = encodeRtuAdu({ unitId: unit, pdu: Uint8Array.of(3, 2, 0, 42) });
        reply[reply.length - 1] = (reply[reply.length - 1] ?? 0) ^ 0xff;
        s.write(reply);
      }
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    answered,
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Quote and backslash: both must be escaped in a label value. */
const LIVE = 'meter "A" \\ live';

interface ApiStatus {
  device: { id: number; name: string };
  status: { state: string; polls: number; failures: number; skipped: number; consecutiveFailures: number };
}

test('metrics: parsed by prometheus_client, counters as sent, per device as the far sides saw them, RSS as the kernel says', {
  timeout: 120_000,
}, async (t) => {
  if (!peer(t, 'prometheus-client', await parserAvailable())) return;
  const down = await freePort(); // nothing listens there: the routed device is down
  // Unit 1 answers (register n = n); unit 2 is not there: the device stays silent for it.
  const sim = await startTcpSlave({ units: [1], pattern: true });
  const rtu = await brokenCrcServer();
  const tcp = (unit: number) => ({ kind: 'tcp', host: '127.0.0.1', port: sim.port, unit, timeoutMs: 300 });
  const w = await startWholeApp({
    prefix: 'wattgate-metrics-',
    password: 'Metrics-Passw0rd!',
    configure: (base) => {
      const c = loopback(base, { modbus: true });
      return {
        ...c,
        modbus: {
          ...c.modbus,
          serialLines: [
            {
              name: 'L1',
              transport: 'rtu-over-tcp',
              host: '127.0.0.1',
              port: rtu.port,
              timeoutMs: 100,
              unitIds: [5],
            },
          ] as Config['modbus']['serialLines'],
        },
        acquisition: {
          ...c.acquisition,
          live: { ...c.acquisition.live, intervalMs: 1000 },
          backoff: { afterFailures: 3, baseMs: 1000, maxMs: 1000 },
        },
        devices: {
          nextId: 5,
          list: [
            {
              id: 1,
              name: 'meter-down',
              location: { kind: 'tcp', host: '127.0.0.1', port: down, unit: 1, timeoutMs: 300 },
              virtualId: 7,
            },
            {
              id: 2,
              name: LIVE,
              model: 'generic-meter-1p',
              measurements: ['VAN'],
              location: tcp(1),
              virtualId: 11,
            },
            {
              id: 3,
              name: 'meter-silent',
              model: 'generic-meter-1p',
              measurements: ['VAN'],
              location: tcp(2),
              virtualId: 12,
            },
            { id: 4, name: 'rtu-crc', location: { kind: 'serial', line: 'L1', slave: 5 } },
          ],
        } as Config['devices'],
      };
    },
  });
  const { port, admin: session } = w;
  const gateway = w.part<ModbusGateway>('modbus-gateway');
  let client: RawMbapClient | undefined;
  try {
    const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
    const made = await https(
      port,
      'POST',
      '/api/v1/tokens',
      { name: 'prometheus', role: 'viewer', expiresAt },
      session,
    );
    assert.equal(made.status, 201, made.body);
    const bearer = { authorization: `Bearer ${(JSON.parse(made.body) as { token: string }).token}` };

    client = await RawMbapClient.open(gateway.addresses()[0]?.boundPort ?? 0);
    assert.equal(await client.ask(adu(1, 255, '03 009e 0001')), adu(1, 255, '03 02 0000'));
    assert.equal(await client.ask(adu(2, 7, '03 0000 0001')), adu(2, 7, '83 0a'), 'device down: 0x0A');
    // Through the gateway: 2 reads of the live meter, 1 of the silent unit, 2 of the serial slave.
    assert.equal(await client.ask(adu(3, 11, '03 0000 0001')), adu(3, 11, '03 02 0000'));
    assert.equal(await client.ask(adu(4, 11, '03 0001 0001')), adu(4, 11, '03 02 0001'));
    assert.equal(await client.ask(adu(5, 12, '03 0000 0001')), adu(5, 12, '83 0b'), 'silent: 0x0B');
    assert.equal(
      await client.ask(adu(6, 5, '03 0000 0001')),
      adu(6, 5, '83 04'),
      'every reply corrupt: 0x04',
    );
    assert.equal(await client.ask(adu(7, 5, '03 0000 0001')), adu(7, 5, '83 04'));
    const sent = 7;
    const upstream = { live: 2, silent: 1, serial: 2 };

    // Live polling of the two meters until the live one has 3 polls and the silent one 3 failures.
    const devices = async () =>
      JSON.parse((await https(port, 'GET', '/api/v1/devices', undefined, bearer)).body) as ApiStatus[];
    const watch = await https(port, 'POST', '/api/v1/devices/watch', { deviceIds: [2, 3] }, bearer);
    assert.equal(watch.status, 201, watch.body);
    const lease = (JSON.parse(watch.body) as { id: string }).id;
    for (let end = Date.now() + 30_000; ; await sleep(250)) {
      const list = await devices();
      const of = (id: number) => list.find((d) => d.device.id === id)?.status;
      if ((of(2)?.polls ?? 0) >= 3 && (of(3)?.failures ?? 0) >= 3) break;
      assert.ok(Date.now() < end, `polls: ${JSON.stringify(list.map((d) => d.status))}`);
    }
    const ended = await https(port, 'DELETE', `/api/v1/devices/watch/${lease}`, undefined, bearer);
    assert.equal(ended.status, 204);

    assert.equal((await https(port, 'GET', '/metrics')).status, 401, 'never public');
    // A quiet moment: nothing reached the far sides for 1 s before and while the figures were read.
    const far = () => JSON.stringify([sim.count(1), sim.count(2), [...rtu.answered]]);
    let r = { status: 0, body: '' };
    let api: ApiStatus[] = [];
    for (let i = 0; ; i++) {
      const before = far();
      await sleep(1000);
      r = await https(port, 'GET', '/metrics', undefined, bearer);
      api = await devices();
      if (far() === before) break;
      assert.ok(i < 20, 'the devices never went quiet');
    }
    assert.equal(r.status, 200, r.body);
    const { stdout } = await runParser(r.body);
    const samples = JSON.parse(String(stdout)) as Sample[];
    const lines = r.body.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
    assert.equal(samples.length, lines.length, 'every sample line parses');
    const one = (name: string, labels: Record<string, string> = {}) =>
      samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
        ?.value;

    assert.equal(one('wattgate_modbus_server_requests_total'), sent);
    assert.equal(one('wattgate_modbus_server_connections'), 1);
    assert.equal(samples.find((s) => s.name === 'wattgate_modbus_server_requests_total')?.type, 'counter');
    assert.equal(one('wattgate_tcp_endpoint_connected', { endpoint: `127.0.0.1:${down}` }), 0);
    const rss = one('wattgate_process_resident_memory_bytes') ?? 0;
    const vmRss = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]) * 1024;
    assert.ok(Math.abs(rss - vmRss) / vmRss < 0.25, `RSS ${rss} vs kernel ${vmRss}`);
    assert.ok((one('wattgate_thread_heap_used_bytes', { thread: 'main' }) ?? 0) > 1e6);
    assert.ok((one('wattgate_thread_heap_used_bytes', { thread: 'web' }) ?? 0) > 1e6);
    assert.equal(one('wattgate_health_status'), 0);

    // Per device: labels as named (escaping undone by the parser), figures as the far side saw them.
    const dev = (id: number, name: string, suffix: string, more: Record<string, string> = {}) =>
      one(`wattgate_device_${suffix}`, { device_id: String(id), ...more }) ??
      assert.fail(`no wattgate_device_${suffix} for ${name}`);
    const named = samples.find((s) => s.name === 'wattgate_device_polls_total' && s.labels.device_id === '2');
    assert.equal(named?.labels.device, LIVE, 'the name with its quote and backslash, escaped then parsed');
    assert.ok(r.body.includes('device="meter \\"A\\" \\\\ live"'), 'escaped on the wire');
    const live = dev(2, LIVE, 'modbus_requests_total');
    assert.equal(live, sim.count(1), 'live meter: requests = what its unit received');
    assert.equal(dev(2, LIVE, 'modbus_responses_total'), sim.count(1));
    assert.equal(dev(2, LIVE, 'modbus_timeouts_total'), 0);
    assert.equal(dev(2, LIVE, 'polls_total'), sim.count(1) - upstream.live, 'one read per poll (VAN only)');
    assert.ok(dev(2, LIVE, 'polls_total') >= 3);
    assert.equal(dev(2, LIVE, 'poll_failures_total'), 0);
    assert.equal(dev(2, LIVE, 'state', { state: 'ok' }), 1);
    assert.ok(dev(2, LIVE, 'last_poll_duration_seconds') >= 0);
    const silent = sim.count(2);
    assert.equal(
      dev(3, 'meter-silent', 'modbus_requests_total'),
      silent,
      'silent unit: requests it received',
    );
    assert.equal(dev(3, 'meter-silent', 'modbus_timeouts_total'), silent, 'every one timed out');
    assert.equal(dev(3, 'meter-silent', 'modbus_responses_total'), 0);
    assert.equal(
      dev(3, 'meter-silent', 'poll_failures_total'),
      silent - upstream.silent,
      'each failed poll: one read',
    );
    assert.ok(dev(3, 'meter-silent', 'poll_failures_total') >= 3);
    assert.equal(dev(3, 'meter-silent', 'polls_total'), dev(3, 'meter-silent', 'poll_failures_total'));
    const endpoint = one('wattgate_tcp_endpoint_requests_total', { endpoint: `127.0.0.1:${sim.port}` });
    assert.equal(endpoint, live + silent, "the endpoint's requests are its two units'");
    const corrupt = rtu.answered.get(5) ?? 0;
    assert.equal(corrupt, 2 * upstream.serial, 'two attempts per read (retries 1), each answered corrupt');
    assert.equal(
      dev(4, 'rtu-crc', 'modbus_crc_errors_total'),
      corrupt,
      'CRC errors = corrupt frames it sent',
    );
    assert.equal(dev(4, 'rtu-crc', 'modbus_requests_total'), upstream.serial);
    assert.equal(dev(4, 'rtu-crc', 'modbus_responses_total'), 0);
    assert.equal(dev(4, 'rtu-crc', 'state', { state: 'not-polled' }), 1);
    assert.equal(dev(1, 'meter-down', 'modbus_requests_total'), 1, 'the one read the test sent it');
    assert.equal(dev(1, 'meter-down', 'modbus_responses_total'), 0);
    assert.equal(
      one('wattgate_device_modbus_crc_errors_total', { device_id: '2' }),
      undefined,
      'no CRC on TCP',
    );
    // Every device's polls, failures, skips and state as GET /api/v1/devices says, one state at 1.
    assert.equal(api.length, 4);
    for (const { device, status } of api) {
      const id = String(device.id);
      assert.equal(dev(device.id, device.name, 'polls_total'), status.polls, `${device.name} polls`);
      assert.equal(
        dev(device.id, device.name, 'poll_failures_total'),
        status.failures,
        `${device.name} failures`,
      );
      assert.equal(
        dev(device.id, device.name, 'polls_skipped_total'),
        status.skipped,
        `${device.name} skipped`,
      );
      assert.equal(dev(device.id, device.name, 'consecutive_failures'), status.consecutiveFailures);
      const states = samples.filter((s) => s.name === 'wattgate_device_state' && s.labels.device_id === id);
      assert.deepEqual(
        states.filter((s) => s.value === 1).map((s) => s.labels.state),
        [status.state],
        `${device.name} state`,
      );
      assert.equal(states.length, 6);
    }
    console.log(
      `metrics: ${samples.length} samples in ${new Set(samples.map((s) => s.family)).size} families; ` +
        `live polls ${dev(2, LIVE, 'polls_total')}, silent failures ${dev(3, 'meter-silent', 'poll_failures_total')}, CRC errors ${corrupt}`,
    );
  } finally {
    client?.close();
    await w.stop();
    await sim.close();
    rtu.close();
  }
});
