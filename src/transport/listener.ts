/**
 * Opening and closing one listening socket, as promises. Listening sockets are
 * created with `pauseOnConnect`, so a connection the server refuses is never
 * read from (no byte in, no byte out), and with TCP_NODELAY and keep-alive.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from '../shared/logger.js';

/** Starts listening on host:port (0 = ephemeral); rejects with node's error (EADDRINUSE …). */
export function openListener(
  host: string,
  port: number,
  onSocket: (socket: Socket) => void,
  log: Logger,
): Promise<Server> {
  const server = createServer({ pauseOnConnect: true, noDelay: true, keepAlive: true }, onSocket);
  return new Promise((resolve, reject) => {
    const onStartError = (error: Error): void => {
      server.close();
      reject(error);
    };
    server.once('error', onStartError);
    server.listen({ host, port, exclusive: true }, () => {
      server.off('error', onStartError);
      server.on('error', (error: NodeJS.ErrnoException) => {
        log.warn({ code: error.code, host, port }, 'listener error');
      });
      resolve(server);
    });
  });
}

/** The port actually bound (differs from the requested one when that was 0). */
export function boundPort(server: Server): number {
  const address = server.address();
  return address !== null && typeof address === 'object' ? address.port : 0;
}

/**
 * Stops accepting at once (the port is released) and resolves when node has
 * closed the listening handle and every connection it still tracks; the caller
 * destroys the connections it accepted first.
 */
export function closeListener(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
  });
}
