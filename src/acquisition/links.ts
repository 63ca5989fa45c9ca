/**
 * How the poller reaches a device (PRODUCT G5, G6, L3):
 *
 * - TCP: one pooled client per TCP location (host, port, unit, timeout) —
 *   `createTcpDeviceTarget` (src/modbus/tcp-device.ts: one reused connection,
 *   reconnect with back-off, pipelining up to `maxInFlightPerDevice`). The
 *   acquisition keeps its own connections: a datalogger device is not
 *   necessarily a gateway virtual server, and the gateway's upstream traffic
 *   keeps its own flow. A location no device uses any more is stopped.
 * - Serial: the gateway's line (`serialLine(name)`, the SerialLineTarget
 *   the gateway built for `modbus.serialLines[]`) with `priority: 'low'`, so
 *   upstream clients always go first on the one queue of the line (G5). The
 *   line is looked up at each request: the gateway may rebuild it live.
 * - Wireless: no link; the wireless registry publishes their readings.
 *
 * A link resolves the reply PDU (a normal reply or a Modbus exception PDU) or
 * rejects with a WattgateError (TIMEOUT, UNAVAILABLE, BUSY, ABORTED).
 */
import type { DeviceLocation, TcpLocation } from '../config/schema-devices.js';
import type { SerialLineTarget } from '../modbus/serial-line-target.js';
import { createTcpDeviceTarget, type TcpDeviceOptions, type TcpDeviceTarget } from '../modbus/tcp-device.js';
import type { Clock } from '../shared/clock.js';
import { ErrorCodes, WattgateError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';

export interface DeviceLink {
  readonly kind: 'tcp' | 'serial';
  request(pdu: Uint8Array, signal: AbortSignal): Promise<Uint8Array>;
}

export type TcpTargetFactory = (
  location: TcpLocation,
  ctx: { log: Logger; clock: Clock },
  options: TcpDeviceOptions,
) => TcpDeviceTarget;

export interface LinkContext {
  readonly log: Logger;
  readonly clock: Clock;
  /** The gateway's serial line of that name, if it exists now. */
  readonly serialLine: (name: string) => SerialLineTarget | undefined;
  readonly createTcpTarget?: TcpTargetFactory;
}

const defaultTcpFactory: TcpTargetFactory = (loc, ctx, options) =>
  createTcpDeviceTarget(
    {
      name: `${loc.host}:${loc.port}/${loc.unit}`,
      host: loc.host,
      port: loc.port,
      unitId: loc.unit,
      virtualId: 1, // unused: this target is not routed by the gateway
      timeoutMs: loc.timeoutMs,
      oneInFlight: false,
    },
    ctx,
    options,
  );

interface PooledTcp {
  readonly target: TcpDeviceTarget;
  readonly link: DeviceLink;
}

export class LinkPool {
  readonly #ctx: LinkContext;
  readonly #tcp = new Map<string, PooledTcp>();
  #inFlightPerDevice: number;

  constructor(ctx: LinkContext, inFlightPerDevice = 1) {
    this.#ctx = ctx;
    this.#inFlightPerDevice = inFlightPerDevice;
  }

  /** The link for a location; undefined for wireless devices. */
  link(loc: DeviceLocation): DeviceLink | undefined {
    if (loc.kind === 'tcp') return this.#tcpLink(loc);
    if (loc.kind === 'serial') return this.#serialLink(loc.line, loc.slave);
    return undefined;
  }

  /** Stops the TCP clients of locations not in `used`; a new per-device limit rebuilds them all. */
  retain(used: readonly DeviceLocation[], inFlightPerDevice = this.#inFlightPerDevice): void {
    const rebuild = inFlightPerDevice !== this.#inFlightPerDevice;
    this.#inFlightPerDevice = inFlightPerDevice;
    const keep = new Set(used.filter((l) => l.kind === 'tcp').map((l) => JSON.stringify(l)));
    for (const [key, pooled] of this.#tcp) {
      if (rebuild || !keep.has(key)) {
        pooled.target.stop();
        this.#tcp.delete(key);
      }
    }
  }

  get tcpClients(): number {
    return this.#tcp.size;
  }

  stop(): void {
    for (const pooled of this.#tcp.values()) pooled.target.stop();
    this.#tcp.clear();
  }

  #tcpLink(loc: TcpLocation): DeviceLink {
    const key = JSON.stringify(loc);
    const pooled = this.#tcp.get(key);
    if (pooled) return pooled.link;
    const factory = this.#ctx.createTcpTarget ?? defaultTcpFactory;
    const options = { maxInFlight: this.#inFlightPerDevice, maxQueue: 64 };
    const target = factory(loc, { log: this.#ctx.log, clock: this.#ctx.clock }, options);
    target.start();
    const source = 'acquisition';
    const link: DeviceLink = {
      kind: 'tcp',
      request: (pdu, signal) => target.handle({ unitId: loc.unit, pdu, request: undefined, signal, source }),
    };
    this.#tcp.set(key, { target, link });
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
