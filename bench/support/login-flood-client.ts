/**
 * The login flood of the login-flood benchmark, in its own process so that it
 * can be started under `nice` or `taskset` (on a 2-core host the flood client
 * itself needs most of a core: every attempt is a new TLS handshake).
 *
 * `CLIENTS` concurrent HTTPS clients post wrong passwords for unknown accounts
 * and for `admin`, from `SOURCES` loopback source addresses (127.0.0.2–65, so
 * the per-source delay does not stop the flood at once). It prints
 * `{"ready":true}` once running, and stops when its standard input closes:
 * then it prints the count of answers per HTTP status as one JSON line.
 * By default each client sends its next attempt as soon as the last is
 * answered (closed loop: the flood goes as fast as this host lets it); with
 * `--rate N` the clients together start at most N attempts per second (the
 * same offered load whatever the server's speed, as from an attacker's own
 * machine), still at most `CLIENTS` in flight.
 *
 *   node --import tsx bench/support/login-flood-client.ts --port P [--keepalive]
 *        [--target login|health] [--rate N]
 * --keepalive  reuse TLS connections (without it every attempt is a new handshake)
 * --target health  GET /api/v1/health instead of logging in: the cost of TLS
 *                  and HTTP alone, no password hashing (a diagnostic)
 */
import { Agent, request } from 'node:https';
import { parseArgs } from 'node:util';

const CLIENTS = 32;
const SOURCES = 64;

interface Attempt {
  readonly port: number;
  readonly source: string;
  readonly agent: Agent;
  readonly target: 'login' | 'health';
  readonly body: string;
}

function send(a: Attempt): Promise<number> {
  const login = a.target === 'login';
  return new Promise((resolve) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: a.port,
        path: login ? '/api/v1/auth/login' : '/api/v1/health',
        method: login ? 'POST' : 'GET',
        localAddress: a.source,
        agent: a.agent,
        rejectUnauthorized: false,
        headers: login ? { 'content-type': 'application/json', origin: `https://127.0.0.1:${a.port}` } : {},
        timeout: 10_000,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', () => resolve(-1));
    req.on('timeout', () => req.destroy());
    req.end(login ? a.body : undefined);
  });
}

/** Resolves when the next attempt may start: at most `perSecond` starts a second (0: no limit). */
function pacer(perSecond: number): () => Promise<void> {
  if (!(perSecond > 0)) return () => Promise.resolve();
  const gap = 1000 / perSecond;
  let next = performance.now();
  return () => {
    const at = Math.max(next, performance.now());
    next = at + gap;
    const wait = at - performance.now();
    return wait > 0 ? new Promise((r) => setTimeout(r, wait)) : Promise.resolve();
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      keepalive: { type: 'boolean', default: false },
      target: { type: 'string', default: 'login' },
      rate: { type: 'string', default: '0' },
    },
  });
  const port = Number(values.port);
  const target = values.target === 'health' ? 'health' : 'login';
  let running = true;
  process.stdin.on('end', () => {
    running = false;
  });
  process.stdin.resume();
  const counts: Record<string, number> = {};
  const pace = pacer(Number(values.rate));
  const agent = new Agent({ keepAlive: values.keepalive === true, maxSockets: CLIENTS });
  let n = 0;
  const client = async (w: number) => {
    while (running) {
      await pace();
      if (!running) break;
      const source = `127.0.0.${2 + ((n + w) % SOURCES)}`;
      const name = n % 4 === 0 ? 'admin' : `nobody-${n}`;
      n++;
      const body = JSON.stringify({ name, password: `Wrong-Passw0rd-${n}` });
      const status = await send({ port, source, agent, target, body });
      counts[status] = (counts[status] ?? 0) + 1;
    }
  };
  process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
  await Promise.all(Array.from({ length: CLIENTS }, (_, w) => client(w)));
  agent.destroy();
  process.stdout.write(`${JSON.stringify({ counts })}\n`);
}

main().catch((e: unknown) => {
  console.error(`login flood client failed: ${(e as Error).stack ?? String(e)}`);
  process.exit(1);
});
