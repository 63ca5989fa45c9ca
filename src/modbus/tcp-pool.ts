/**
 * One Modbus TCP connection per downstream endpoint (host, port), shared by
 * everything that talks to it: the router's TCP device targets (upstream
 * clients, priority 'high') and the poller (priority 'low'). Why shared:
 * many meters and Modbus TCP/RS-485 gateways accept only a few connections
 * (often 1 to 4), and a gateway fronting several unit ids is one endpoint;
 * a Wattgate that opened one connection for the SCADA path and another for
 * its own datalogger would use up that budget, or be refused. Why the
 * upstream path does not suffer: requests from upstream clients go before
 * every waiting poll on the shared connection (tcp-master.ts), and the
 * poller keeps at most `acquisition.tcp.maxInFlightPerDevice` reads of a
 * device in progress.
 *
 * `acquire(host, port, { oneInFlight })` returns a lease; the first lease of
 * an endpoint creates and starts its master, the last `release()` stops it.
 * The endpoint pipelines up to `maxInFlight` requests, or one at a time while
 * any holder asked for `oneInFlight` (a device that cannot take two requests
 * at once is one device, whoever asks).
 */
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import {
  ModbusTcpMaster,
  TCP_MASTER_DEFAULTS,
  type TcpMasterOptions,
  type TcpMasterStats,
} from './tcp-master.js';

export interface TcpMasterLease {
  readonly master: ModbusTcpMaster;
  /** Gives the lease back; idempotent. The last one stops the endpoint's connection. */
  release(): void;
}

interface Endpoint {
  readonly master: ModbusTcpMaster;
  /** One entry per live lease: did it ask for one request at a time. */
  readonly holders: Set<{ oneInFlight: boolean }>;
}

export class TcpMasterPool {
  readonly #ctx: { log: Logger; clock: Clock };
  readonly #options: TcpMasterOptions;
  readonly #endpoints = new Map<string, Endpoint>();

  constructor(ctx: { log: Logger; clock: Clock }, options: TcpMasterOptions = {}) {
    this.#ctx = ctx;
    this.#options = options;
  }

  /** Endpoints with a live connection object (leases held). */
  get size(): number {
    return this.#endpoints.size;
  }

  /** The master of an endpoint, if someone holds it (diagnostics). */
  peek(host: string, port: number): ModbusTcpMaster | undefined {
    return this.#endpoints.get(key(host, port))?.master;
  }

  /** Every endpoint held now, with its connection's stats (diagnostics). */
  list(): { name: string; stats: TcpMasterStats }[] {
    return [...this.#endpoints.values()].map((ep) => ({ name: ep.master.name, stats: ep.master.stats }));
  }

  acquire(host: string, port: number, opts: { oneInFlight?: boolean } = {}): TcpMasterLease {
    const k = key(host, port);
    let ep = this.#endpoints.get(k);
    if (ep === undefined) {
      const master = new ModbusTcpMaster({ name: `${host}:${port}`, host, port }, this.#ctx, this.#options);
      ep = { master, holders: new Set() };
      this.#endpoints.set(k, ep);
      master.start();
    }
    const holder = { oneInFlight: opts.oneInFlight === true };
    ep.holders.add(holder);
    this.#limit(ep);
    const endpoint = ep;
    let released = false;
    return {
      master: endpoint.master,
      release: () => {
        if (released) return;
        released = true;
        endpoint.holders.delete(holder);
        if (endpoint.holders.size > 0) {
          this.#limit(endpoint);
          return;
        }
        if (this.#endpoints.get(k) === endpoint) this.#endpoints.delete(k);
        endpoint.master.stop();
      },
    };
  }

  /** Stops every connection (the leases become dead: their requests answer UNAVAILABLE). */
  stop(): void {
    for (const ep of this.#endpoints.values()) ep.master.stop();
    this.#endpoints.clear();
  }

  #limit(ep: Endpoint): void {
    const one = [...ep.holders].some((h) => h.oneInFlight);
    ep.master.setMaxInFlight(one ? 1 : (this.#options.maxInFlight ?? TCP_MASTER_DEFAULTS.maxInFlight));
  }
}

function key(host: string, port: number): string {
  return `${host.toLowerCase()}:${port}`;
}
