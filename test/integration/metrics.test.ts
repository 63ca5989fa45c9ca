/**
 * GET /metrics (PRODUCT X2, issue 15 item 8) on the whole application, read
 * by a viewer's API token and parsed by a second implementation of the
 * Prometheus text format (peer: Debian's python3-prometheus-client parser):
 * every sample parses; the Modbus server's request counter equals the
 * requests this test sent; a routed TCP device with nothing listening is an
 * endpoint that is not connected; the resident memory agrees with the
 * kernel's VmRSS of this process (the app runs here); both threads report a
 * heap; health is 0. Without credentials: 401, never the figures.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { ModbusGateway } from '../../src/modbus/gateway.js';
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

test('metrics: parsed by prometheus_client, counters as sent, endpoint down, RSS as the kernel says', {
  timeout: 120_000,
}, async (t) => {
  if (!peer(t, 'prometheus-client', await parserAvailable())) return;
  const down = await freePort(); // nothing listens there: the routed device is down
  const w = await startWholeApp({
    prefix: 'wattgate-metrics-',
    password: 'Metrics-Passw0rd!',
    configure: (base) => ({
      ...loopback(base, { modbus: true }),
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
    }),
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
    const sent = 2;

    assert.equal((await https(port, 'GET', '/metrics')).status, 401, 'never public');
    const r = await https(port, 'GET', '/metrics', undefined, bearer);
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
    console.log(
      `metrics: ${samples.length} samples in ${new Set(samples.map((s) => s.family)).size} families`,
    );
  } finally {
    client?.close();
    await w.stop();
  }
});
