/**
 * The baseline for the gateway's added latency: a bare Node TCP byte pipe
 * (no Modbus at all: each client connection is piped to the downstream server,
 * TCP_NODELAY on both sides). Whatever it adds is the cost of one extra hop
 * through a Node process on this machine; what Wattgate adds beyond it is its
 * own work.
 *
 *   tsx bench/support/byte-pipe.ts --to PORT   → prints {"event":"listening","port":N}
 */
import { connect, createServer } from 'node:net';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { to: { type: 'string' } } });
const to = Number(values.to);
if (!Number.isInteger(to) || to < 1 || to > 65535) throw new Error('--to PORT is required');

const server = createServer({ noDelay: true }, (client) => {
  const upstream = connect({ host: '127.0.0.1', port: to, noDelay: true });
  client.pipe(upstream).pipe(client);
  const end = () => {
    client.destroy();
    upstream.destroy();
  };
  client.on('error', end).on('close', end);
  upstream.on('error', end).on('close', end);
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ event: 'listening', port })}\n`);
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
