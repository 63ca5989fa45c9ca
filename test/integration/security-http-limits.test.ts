/**
 * SEC-J2 on the real HTTPS Part over raw TLS sockets: slow headers and a slow
 * body are cut by the server's timeouts (answer 408 or close); headers over
 * 16 KiB → 431; a body over 64 KiB → 413, both declared (Content-Length, refused
 * before the body is read) and streamed (chunked). Node's HTTP timers run on
 * real time, so the timing tests start the Part with shorter timeouts
 * (`limits`, same code path); the production values are pinned separately.
 * Every test is bounded by its own timeout.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { BODY_LIMIT_BYTES } from '../../src/api/build.js';
import { SERVER_LIMITS } from '../../src/api/server.js';
import { type HttpsServer, startHttpsServer } from '../fixtures/security/https-server.js';
import { rawTls, statusOf } from '../fixtures/security/raw-tls.js';

const HEADERS_MS = 1000;
const REQUEST_MS = 2000;
const CHECK_MS = 100;
/** Scheduling slack on a loaded 2-core machine. */
const SLACK_MS = 1500;
const BOUND = { timeout: 20_000 };

let srv: HttpsServer;
before(async () => {
  srv = await startHttpsServer({
    limits: { headersTimeout: HEADERS_MS, requestTimeout: REQUEST_MS, connectionsCheckingInterval: CHECK_MS },
  });
});
after(() => srv.close());

test('SEC-J2: production limits — TLS handshake and headers 16 KiB within 10 s, request within 30 s, checked every second', () => {
  assert.deepEqual(
    { ...SERVER_LIMITS },
    {
      maxHeaderSize: 16 * 1024,
      handshakeTimeout: 10_000,
      headersTimeout: 10_000,
      requestTimeout: 30_000,
      keepAliveTimeout: 5000,
      connectionsCheckingInterval: 1000,
    },
  );
  assert.equal(BODY_LIMIT_BYTES, 64 * 1024);
});

test(
  'SEC-J2: slow headers (a header line every 200 ms, never finished) are cut by headersTimeout',
  BOUND,
  async () => {
    const c = await rawTls(srv.port);
    c.socket.write('GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    c.drip('X-Slow: a\r\n', 200);
    const { afterMs, answer } = await c.closed(HEADERS_MS + CHECK_MS + SLACK_MS);
    assert.ok(afterMs >= HEADERS_MS - 50, `not cut early (${Math.round(afterMs)} ms)`);
    assert.ok([0, 408].includes(statusOf(answer)), answer.slice(0, 80));
    console.log(`slow headers cut after ${Math.round(afterMs)} ms (headersTimeout ${HEADERS_MS} ms)`);
  },
);

test(
  'SEC-J2: a slow body (1 byte every 200 ms of a declared 1000) is cut by requestTimeout',
  BOUND,
  async () => {
    const c = await rawTls(srv.port);
    c.socket.write(
      'POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n' +
        'Content-Length: 1000\r\n\r\n{',
    );
    c.drip(' ', 200);
    const { afterMs, answer } = await c.closed(REQUEST_MS + CHECK_MS + SLACK_MS);
    assert.ok(afterMs >= REQUEST_MS - 50, `not cut early (${Math.round(afterMs)} ms)`);
    assert.ok([0, 408].includes(statusOf(answer)), answer.slice(0, 80));
    assert.equal(srv.part.security.accounts.get('admin')?.failures, 0, 'nothing reached the login');
    console.log(`slow body cut after ${Math.round(afterMs)} ms (requestTimeout ${REQUEST_MS} ms)`);
  },
);

test('SEC-J2: headers over 16 KiB → 431; just under → served', BOUND, async () => {
  const big = await rawTls(srv.port);
  big.socket.write(
    `GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(17 * 1024)}\r\n\r\n`,
  );
  assert.equal(statusOf(await big.answer('\r\n\r\n', 5000)), 431);
  const ok = await rawTls(srv.port);
  ok.socket.write(
    `GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nX-Big: ${'a'.repeat(15 * 1024)}\r\n\r\n`,
  );
  const answer = await ok.answer('"status":"ok"', 5000);
  assert.equal(statusOf(answer), 200);
});

test('SEC-J2: a body over 64 KiB → 413, declared (refused before reading) or streamed', BOUND, async () => {
  const declared = await rawTls(srv.port);
  const t0 = performance.now();
  declared.socket.write(
    'POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n' +
      `Content-Length: ${BODY_LIMIT_BYTES + 1}\r\n\r\n{`,
  );
  const first = await declared.answer('\r\n\r\n', 5000);
  assert.equal(statusOf(first), 413);
  assert.ok(performance.now() - t0 < 2000, 'answered without waiting for the body');
  assert.match(first, /WG_ERR_TOO_LARGE|\r\n\r\n/);

  const chunked = await rawTls(srv.port);
  chunked.socket.write(
    'POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n' +
      'Transfer-Encoding: chunked\r\n\r\n',
  );
  const piece = 'a'.repeat(8192);
  for (let i = 0; i < 10 && chunked.socket.writable; i++)
    chunked.socket.write(`${piece.length.toString(16)}\r\n${piece}\r\n`);
  assert.equal(statusOf(await chunked.answer('\r\n\r\n', 5000)), 413);
});
