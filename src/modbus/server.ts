/**
 * The Modbus TCP server (PRODUCT G1, G7; SECURITY H1–H3) as a Part: a
 * `TcpServer` for the sockets (endpoints, allow lists, connection caps, idle
 * timeout, backpressure — see src/transport) and one `ModbusConnection` per
 * admitted connection (framing, frame deadline, pipelining, pending cap —
 * see server-connection.ts). Requests go to an injected handler (the router).
 *
 * Everything applies live: `applyEndpoints` (a network switched off closes
 * its listener and its connections at once), `applyLimits` (connection caps
 * from the next accept, idle timeout at once) and `applySettings` (frame
 * deadline and pending cap, read per use by open connections).
 */
import type { Part } from '../shared/lifecycle.js';
import type { Logger } from '../shared/logger.js';
import type { TransportContext } from '../transport/byte-stream.js';
import type { ServerLimits } from '../transport/limits.js';
import type { TcpServerStats } from '../transport/server-stats.js';
import {
  type ApplyResult,
  type BoundEndpoint,
  type TcpEndpoint,
  TcpServer,
} from '../transport/tcp-server.js';
import {
  type ConnectionHost,
  ModbusConnection,
  type ModbusServerSettings,
  type RequestHandler,
} from './server-connection.js';
import { type ModbusServerStats, ModbusStatsRecorder } from './server-stats.js';

export type { ModbusServerSettings, RequestHandler } from './server-connection.js';

export interface ModbusTcpServerOptions {
  readonly handler: RequestHandler;
  readonly settings: ModbusServerSettings;
  readonly endpoints?: readonly TcpEndpoint[];
  readonly limits?: Partial<ServerLimits>;
  /** Part name; default 'modbus-tcp-server'. */
  readonly name?: string;
}

const SETTINGS_RANGES = {
  frameDeadlineMs: [1, 3_600_000],
  maxPendingPerConnection: [1, 65_535],
} as const;

function checkSettings(s: ModbusServerSettings): ModbusServerSettings {
  for (const key of Object.keys(SETTINGS_RANGES) as Array<keyof ModbusServerSettings>) {
    const [min, max] = SETTINGS_RANGES[key];
    const v = s[key];
    if (!Number.isInteger(v) || v < min || v > max) throw new RangeError(`${key} must be ${min}..${max}`);
  }
  return { frameDeadlineMs: s.frameDeadlineMs, maxPendingPerConnection: s.maxPendingPerConnection };
}

export class ModbusTcpServer implements Part {
  readonly name: string;
  readonly #tcp: TcpServer;
  readonly #log: Logger;
  readonly #stats = new ModbusStatsRecorder();
  readonly #handler: RequestHandler;
  #settings: ModbusServerSettings;

  constructor(ctx: TransportContext, opts: ModbusTcpServerOptions) {
    this.name = opts.name ?? 'modbus-tcp-server';
    this.#log = ctx.log.child({ component: this.name });
    this.#handler = opts.handler;
    this.#settings = checkSettings(opts.settings);
    this.#tcp = new TcpServer(ctx, {
      name: `${this.name}-tcp`,
      endpoints: opts.endpoints ?? [],
      limits: opts.limits ?? {},
    });
    const host: ConnectionHost = {
      log: this.#log,
      stats: this.#stats,
      handler: this.#handler,
      settings: () => this.#settings,
    };
    this.#tcp.onConnection((stream) => {
      new ModbusConnection(stream, host);
    });
  }

  start(): Promise<void> {
    return this.#tcp.start();
  }

  stop(): Promise<void> {
    return this.#tcp.stop();
  }

  applyEndpoints(list: readonly TcpEndpoint[]): Promise<ApplyResult> {
    return this.#tcp.applyEndpoints(list);
  }

  applyLimits(patch: Partial<ServerLimits>): void {
    this.#tcp.applyLimits(patch);
  }

  /** Frame deadline and pending cap; open connections use the new values from their next frame. */
  applySettings(settings: ModbusServerSettings): void {
    this.#settings = checkSettings(settings);
  }

  get settings(): ModbusServerSettings {
    return this.#settings;
  }

  addresses(): BoundEndpoint[] {
    return this.#tcp.addresses();
  }

  get stats(): ModbusServerStats & { connections: TcpServerStats } {
    return { ...this.#stats.snapshot(), connections: this.#tcp.stats };
  }
}
