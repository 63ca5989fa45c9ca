/**
 * Modbus discovery (PRODUCT L2): find devices, identify them (identify.ts)
 * and offer them to the admin, who adds the ones wanted (nothing is added by
 * discovery itself).
 *
 * - TCP: from an address list — host, port (default 502), unit (default 255,
 *   the reference's default: a device answering for itself or a gateway's own
 *   unit) — up to 256 entries, 8 at a time, each through a short-lived client
 *   (src/modbus/tcp-device.ts) closed after its probe.
 * - Serial: addresses `first`..`last` (default 1..247) of a configured line,
 *   one after the other, through the gateway's line with low priority (the
 *   upstream traffic goes first). An absent address costs the line's timeout
 *   × (1 + retries): with the defaults (1000 ms, 1 retry) a full scan of an
 *   empty line takes about 8 minutes — hence progress, and cancel.
 *
 * One discovery runs at a time (CONFLICT otherwise). Its state — done/total,
 * the devices found so far, each with its identity, matching models and the
 * id of the configured device already at that place — is readable at any
 * time while it runs and after (until the next one).
 */
import { randomUUID } from 'node:crypto';
import type { DeviceConfig, DeviceLocation, TcpLocation } from '../../config/schema-devices.js';
import { locationKey } from '../../config/schema-devices.js';
import type { SerialLineTarget } from '../../modbus/serial-line-target.js';
import { TcpMasterPool } from '../../modbus/tcp-pool.js';
import type { Clock } from '../../shared/clock.js';
import { ErrorCodes, WattgateError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import type { DeviceIdentity, ModelMatcher } from '../model-source.js';
import { type Identification, identifyDevice, type Send } from './identify.js';

export interface TcpDiscoveryTarget {
  readonly host: string;
  readonly port?: number;
  readonly unit?: number;
}

export type DiscoveryRequest =
  | { readonly kind: 'tcp'; readonly targets: readonly TcpDiscoveryTarget[]; readonly timeoutMs?: number }
  | { readonly kind: 'serial'; readonly line: string; readonly first?: number; readonly last?: number };

export interface DiscoveredDevice {
  readonly location: DeviceLocation;
  readonly identity: DeviceIdentity | undefined;
  readonly models: string[];
  readonly via: Identification['via'];
  /** The configured device already at this location, if any. */
  readonly deviceId: number | undefined;
}

export interface DiscoveryState {
  readonly id: string;
  readonly kind: 'tcp' | 'serial';
  readonly state: 'running' | 'done' | 'cancelled' | 'failed';
  readonly total: number;
  readonly done: number;
  readonly startedAt: number;
  readonly finishedAt: number | null;
  readonly error: string | null;
  readonly results: readonly DiscoveredDevice[];
}

/** A short-lived connection to one TCP location. */
export interface TcpProbe {
  readonly send: Send;
  close(): void;
}

export interface DiscoveryContext {
  readonly log: Logger;
  readonly clock: Clock;
  readonly models: ModelMatcher;
  readonly serialLine: (name: string) => SerialLineTarget | undefined;
  readonly configured: () => readonly DeviceConfig[];
  /** The shared TCP connections (one per endpoint): a probe of a device already connected reuses its connection. */
  readonly tcpMasters?: TcpMasterPool;
  readonly openTcp?: (location: TcpLocation, signal: AbortSignal) => TcpProbe;
  readonly onProgress?: (state: DiscoveryState) => void;
}

export const MAX_TCP_TARGETS = 256;
const TCP_CONCURRENCY = 8;

function defaultOpenTcp(ctx: DiscoveryContext) {
  const pool = ctx.tcpMasters ?? new TcpMasterPool({ log: ctx.log, clock: ctx.clock });
  return (loc: TcpLocation, signal: AbortSignal): TcpProbe => {
    const lease = pool.acquire(loc.host, loc.port, { oneInFlight: loc.oneInFlight });
    const send: Send = (pdu) =>
      lease.master.request({
        unitId: loc.unit,
        pdu,
        request: undefined,
        signal,
        timeoutMs: loc.timeoutMs,
        priority: 'low',
      });
    return { send, close: () => lease.release() };
  };
}

function checkRequest(req: DiscoveryRequest): void {
  const bad = (m: string) => new WattgateError(ErrorCodes.INVALID_ARGUMENT, m);
  if (req.kind === 'tcp') {
    if (req.targets.length === 0 || req.targets.length > MAX_TCP_TARGETS)
      throw bad(`1 to ${MAX_TCP_TARGETS} TCP targets`);
    return;
  }
  const first = req.first ?? 1;
  const last = req.last ?? 247;
  if (!(first >= 1 && last <= 247 && first <= last))
    throw bad('serial addresses must be 1 ≤ first ≤ last ≤ 247');
}

export class DiscoveryRunner {
  readonly #ctx: DiscoveryContext;
  #state: DiscoveryState | undefined;
  #abort: AbortController | undefined;
  #job: Promise<void> | undefined;

  constructor(ctx: DiscoveryContext) {
    this.#ctx = ctx;
  }

  current(): DiscoveryState | undefined {
    return this.#state;
  }

  /** Starts a discovery; CONFLICT while another runs. Returns its first state. */
  start(req: DiscoveryRequest): DiscoveryState {
    if (this.#state?.state === 'running') {
      throw new WattgateError(ErrorCodes.CONFLICT, 'a discovery is already running');
    }
    checkRequest(req);
    if (req.kind === 'serial' && !this.#ctx.serialLine(req.line)) {
      throw new WattgateError(ErrorCodes.NOT_FOUND, `serial line "${req.line}" is not available`);
    }
    const total = req.kind === 'tcp' ? req.targets.length : (req.last ?? 247) - (req.first ?? 1) + 1;
    const abort = new AbortController();
    this.#abort = abort;
    const now = this.#ctx.clock.now();
    const base = { id: randomUUID(), kind: req.kind, total, startedAt: now } as const;
    this.#state = { ...base, state: 'running', done: 0, finishedAt: null, error: null, results: [] };
    this.#job = this.#run(req, abort.signal);
    return this.#state;
  }

  cancel(): boolean {
    if (this.#state?.state !== 'running') return false;
    this.#abort?.abort();
    return true;
  }

  /** Cancels a running discovery and waits for it to end. */
  async stop(): Promise<void> {
    this.cancel();
    await this.#job;
  }

  async #run(req: DiscoveryRequest, signal: AbortSignal): Promise<void> {
    try {
      if (req.kind === 'tcp') await this.#tcp(req.targets, req.timeoutMs ?? 1000, signal);
      else await this.#serial(req.line, req.first ?? 1, req.last ?? 247, signal);
      this.#finish(signal.aborted ? 'cancelled' : 'done', null);
    } catch (e) {
      this.#ctx.log.warn({ err: e }, 'discovery failed');
      this.#finish('failed', (e as Error).message);
    }
  }

  #finish(state: 'done' | 'cancelled' | 'failed', error: string | null): void {
    if (!this.#state) return;
    this.#state = { ...this.#state, state, error, finishedAt: this.#ctx.clock.now() };
    this.#ctx.onProgress?.(this.#state);
  }

  #progress(found: DiscoveredDevice | undefined): void {
    if (!this.#state) return;
    const results = found ? [...this.#state.results, found] : this.#state.results;
    this.#state = { ...this.#state, done: this.#state.done + 1, results };
    this.#ctx.onProgress?.(this.#state);
  }

  #found(location: DeviceLocation, id: Identification): DiscoveredDevice | undefined {
    if (!id.present) return undefined;
    const key = locationKey(location);
    const existing = this.#ctx.configured().find((d) => locationKey(d.location) === key);
    return { location, identity: id.identity, models: id.models, via: id.via, deviceId: existing?.id };
  }

  async #tcp(targets: readonly TcpDiscoveryTarget[], timeoutMs: number, signal: AbortSignal): Promise<void> {
    const open = this.#ctx.openTcp ?? defaultOpenTcp(this.#ctx);
    let next = 0;
    const worker = async () => {
      while (next < targets.length && !signal.aborted) {
        const t = targets[next++] as TcpDiscoveryTarget;
        const location = {
          kind: 'tcp',
          host: t.host,
          port: t.port ?? 502,
          unit: t.unit ?? 255,
          timeoutMs,
          oneInFlight: false,
        } as const;
        const probe = open(location, signal);
        try {
          const id = await identifyDevice(probe.send, this.#ctx.models, { probeWhenSilent: true });
          this.#progress(signal.aborted ? undefined : this.#found(location, id));
        } finally {
          probe.close();
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(TCP_CONCURRENCY, targets.length) }, worker));
  }

  async #serial(line: string, first: number, last: number, signal: AbortSignal): Promise<void> {
    for (let slave = first; slave <= last && !signal.aborted; slave++) {
      const target = this.#ctx.serialLine(line);
      if (!target) throw new WattgateError(ErrorCodes.UNAVAILABLE, `serial line "${line}" went away`);
      const send: Send = (pdu) => target.request(slave, pdu, { priority: 'low', signal });
      const id = await identifyDevice(send, this.#ctx.models);
      this.#progress(signal.aborted ? undefined : this.#found({ kind: 'serial', line, slave }, id));
    }
  }
}
