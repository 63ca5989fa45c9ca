// TcpClient over real loopback sockets, against TcpServer: echo, reconnect with
// back-off after a server restart, connect timeout, close stops reconnecting,
// back-off reset only after a stable connection (PRODUCT G6).
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { type Clock, ManualClock, systemClock } from '../shared/clock.js';
import { hasCode } from '../shared/errors.js';
import { silentLogger } from '../shared/logger.js';
import type { ByteStream } from './byte-stream.js';
import type { ServerLimits } from './limits.js';
import { TcpClient, type TcpClientOptions } from './tcp-client.js';
import { TcpServer } from './tcp-server.js';

const servers: TcpServer[] = [];
const clients: TcpClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

async function echoServer(clock: Clock, port = 0, limits: Partial<ServerLimits> = {}) {
  const server = new TcpServer(
    { clock, log: silentLogger },
    { endpoints: [{ host: '127.0.0.1', port }], limits },
  );
  const streams: ByteStream[] = [];
  server.onConnection((s) => {
    streams.push(s);
    s.onData((b) => s.write(b));
  });
  servers.push(server);
  await server.start();
  return { server, streams, port: server.addresses()[0]?.boundPort ?? 0 };
}

function client(clock: Clock, options: Partial<TcpClientOptions> & { port: number }) {
  const c = new TcpClient({ clock, log: silentLogger }, { host: '127.0.0.1', ...options });
  clients.push(c);
  const log: string[] = [];
  c.events.on('connected', () => log.push('up'));
  c.events.on('disconnected', (d) => log.push(`down ${d.reason} ${d.retryInMs}`));
  c.events.on('connect-failed', (f) => {
    const code = (f.error as { code?: string }).code ?? '?';
    log.push(`fail ${code} ${f.retryInMs}`);
  });
  return { c, log };
}

async function until(cond: () => boolean, what: string, timeoutMs = 2000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

async function echo(c: TcpClient, text: string): Promise<void> {
  const stream = c.stream;
  assert.ok(stream, 'connected');
  const got: Buffer[] = [];
  const off = stream.onData((b) => got.push(Buffer.from(b)));
  assert.equal(stream.write(Buffer.from(text)), true);
  await until(() => Buffer.concat(got).length >= text.length, `echo ${text}`);
  off();
  assert.equal(Buffer.concat(got).toString(), text);
}

async function unusedPort(): Promise<number> {
  const { server, port } = await echoServer(systemClock);
  await server.stop();
  return port;
}

test('reconnects with growing back-off after the server restarts, and echoes again', async () => {
  const first = await echoServer(systemClock);
  const backoff = { baseMs: 20, maxMs: 200, random: () => 0 };
  const { c, log } = client(systemClock, { port: first.port, backoff });
  c.start();
  await until(() => c.state === 'connected', 'connected');
  await echo(c, 'before');
  await first.server.stop();
  await until(() => log.filter((l) => l.startsWith('fail')).length >= 2, 'two refused attempts');
  assert.deepEqual(log.slice(0, 4), ['up', 'down peer 20', 'fail ECONNREFUSED 40', 'fail ECONNREFUSED 80']);
  const second = await echoServer(systemClock, first.port);
  await until(() => c.state === 'connected', 'reconnected', 1000);
  await echo(c, 'after');
  c.close();
  assert.equal(c.state, 'closed');
  await until(() => second.server.stats.current === 0, 'server saw the close');
  await second.server.stop();
});

test('a connect that does not complete in time fails with WG_ERR_TIMEOUT and is retried later', async () => {
  const clock = new ManualClock();
  const target = await echoServer(systemClock);
  const errors: unknown[] = [];
  const { c } = client(clock, {
    port: target.port,
    connectTimeoutMs: 1000,
    backoff: { baseMs: 500, maxMs: 500 },
  });
  c.events.on('connect-failed', (f) => errors.push(f.error));
  c.start();
  clock.advance(1000);
  assert.equal(errors.length, 1);
  assert.ok(hasCode(errors[0], 'WG_ERR_TIMEOUT'));
  assert.equal(c.state, 'waiting');
  clock.advance(500);
  assert.equal(c.state, 'connecting');
  await until(() => c.state === 'connected', 'second attempt connects');
  c.close();
  await target.server.stop();
});

test('close stops reconnecting and leaves no timer; a closed client cannot restart', async () => {
  const clock = new ManualClock();
  const port = await unusedPort();
  const { c, log } = client(clock, { port, backoff: { baseMs: 100, maxMs: 1000, random: () => 0 } });
  c.start();
  c.start();
  await until(() => log.length === 1, 'first refusal');
  clock.advance(100);
  await until(() => log.length === 2, 'second refusal');
  assert.deepEqual(log, ['fail ECONNREFUSED 100', 'fail ECONNREFUSED 200']);
  assert.equal(clock.pendingTimers, 1);
  c.close();
  c.close();
  assert.equal(clock.pendingTimers, 0);
  clock.advance(10_000);
  assert.equal(log.length, 2);
  assert.throws(
    () => c.start(),
    (e) => hasCode(e, 'WG_ERR_LIFECYCLE'),
  );
});

test('closing while connected ends the stream with reason local and no retry', async () => {
  const target = await echoServer(systemClock);
  const { c, log } = client(systemClock, { port: target.port });
  c.start();
  await until(() => c.state === 'connected', 'connected');
  const stream = c.stream;
  c.close();
  assert.equal(stream?.isOpen, false);
  assert.equal(c.stream, undefined);
  assert.deepEqual(log, ['up', 'down local undefined']);
  await until(() => target.server.stats.closed.peer === 1, 'server saw the peer close');
  await target.server.stop();
});

test('a server that drops at once is backed off; a stable connection resets the back-off', async () => {
  const clock = new ManualClock();
  const target = await echoServer(clock, 0, { maxConnections: 1 });
  const squatter = client(clock, { port: target.port });
  squatter.c.start();
  await until(() => target.server.stats.current === 1, 'slot taken');
  const { c, log } = client(clock, {
    port: target.port,
    stableAfterMs: 5000,
    backoff: { baseMs: 100, maxMs: 10_000, random: () => 0 },
  });
  c.start();
  await until(() => log.length === 2, 'first drop');
  clock.advance(100);
  await until(() => log.length === 4, 'second drop');
  assert.deepEqual(log, ['up', 'down peer 100', 'up', 'down peer 200']);
  squatter.c.close();
  await until(() => target.server.stats.current === 0, 'slot freed');
  clock.advance(200);
  await until(() => target.server.stats.current === 1, 'admitted');
  clock.advance(5000);
  target.streams.at(-1)?.close();
  await until(() => log.length === 6, 'dropped after a stable connection');
  assert.equal(log[5], 'down peer 100');
  c.close();
  await target.server.stop();
});
