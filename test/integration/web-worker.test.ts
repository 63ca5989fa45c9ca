/**
 * The HTTPS server in its own thread (issue 14, src/webhost/): the real
 * application (createApp + defaultParts) serves the API from a worker
 * thread whose niceness is `web.threadNice` (checked in /proc), while the
 * main thread keeps serving Modbus. Through HTTPS, as a client sees it:
 * first start with the device code, an API token, then the routes that
 * cross the thread boundary — devices (acquisition in main), wireless,
 * models, history (a replica in the worker + main's in-memory points) — and
 * the audit log written from both threads, whose chain still verifies.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type App, createApp, defaultParts } from '../../src/app.js';
import type { HistoryPart } from '../../src/history/part.js';
import type { Part } from '../../src/shared/lifecycle.js';
import { silentLogger } from '../../src/shared/logger.js';
import type { WebHost } from '../../src/webhost/host.js';

const PASSWORD = 'Worker-Passw0rd!';
const dir = mkdtempSync(join(tmpdir(), 'wattgate-web-worker-'));
let app: App;
let parts: Part[] = [];
let port = 0;
let token = '';

interface Reply {
  status: number;
  body: string;
  cookie: string | undefined;
}

function call(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method,
        rejectUnauthorized: false,
        headers: {
          origin: `https://127.0.0.1:${port}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...headers,
        },
        timeout: 20_000,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (c: string) => {
          text += c;
        });
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: text,
            cookie: res.headers['set-cookie']?.[0]?.split(';')[0],
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

before(async () => {
  app = createApp({
    dataDir: dir,
    log: silentLogger,
    parts: (ctx) => {
      parts = defaultParts(ctx, { modbusPort: 0, webPort: 0 });
      return parts;
    },
  });
  const base = app.ctx.config.get();
  app.ctx.config.replace({
    ...base,
    networks: { LOOP: { addresses: ['127.0.0.1'], description: '' } },
    web: { ...base.web, enabled: { LOOP: true }, threadNice: 7 },
    modbus: { ...base.modbus, server: { ...base.modbus.server, enabled: { LOOP: true } } },
    devices: {
      nextId: 2,
      list: [
        {
          id: 1,
          name: 'Meter',
          model: 'wattgate-demo-meter',
          location: { kind: 'tcp', host: '127.0.0.1', port: 9 },
        },
      ],
    },
  });
  await app.start();
  const web = parts.find((p) => p.name === 'web') as WebHost;
  const address = (await web.addresses())[0] ?? '';
  port = Number(address.split(':').pop());
});

after(async () => {
  await app?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('the web server runs in a thread of its own, at the configured niceness', () => {
  const web = parts.find((p) => p.name === 'web') as WebHost;
  const tid = web.started?.tid;
  assert.ok(tid !== undefined && tid !== process.pid, `a thread other than main (${tid})`);
  const stat = readFileSync(`/proc/${process.pid}/task/${tid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  assert.equal(Number(fields[16]), 7, 'field 19 of stat: the thread is niced'); // fields[0] is field 3
  const main = readFileSync(`/proc/${process.pid}/task/${process.pid}/stat`, 'utf8');
  assert.equal(Number(main.slice(main.lastIndexOf(')') + 2).split(' ')[16]), 0, 'main keeps its priority');
});

test('through HTTPS: first start, a token, then routes answered across the thread boundary', async () => {
  assert.equal((await call('GET', '/api/v1/health')).status, 200);
  const deviceCode = readFileSync(join(dir, 'device-code'), 'utf8').trim();
  const first = await call('POST', '/api/v1/auth/first-start', { deviceCode, password: PASSWORD });
  assert.equal(first.status, 200, first.body);
  const { csrfToken } = JSON.parse(first.body) as { csrfToken: string };
  const made = await call(
    'POST',
    '/api/v1/tokens',
    { name: 'it', role: 'admin', expiresAt: new Date(Date.now() + 86_400_000).toISOString() },
    { cookie: first.cookie ?? '', 'x-csrf-token': csrfToken },
  );
  assert.equal(made.status, 201, made.body);
  token = (JSON.parse(made.body) as { token: string }).token;

  const devices = JSON.parse((await call('GET', '/api/v1/devices')).body) as Array<{
    device: { name: string };
  }>;
  assert.deepEqual(
    devices.map((d) => d.device.name),
    ['Meter'],
  );
  const added = await call('POST', '/api/v1/devices', {
    name: 'Forwarded',
    location: { kind: 'tcp', host: '127.0.0.1', port: 10, unit: 3 },
    virtualId: 30,
  });
  assert.equal(added.status, 201, added.body);
  assert.equal(app.ctx.config.section('devices').list[1]?.virtualId, 30, 'stored by main');
  const bad = await call('POST', '/api/v1/devices', { name: 'Meter', location: { kind: 'tcp', host: 'x' } });
  assert.equal(bad.status, 400, 'a refusal crosses the boundary with its code');
  assert.equal((JSON.parse(bad.body) as { details: Array<{ path: string }> }).details[0]?.path, '/name');

  const wireless = JSON.parse((await call('GET', '/api/v1/wireless')).body) as { radioOn: boolean };
  assert.equal(typeof wireless.radioOn, 'boolean');
  const models = JSON.parse((await call('GET', '/api/v1/models')).body) as Array<{ id: string }>;
  assert.ok(models.some((m) => m.id === 'wattgate-demo-meter'));
});

test("history: the worker reads the file and main's newest points; the audit chain written by two threads verifies", async () => {
  const store = (parts.find((p) => p.name === 'history') as HistoryPart).store;
  const t0 = Date.UTC(2026, 0, 1);
  for (let i = 0; i < 50; i++) store.append('modbus:1_mb_PTot', t0 + i * 60_000, i);
  store.flush();
  for (let i = 50; i < 60; i++) store.append('modbus:1_mb_PTot', t0 + i * 60_000, i); // in memory only
  const raw = JSON.parse(
    (await call('GET', `/api/v1/history/raw?series=modbus:1_mb_PTot&from=${t0}&to=${t0 + 3_600_000}`)).body,
  ) as { v: number[] };
  assert.deepEqual(
    raw.v,
    Array.from({ length: 60 }, (_, i) => i),
  );
  const verify = JSON.parse((await call('GET', '/api/v1/audit/verify')).body) as { ok: boolean };
  assert.equal(verify.ok, true);
  const csv = (await call('GET', '/api/v1/audit/export?format=csv')).body;
  assert.match(csv, /first-start|account/, 'written by the worker');
  assert.match(csv, /system\.started/, 'written by main');
});
