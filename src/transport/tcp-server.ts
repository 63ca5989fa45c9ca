/**
 * `TcpServer`: the upstream listening side of the Modbus TCP server, as a Part.
 * It listens on a set of endpoints (the addresses of the named networks where
 * the Modbus server is enabled, PRODUCT G1/N2) and hands every admitted
 * connection to the protocol layer as a `ByteStream`. It knows nothing of Modbus.
 *
 * Live reconfiguration (convention 17, SECURITY G2): `applyEndpoints` opens the
 * listeners of new endpoints and closes removed ones together with the
 * connections accepted through them, at once, leaving the others alone;
 * `applyLimits` changes limits without a restart.
 *
 * Admission, in this order (a refused connection is closed at once, nothing read
 * or sent, and counted in `stats.refused`): the endpoint's allow list (G10), the
 * total cap, the per-source cap. Limits and defaults: see limits.ts.
 */
import type { BlockList, Server, Socket } from 'node:net';
import { isIP } from 'node:net';
import { ErrorCodes, type ErrorDetail, WattgateError } from '../shared/errors.js';
import type { Part } from '../shared/lifecycle.js';
import type { Logger } from '../shared/logger.js';
import { compileAllowList, formatHostPort, isAllowed, normaliseAddress } from './address.js';
import { type ByteStream, CloseReasons, type TransportContext } from './byte-stream.js';
import { DEFAULT_SERVER_LIMITS, resolveLimits, type ServerLimits } from './limits.js';
import { boundPort, closeListener, openListener } from './listener.js';
import {
  copyStats,
  emptyStats,
  type RefusalReason,
  RefusalReasons,
  type TcpServerStats,
} from './server-stats.js';
import { SocketStream } from './socket-stream.js';

export interface TcpEndpoint {
  /** An IP literal: an interface address, `0.0.0.0` or `::`. */
  readonly host: string;
  /** 1–65535, or 0 for an ephemeral port (tests). */
  readonly port: number;
  /** Absent: any source. Present, even empty: only these addresses / CIDR subnets (G10). */
  readonly allowList?: readonly string[];
  /** Label for logs, e.g. the network name "ETH1". */
  readonly name?: string;
}

export interface TcpServerOptions {
  /** Part name; default 'tcp-server'. */
  readonly name?: string;
  readonly endpoints?: readonly TcpEndpoint[];
  readonly limits?: Partial<ServerLimits>;
}

export interface BoundEndpoint {
  readonly host: string;
  readonly port: number;
  readonly boundPort: number;
  readonly name: string | undefined;
}

export interface ApplyResult {
  readonly opened: readonly BoundEndpoint[];
  readonly closed: readonly TcpEndpoint[];
  readonly failed: ReadonlyArray<{ readonly endpoint: TcpEndpoint; readonly error: unknown }>;
}

interface Wanted {
  readonly key: string;
  endpoint: TcpEndpoint;
  allow: BlockList | undefined;
}

interface Listener extends Wanted {
  readonly server: Server;
  readonly boundPort: number;
  readonly streams: Set<SocketStream>;
}

const endpointKey = (e: TcpEndpoint): string => `${normaliseAddress(e.host) ?? e.host}|${e.port}`;
const sameList = (a?: readonly string[], b?: readonly string[]): boolean =>
  JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** Validates endpoints and compiles their allow lists; throws WG_ERR_INVALID_CONFIG. */
function compileEndpoints(list: readonly TcpEndpoint[]): Wanted[] {
  const details: ErrorDetail[] = [];
  const seen = new Set<string>();
  const wanted: Wanted[] = [];
  list.forEach((endpoint, i) => {
    if (isIP(endpoint.host) === 0) details.push({ path: `/${i}/host`, message: 'must be an IP address' });
    if (!Number.isInteger(endpoint.port) || endpoint.port < 0 || endpoint.port > 65535) {
      details.push({ path: `/${i}/port`, message: 'must be an integer from 0 to 65535' });
    }
    const key = endpointKey(endpoint);
    if (seen.has(key)) details.push({ path: `/${i}`, message: `duplicate endpoint ${key}` });
    seen.add(key);
    const allow = endpoint.allowList && compileAllowList(endpoint.allowList, `/${i}/allowList`);
    wanted.push({ key, endpoint, allow });
  });
  if (details.length > 0)
    throw new WattgateError(ErrorCodes.INVALID_CONFIG, 'invalid endpoints', { details });
  return wanted;
}

export class TcpServer implements Part {
  readonly name: string;
  readonly #ctx: TransportContext;
  readonly #log: Logger;
  #limits: ServerLimits;
  #wanted: Wanted[];
  readonly #listeners = new Map<string, Listener>();
  readonly #sources = new Map<string, number>();
  readonly #handlers = new Set<(stream: ByteStream) => void>();
  readonly #stats = emptyStats();
  #running = false;
  #chain: Promise<unknown> = Promise.resolve();

  constructor(ctx: TransportContext, options: TcpServerOptions = {}) {
    this.name = options.name ?? 'tcp-server';
    this.#ctx = ctx;
    this.#log = ctx.log.child({ component: this.name });
    this.#limits = resolveLimits(options.limits ?? {}, DEFAULT_SERVER_LIMITS);
    this.#wanted = compileEndpoints(options.endpoints ?? []);
  }

  /** Opens every endpoint; if one cannot listen, closes the others and throws WG_ERR_LIFECYCLE. */
  start(): Promise<void> {
    return this.#serial(async () => {
      if (this.#running) return;
      this.#running = true;
      const result = await this.#reconcile();
      const first = result.failed[0];
      if (first === undefined) return;
      this.#running = false;
      await this.#closeAll(CloseReasons.SERVER_STOP);
      const where = formatHostPort(first.endpoint.host, first.endpoint.port);
      throw new WattgateError(ErrorCodes.LIFECYCLE, `cannot listen on ${where}`, { cause: first.error });
    });
  }

  /** Closes every listener and connection ('server-stop') and their timers; idempotent. */
  stop(): Promise<void> {
    return this.#serial(async () => {
      if (!this.#running) return;
      this.#running = false;
      await this.#closeAll(CloseReasons.SERVER_STOP);
    });
  }

  /**
   * Replaces the endpoint set (validated first: throws WG_ERR_INVALID_CONFIG and
   * changes nothing). While running: removed endpoints close with their
   * connections ('endpoint-removed'); a changed allow list closes the connections
   * it no longer admits ('allow-list'); new endpoints listen. An endpoint that
   * fails to listen is reported in `failed`, logged, and retried on the next apply.
   */
  applyEndpoints(list: readonly TcpEndpoint[]): Promise<ApplyResult> {
    const wanted = compileEndpoints(list);
    return this.#serial(async () => {
      this.#wanted = wanted;
      return this.#running ? this.#reconcile() : { opened: [], closed: [], failed: [] };
    });
  }

  /** Merges and validates new limits (throws WG_ERR_INVALID_ARGUMENT); see limits.ts for what applies when. */
  applyLimits(patch: Partial<ServerLimits>): void {
    this.#limits = resolveLimits(patch, this.#limits);
    for (const listener of this.#listeners.values()) {
      for (const stream of listener.streams) stream.setFlow(this.#limits);
    }
  }

  get limits(): ServerLimits {
    return this.#limits;
  }

  /** A snapshot of the counters. */
  get stats(): TcpServerStats {
    return copyStats(this.#stats);
  }

  /** The endpoints listening now, with the port actually bound. */
  addresses(): BoundEndpoint[] {
    return [...this.#listeners.values()].map((l) => this.#describe(l));
  }

  /** Registers the protocol layer's handler for admitted connections. Returns an unsubscribe. */
  onConnection(fn: (stream: ByteStream) => void): () => void {
    this.#handlers.add(fn);
    return () => this.#handlers.delete(fn);
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#chain.then(fn);
    this.#chain = run.catch(() => {});
    return run;
  }

  #describe(l: Listener): BoundEndpoint {
    return { host: l.endpoint.host, port: l.endpoint.port, boundPort: l.boundPort, name: l.endpoint.name };
  }

  async #reconcile(): Promise<ApplyResult> {
    const byKey = new Map(this.#wanted.map((w) => [w.key, w]));
    const closed: TcpEndpoint[] = [];
    const closing: Promise<void>[] = [];
    for (const listener of [...this.#listeners.values()]) {
      const want = byKey.get(listener.key);
      if (want === undefined) {
        closed.push(listener.endpoint);
        closing.push(this.#closeListener(listener, CloseReasons.ENDPOINT_REMOVED));
      } else if (!sameList(want.endpoint.allowList, listener.endpoint.allowList)) {
        this.#replaceAllowList(listener, want);
      }
    }
    await Promise.all(closing);
    const toOpen = this.#wanted.filter((w) => !this.#listeners.has(w.key));
    const results = await Promise.allSettled(toOpen.map((w) => this.#open(w)));
    const opened: BoundEndpoint[] = [];
    const failed: Array<{ endpoint: TcpEndpoint; error: unknown }> = [];
    results.forEach((r, i) => {
      const endpoint = (toOpen[i] as Wanted).endpoint;
      if (r.status === 'fulfilled') opened.push(r.value);
      else failed.push({ endpoint, error: r.reason });
    });
    return { opened, closed, failed };
  }

  async #open(want: Wanted): Promise<BoundEndpoint> {
    const { host, port } = want.endpoint;
    const holder: { listener?: Listener } = {};
    try {
      const server = await openListener(host, port, (s) => this.#accept(holder.listener, s), this.#log);
      const listener: Listener = { ...want, server, boundPort: boundPort(server), streams: new Set() };
      holder.listener = listener;
      this.#listeners.set(want.key, listener);
      this.#stats.listening = this.#listeners.size;
      this.#log.info({ endpoint: want.endpoint.name, host, port: listener.boundPort }, 'listening');
      return this.#describe(listener);
    } catch (error) {
      this.#log.error({ err: error, endpoint: want.endpoint.name, host, port }, 'cannot listen');
      throw error;
    }
  }

  async #closeListener(listener: Listener, reason: string): Promise<void> {
    this.#listeners.delete(listener.key);
    this.#stats.listening = this.#listeners.size;
    const done = closeListener(listener.server);
    for (const stream of [...listener.streams]) stream.close(reason);
    this.#log.info({ endpoint: listener.endpoint.name, host: listener.endpoint.host }, 'listener closed');
    await done;
  }

  async #closeAll(reason: string): Promise<void> {
    await Promise.all([...this.#listeners.values()].map((l) => this.#closeListener(l, reason)));
  }

  #replaceAllowList(listener: Listener, want: Wanted): void {
    listener.endpoint = want.endpoint;
    listener.allow = want.allow;
    for (const stream of [...listener.streams]) {
      if (want.allow && !isAllowed(want.allow, stream.source)) stream.close(CloseReasons.ALLOW_LIST);
    }
  }

  #accept(origin: Listener | undefined, socket: Socket): void {
    socket.on('error', (e: NodeJS.ErrnoException) => this.#log.debug({ code: e.code }, 'socket error'));
    const listener = origin && this.#listeners.get(origin.key);
    const source = normaliseAddress(socket.remoteAddress);
    if (listener === undefined || listener.server !== origin?.server || source === undefined) {
      socket.destroy();
      return;
    }
    const refusal = this.#admission(listener, source);
    if (refusal !== undefined) {
      this.#stats.refused[refusal]++;
      socket.destroy();
      this.#log.debug({ source, reason: refusal }, 'connection refused');
      return;
    }
    this.#admit(listener, socket, source);
  }

  #admission(listener: Listener, source: string): RefusalReason | undefined {
    if (listener.allow && !isAllowed(listener.allow, source)) return RefusalReasons.ALLOW_LIST;
    if (this.#stats.current >= this.#limits.maxConnections) return RefusalReasons.TOTAL_CAP;
    if ((this.#sources.get(source) ?? 0) >= this.#limits.maxConnectionsPerSource)
      return RefusalReasons.SOURCE_CAP;
    return undefined;
  }

  #admit(listener: Listener, socket: Socket, source: string): void {
    const stream = new SocketStream(socket, this.#ctx, this.#limits);
    listener.streams.add(stream);
    this.#sources.set(source, (this.#sources.get(source) ?? 0) + 1);
    this.#stats.accepted++;
    this.#stats.current++;
    stream.onClose((reason) => this.#release(listener, stream, reason));
    this.#log.debug(
      { stream: stream.id, remote: stream.remote, endpoint: listener.endpoint.name },
      'accepted',
    );
    for (const fn of [...this.#handlers]) {
      try {
        fn(stream);
      } catch (error) {
        this.#log.error({ err: error }, 'connection handler threw: closing the connection');
        stream.close(CloseReasons.ERROR);
        return;
      }
    }
  }

  #release(listener: Listener, stream: SocketStream, reason: string): void {
    listener.streams.delete(stream);
    const n = (this.#sources.get(stream.source) ?? 1) - 1;
    if (n > 0) this.#sources.set(stream.source, n);
    else this.#sources.delete(stream.source);
    this.#stats.current--;
    this.#stats.closed[reason] = (this.#stats.closed[reason] ?? 0) + 1;
  }
}
