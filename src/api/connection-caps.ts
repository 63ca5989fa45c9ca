/**
 * Fair HTTPS connections (issue 14; SECURITY J2, H3 carried to the web):
 * across every listener of the web server, at most `max` connections are
 * open at once, and at most `perSource` from one source address — so one
 * address holding connections open (slowloris, a slow body, a runaway
 * script) can use only its share, and the others still connect. A
 * connection over a cap is closed at once, before its TLS handshake costs
 * anything. Counted at the TCP level (`connection`), released on `close`.
 * The header/body timeouts (server.ts SERVER_LIMITS) then cut what a source
 * holds too long.
 */
import type { Server } from 'node:net';

export interface ConnectionCaps {
  readonly max: number;
  readonly perSource: number;
}

export interface CapStats {
  readonly open: number;
  readonly sources: number;
  /** Connections closed at once because a cap was reached, since start. */
  readonly refusedTotal: number;
  readonly refusedPerSource: number;
}

export class ConnectionCounter {
  readonly #caps: () => ConnectionCaps;
  readonly #bySource = new Map<string, number>();
  #open = 0;
  #refusedTotal = 0;
  #refusedPerSource = 0;

  constructor(caps: () => ConnectionCaps) {
    this.#caps = caps;
  }

  get stats(): CapStats {
    return {
      open: this.#open,
      sources: this.#bySource.size,
      refusedTotal: this.#refusedTotal,
      refusedPerSource: this.#refusedPerSource,
    };
  }

  /** Applies the caps to every connection the server accepts. */
  attach(server: Server): void {
    server.on('connection', (socket) => {
      const source = socket.remoteAddress ?? '';
      const caps = this.#caps();
      const mine = this.#bySource.get(source) ?? 0;
      if (this.#open >= caps.max || mine >= caps.perSource) {
        if (this.#open >= caps.max) this.#refusedTotal++;
        else this.#refusedPerSource++;
        socket.destroy();
        return;
      }
      this.#open++;
      this.#bySource.set(source, mine + 1);
      socket.once('close', () => {
        this.#open--;
        const n = (this.#bySource.get(source) ?? 1) - 1;
        if (n <= 0) this.#bySource.delete(source);
        else this.#bySource.set(source, n);
      });
    });
  }
}
