/**
 * A downstream Modbus TCP device as a UnitTarget of the router (PRODUCT G2,
 * G6, G4): upstream requests for its virtual id are sent, byte-identical, to
 * the device's own unit id over the one connection of its endpoint
 * (tcp-master.ts, shared through tcp-pool.ts with the poller), at priority
 * 'high'. `cfg.timeoutMs` bounds the wait in the queue and for the reply
 * (a request settles within 2 × timeoutMs); `cfg.oneInFlight` makes the
 * endpoint send one request at a time. Every behaviour on the wire (matching,
 * pipelining, late replies, garbage, reconnect with back-off, abort) is the
 * master's; see its header.
 *
 * `createTcpDeviceTarget(cfg, ctx, options)` gives the target a connection of
 * its own (tests, tools); `createPooledTcpDeviceTarget(cfg, ctx, pool)` leases
 * the endpoint's shared connection at `start()` and gives it back at `stop()`.
 */
import { ErrorCodes, WattgateError } from '../shared/errors.js';
import type { Part } from '../shared/lifecycle.js';
import type { TargetRequest, UnitTarget } from './target.js';
import {
  ModbusTcpMaster,
  TCP_MASTER_DEFAULTS,
  type TcpMasterContext,
  type TcpMasterOptions,
  type TcpMasterStats,
} from './tcp-master.js';
import type { TcpMasterLease, TcpMasterPool } from './tcp-pool.js';

/** How the gateway reaches a downstream TCP device (built from a `devices.list` entry, routes.ts). */
export interface TcpDeviceConfig {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  /** Unit id sent to the downstream device. */
  readonly unitId: number;
  /** Unit id under which upstream clients reach it through the gateway. */
  readonly virtualId: number;
  readonly timeoutMs: number;
  readonly oneInFlight: boolean;
}

export const TCP_DEVICE_DEFAULTS = TCP_MASTER_DEFAULTS;
export type TcpDeviceOptions = TcpMasterOptions;
export type TcpDeviceStats = TcpMasterStats;
export type TcpDeviceContext = TcpMasterContext;

export interface TcpDeviceTarget extends UnitTarget, Part {
  readonly kind: 'tcp-device';
  /** The endpoint connection's counters (shared by every user of the endpoint when pooled). */
  readonly stats: TcpDeviceStats;
}

interface MasterSource {
  acquire(): TcpMasterLease;
}

export function createTcpDeviceTarget(
  cfg: TcpDeviceConfig,
  ctx: TcpDeviceContext,
  options: TcpDeviceOptions = {},
): TcpDeviceTarget {
  const source: MasterSource = {
    acquire() {
      const maxInFlight = cfg.oneInFlight ? 1 : (options.maxInFlight ?? TCP_MASTER_DEFAULTS.maxInFlight);
      const master = new ModbusTcpMaster(
        { name: cfg.name, host: cfg.host, port: cfg.port },
        { log: ctx.log.child({ device: cfg.name }), clock: ctx.clock },
        { ...options, maxInFlight },
      );
      master.start();
      return { master, release: () => master.stop() };
    },
  };
  return new TcpDevice(cfg, source);
}

export function createPooledTcpDeviceTarget(cfg: TcpDeviceConfig, pool: TcpMasterPool): TcpDeviceTarget {
  return new TcpDevice(cfg, {
    acquire: () => pool.acquire(cfg.host, cfg.port, { oneInFlight: cfg.oneInFlight }),
  });
}

class TcpDevice implements TcpDeviceTarget {
  readonly kind = 'tcp-device' as const;
  readonly name: string;
  readonly #cfg: TcpDeviceConfig;
  readonly #source: MasterSource;
  #lease: TcpMasterLease | undefined;
  /** The last master's counters, kept after stop. */
  #last: ModbusTcpMaster | undefined;

  constructor(cfg: TcpDeviceConfig, source: MasterSource) {
    this.name = cfg.name;
    this.#cfg = cfg;
    this.#source = source;
  }

  get stats(): TcpDeviceStats {
    const master = this.#lease?.master ?? this.#last;
    if (master) return this.#lease ? master.stats : { ...master.stats, connected: false };
    return idleStats();
  }

  start(): void {
    if (this.#lease) return;
    this.#lease = this.#source.acquire();
    this.#last = this.#lease.master;
  }

  stop(): void {
    const lease = this.#lease;
    this.#lease = undefined;
    lease?.release();
  }

  handle(req: TargetRequest): Promise<Uint8Array> {
    const master = this.#lease?.master ?? this.#last;
    if (master === undefined) {
      return Promise.reject(new WattgateError(ErrorCodes.UNAVAILABLE, `${this.name}: not running`));
    }
    return master.request(this.#request(req));
  }

  #request(req: TargetRequest) {
    return {
      unitId: this.#cfg.unitId,
      pdu: req.pdu,
      request: req.request,
      signal: req.signal,
      timeoutMs: this.#cfg.timeoutMs,
      priority: 'high' as const,
    };
  }
}

function idleStats(): TcpDeviceStats {
  const zero = {
    requests: 0,
    sent: 0,
    responses: 0,
    timeouts: 0,
    busy: 0,
    unavailable: 0,
    aborted: 0,
    lateReplies: 0,
    strayReplies: 0,
    badReplies: 0,
    resets: 0,
    connects: 0,
    reconnects: 0,
    maxQueueDepth: 0,
  };
  return { ...zero, connected: false, queueDepth: 0, inFlight: 0 };
}
