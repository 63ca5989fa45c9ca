/**
 * How the poller reaches a device (PRODUCT G5, G6, L3):
 *
 * - TCP: the one Modbus TCP connection of the device's endpoint (host, port),
 *   leased from the TcpMasterPool the gateway shares (src/modbus/tcp-pool.ts:
 *   many devices accept only a few connections), with the device's own unit
 *   id and timeout, at priority 'low': requests from upstream clients go
 *   first. An endpoint no device uses any more is released.
 * - Serial: the gateway's line (`serialLine(name)`, the SerialLineTarget
 *   the gateway built for `modbus.serialLines[]`) with `priority: 'low'`, so
 *   upstream clients always go first on the one queue of the line (G5). The
 *   line is looked up at each request: the gateway may rebuild it live.
 * - Wireless: no link; the wireless part samples their frames.
 *
 * A link resolves the reply PDU (a normal reply or a Modbus exception PDU) or
 * rejects with a WattgateError (TIMEOUT, UNAVAILABLE, BUSY, ABORTED).
 */
import type { DeviceLocation, TcpLocation } from '../config/schema-devices.js';
import type { SerialLineTarget } from '../modbus/serial-line-target.js';
import type { TcpMasterLease, TcpMasterPool } from '../modbus/tcp-pool.js';
import { ErrorCodes, WattgateError } from '../shared/errors.js';

export interface DeviceLink {
  readonly kind: 'tcp' | 'serial';
  request(pdu: Uint8Array, signal: AbortSignal): Promise<Uint8Array>;
}

export interface LinkContext {
  /** The gateway's serial line of that name, if it exists now. */
  readonly serialLine: (name: string) => SerialLineTarget | undefined;
  /** The shared TCP connections (one per endpoint). */
  readonly tcpMasters: TcpMasterPool;
}

interface PooledTcp {
  readonly lease: TcpMasterLease;
  readonly link: DeviceLink;
}

export class LinkPool {
  readonly #ctx: LinkContext;
  /** One lease per TCP location (a location is endpoint + unit + timeout). */
  readonly #tcp = new Map<string, PooledTcp>();

  constructor(ctx: LinkContext) {
    this.#ctx = ctx;
  }

  /** The link for a location; undefined for wireless devices. */
  link(loc: DeviceLocation): DeviceLink | undefined {
    if (loc.kind === 'tcp') return this.#tcpLink(loc);
    if (loc.kind === 'serial') return this.#serialLink(loc.line, loc.slave);
    return undefined;
  }

  /** Releases the TCP leases of locations not in `used`. */
  retain(used: readonly DeviceLocation[]): void {
    const keep = new Set(used.filter((l) => l.kind === 'tcp').map((l) => JSON.stringify(l)));
    for (const [key, pooled] of this.#tcp) {
      if (!keep.has(key)) {
        pooled.lease.release();
        this.#tcp.delete(key);
      }
    }
  }

  /** Distinct TCP endpoints the poller holds. */
  get tcpClients(): number {
    return new Set([...this.#tcp.values()].map((p) => p.lease.master)).size;
  }

  stop(): void {
    for (const pooled of this.#tcp.values()) pooled.lease.release();
    this.#tcp.clear();
  }

  #tcpLink(loc: TcpLocation): DeviceLink {
    const key = JSON.stringify(loc);
    const pooled = this.#tcp.get(key);
    if (pooled) return pooled.link;
    const lease = this.#ctx.tcpMasters.acquire(loc.host, loc.port, { oneInFlight: loc.oneInFlight === true });
    const master = lease.master;
    const link: DeviceLink = {
      kind: 'tcp',
      request: (pdu, signal) =>
        master.request({
          unitId: loc.unit,
          pdu,
          request: undefined,
          signal,
          timeoutMs: loc.timeoutMs,
          priority: 'low',
        }),
    };
    this.#tcp.set(key, { lease, link });
    return link;
  }

  #serialLink(line: string, slave: number): DeviceLink {
    return {
      kind: 'serial',
      request: (pdu, signal) => {
        const target = this.#ctx.serialLine(line);
        if (!target) {
          const e = new WattgateError(ErrorCodes.UNAVAILABLE, `serial line "${line}" is not available`);
          return Promise.reject(e);
        }
        return target.request(slave, pdu, { priority: 'low', signal });
      },
    };
  }
}
