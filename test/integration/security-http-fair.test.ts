/**
 * Fair HTTPS (issue 14; SECURITY J2): one source address holding connections
 * open (TCP connections that never start TLS: the cheapest slowloris) gets at
 * most its share (`web.connections.perSource`), counted before any TLS work;
 * a second source still completes its TLS handshake and logs in. Slow headers
 * and bodies, and TLS handshakes not finished within 10 s, are cut by the
 * timeouts (security-http-limits.test.ts).
 */
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { connect, type Socket } from 'node:net';
import { after, before, test } from 'node:test';
import { ADMIN_PASSWORD } from '../fixtures/security/harness.js';
import { type HttpsServer, startHttpsServer } from '../fixtures/security/https-server.js';

const PER_SOURCE = 6;
let srv: HttpsServer;
const held: Socket[] = [];
before(async () => {
  srv = await startHttpsServer({ web: { connections: { max: 64, perSource: PER_SOURCE } } });
});
after(async () => {
  for (const s of held) s.destroy();
  await srv.close();
});

/** Opens a raw TCP connection from `source`; resolves whether the server kept it open 300 ms later. */
function hold(port: number, source: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port, localAddress: source });
    held.push(s);
    let closed = false;
    s.on('close', () => {
      closed = true;
    });
    s.on('error', () => {});
    setTimeout(() => resolve(!closed), 300);
  });
}

function login(port: number, source: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/api/v1/auth/login',
        method: 'POST',
        localAddress: source,
        rejectUnauthorized: false,
        headers: { 'content-type': 'application/json', origin: `https://127.0.0.1:${port}` },
        timeout: 10_000,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify({ name: 'admin', password: ADMIN_PASSWORD }));
  });
}

test('one source holding connections open gets its share; another source still logs in', {
  timeout: 30_000,
}, async () => {
  const kept = await Promise.all(Array.from({ length: 20 }, () => hold(srv.port, '127.0.0.1')));
  assert.equal(kept.filter(Boolean).length, PER_SOURCE, 'at most perSource raw connections stay open');
  assert.equal(await login(srv.port, '127.0.0.2'), 200, 'a second source connects and logs in');
  assert.equal(srv.part.connections.refusedPerSource, 20 - PER_SOURCE);
});
