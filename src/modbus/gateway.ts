/**
 * The Modbus gateway Part (PRODUCT G1–G4, G7, G8, G10, G11): the TCP server
 * (server.ts), the router (router.ts) and the gateway's own unit 255
 * (gateway-unit.ts), wired from the `modbus` and `networks` configuration
 * and the devices it proxies (`devices`: those with a TCP location and a
 * virtual id, routes.ts).
 *
 * Endpoints: one per address of every network `N` with
 * `modbus.server.enabled[N] === true`, on `modbus.server.port` (or the
 * `portOverride` option: the schema allows 1–65535 only, tests and the demo
 * pass 0 for an ephemeral port), with `modbus.server.allowList[N]` when
 * present. Limits: `maxConnections`, `maxConnectionsPerSource`,
 * `idleTimeoutMs` (TcpServer), `frameDeadlineMs`, `maxPendingPerConnection`
 * (ModbusTcpServer).
 *
 * Live (convention 17): changes of any of the three apply through `subscribe`,
 * one after the other. A network switched off (or its address removed) closes
 * its listener and the connections accepted through it at once; a port change
 * closes the old listeners and opens new ones; limits apply at once; the
 * routing table is rebuilt (see router.ts), serial lines included: a line
 * whose settings changed is closed and reopened, the others keep their port.
 *
 * Downstream targets come from injected factories (convention 8):
 * `createDeviceTarget` (TCP devices: the endpoint connection shared with the
 * poller, tcp-pool.ts) and `createSerialLineTarget` (serial lines, RTU master).
 */
import type { Config, ModbusConfig, NetworksConfig } from '../config/schema.js';
import type { Clock } from '../shared/clock.js';
import type { ConfigView } from '../shared/config-view.js';
import type { EventSink } from '../shared/events.js';
import type { Part } from '../shared/lifecycle.js';
import type { Logger } from '../shared/logger.js';
import type { ServerLimits } from '../transport/limits.js';
import type { BoundEndpoint, TcpEndpoint } from '../transport/tcp-server.js';
import type { ModbusEvents } from './events.js';
import type { DigitalInputsProvider } from './gateway-digital-inputs.js';
import type { HealthState } from './gateway-registers.js';
import { GatewayUnit, type WirelessListEntry } from './gateway-unit.js';
import type { Identity } from './identity.js';
import { type DeviceTargetFactory, ModbusRouter, type RouterConfig } from './router.js';
import { gatewayRoutes } from './routes.js';
import type { SerialLineTarget, SerialLineTargetFactory } from './serial-line-target.js';
import { type ModbusServerSettings, ModbusTcpServer } from './server.js';
import type { UnitTarget } from './target.js';

export interface GatewayContext {
  readonly log: Logger;
  readonly clock: Clock;
  /** Where `modbus.time-set` is published (the audit log listens). */
  readonly events: EventSink<ModbusEvents>;
  readonly modbus: ConfigView<Config['modbus']>;
  readonly networks: ConfigView<Config['networks']>;
  /** The devices: those with a TCP location and a virtual id are proxied (routes.ts). */
  readonly devices: ConfigView<Config['devices']>;
  readonly identity: Identity;
  readonly createDeviceTarget: DeviceTargetFactory;
  /** Builds one target per serial line (serial-line-target.ts). */
  readonly createSerialLineTarget: SerialLineTargetFactory;
  /** Health for register 159; default always nominal (0). */
  readonly health?: () => HealthState;
  /** Sets the system time for FC 16 on registers 116–119; absent → those writes answer 01. */
  readonly setTime?: (epochMs: number, source: string) => void | Promise<void>;
  /** Unit 255's wireless list 501–1000 (`WirelessPart.list`). Default: empty. */
  readonly wirelessList?: () => readonly WirelessListEntry[];
  /** Unit 255's digital inputs 1001–1448 (`InputsPart`). Default: every register invalid. */
  readonly digitalInputs?: DigitalInputsProvider;
}

export interface GatewayOptions {
  /** Listen on this port instead of `modbus.server.port` (0 = ephemeral; tests, demo). */
  readonly portOverride?: number;
  /** Part name; default 'modbus-gateway'. */
  readonly name?: string;
}

/** The listening endpoints the configuration asks for (pure). */
export function gatewayEndpoints(
  modbus: ModbusConfig,
  networks: NetworksConfig,
  port?: number,
): TcpEndpoint[] {
  const server = modbus.server;
  const out: TcpEndpoint[] = [];
  for (const [name, network] of Object.entries(networks)) {
    if (server.enabled[name] !== true) continue;
    const allowList = server.allowList[name];
    for (const host of network.addresses) {
      const endpoint = { host, port: port ?? server.port, name };
      out.push(allowList === undefined ? endpoint : { ...endpoint, allowList });
    }
  }
  return out;
}

export function gatewayLimits(modbus: ModbusConfig): Partial<ServerLimits> {
  const { maxConnections, maxConnectionsPerSource, idleTimeoutMs } = modbus.server;
  return { maxConnections, maxConnectionsPerSource, idleTimeoutMs };
}

export function gatewaySettings(modbus: ModbusConfig): ModbusServerSettings {
  const { frameDeadlineMs, maxPendingPerConnection } = modbus.server;
  return { frameDeadlineMs, maxPendingPerConnection };
}

export class ModbusGateway implements Part {
  readonly name: string;
  readonly #ctx: GatewayContext;
  readonly #opts: GatewayOptions;
  readonly #log: Logger;
  readonly #unit: GatewayUnit;
  readonly #router: ModbusRouter;
  readonly #server: ModbusTcpServer;
  #unsubscribe: Array<() => void> = [];
  #chain: Promise<void> = Promise.resolve();

  constructor(ctx: GatewayContext, opts: GatewayOptions = {}) {
    this.name = opts.name ?? 'modbus-gateway';
    this.#ctx = ctx;
    this.#opts = opts;
    this.#log = ctx.log.child({ component: this.name });
    const modbus = ctx.modbus.get();
    this.#unit = new GatewayUnit({
      log: this.#log.child({ unit: 255 }),
      clock: ctx.clock,
      events: ctx.events,
      identity: ctx.identity,
      allowTimeSetting: () => ctx.modbus.get().server.allowTimeSetting,
      ...(ctx.health && { health: ctx.health }),
      ...(ctx.setTime && { setTime: ctx.setTime }),
      ...(ctx.wirelessList && { wirelessList: ctx.wirelessList }),
      ...(ctx.digitalInputs && { digitalInputs: ctx.digitalInputs }),
    });
    const routerCtx = { log: this.#log, clock: ctx.clock };
    this.#router = new ModbusRouter(routerCtx, this.#routes(), {
      gatewayUnit: this.#unit,
      createDeviceTarget: ctx.createDeviceTarget,
      createSerialLineTarget: ctx.createSerialLineTarget,
    });
    this.#server = new ModbusTcpServer(
      { log: this.#log, clock: ctx.clock },
      { handler: (req) => this.#router.route(req), settings: gatewaySettings(modbus) },
    );
  }

  async start(): Promise<void> {
    const modbus = this.#ctx.modbus.get();
    this.#server.applyLimits(gatewayLimits(modbus));
    this.#server.applySettings(gatewaySettings(modbus));
    await this.#server.applyEndpoints(this.#endpoints());
    // The configuration may have changed between construction and start (the demo, an import).
    await this.#router.apply(this.#routes());
    await this.#router.start();
    try {
      await this.#server.start();
    } catch (error) {
      await this.#router.stop();
      throw error;
    }
    this.#unsubscribe = [
      this.#ctx.modbus.subscribe((next) => this.#serial(() => this.#applyModbus(next))),
      this.#ctx.networks.subscribe(() => this.#serial(() => this.#applyEndpoints())),
      this.#ctx.devices.subscribe(() => this.#serial(() => this.#router.apply(this.#routes()))),
    ];
  }

  async stop(): Promise<void> {
    for (const off of this.#unsubscribe.splice(0)) off();
    await this.#chain;
    await this.#server.stop();
    await this.#router.stop();
  }

  /** The endpoints listening now, with the port actually bound. */
  addresses(): BoundEndpoint[] {
    return this.#server.addresses();
  }

  get stats(): ModbusTcpServer['stats'] {
    return this.#server.stats;
  }

  /** The routing table's owner of a unit id (diagnostics, tests). */
  targetFor(unitId: number): UnitTarget | undefined {
    return this.#router.targetFor(unitId);
  }

  /** The serial line targets in use (stats; the poller's `request(…, { priority: 'low' })` hook). */
  serialLines(): SerialLineTarget[] {
    return this.#router.serialLines();
  }

  /** The wireless virtual servers by virtual id (`WirelessPart.targets`); replaces the previous map. */
  setWirelessTargets(targets: ReadonlyMap<number, UnitTarget>): void {
    this.#router.setWirelessTargets(targets);
  }

  #endpoints(): TcpEndpoint[] {
    return gatewayEndpoints(this.#ctx.modbus.get(), this.#ctx.networks.get(), this.#opts.portOverride);
  }

  #serial(fn: () => Promise<void>): Promise<void> {
    const run = this.#chain.then(fn).catch((error: unknown) => {
      this.#log.error({ err: error }, 'applying the Modbus configuration failed');
    });
    this.#chain = run;
    return run;
  }

  async #applyModbus(next: ModbusConfig): Promise<void> {
    this.#server.applyLimits(gatewayLimits(next));
    this.#server.applySettings(gatewaySettings(next));
    await this.#applyEndpoints();
    await this.#router.apply(this.#routes());
  }

  #routes(): RouterConfig {
    return gatewayRoutes(this.#ctx.modbus.get(), this.#ctx.devices.get());
  }

  async #applyEndpoints(): Promise<void> {
    const result = await this.#server.applyEndpoints(this.#endpoints());
    for (const f of result.failed) {
      this.#log.warn(
        { err: f.error, host: f.endpoint.host, port: f.endpoint.port },
        'Modbus endpoint not opened',
      );
    }
  }
}

export function createGateway(ctx: GatewayContext, opts: GatewayOptions = {}): ModbusGateway {
  return new ModbusGateway(ctx, opts);
}

/** Creates and starts a gateway; on failure nothing stays open. */
export async function startGateway(ctx: GatewayContext, opts: GatewayOptions = {}): Promise<ModbusGateway> {
  const gateway = createGateway(ctx, opts);
  await gateway.start();
  return gateway;
}
