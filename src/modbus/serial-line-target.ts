/**
 * A serial line as a UnitTarget and Part (PRODUCT G2, G4, G5, G8):
 * `createSerialLineTarget(cfg, { log, clock, events })`, one per
 * `modbus.serialLines[i]`, serving its `unitIds` transparently: unit X goes to
 * slave X with the request PDU byte-identical; the reply PDU comes back (the
 * router adds the upstream transaction id). All the line's rules are the RTU
 * master's (rtu-master.ts): one queue, t3.5, retries, dead-slave back-off.
 *
 * Transport (`cfg.transport`):
 * - 'serial': the local device `cfg.path` (transport/serial-line.ts), reopened
 *   with back-off when it disappears;
 * - 'rtu-over-tcp': a serial device server at `cfg.host:cfg.port` that passes
 *   raw RTU frames (CRC included) over TCP (transport/tcp-client.ts, reconnect
 *   with back-off). Same master, same framing; `baud` still sets the timing of
 *   the silences and of the end of the request on the wire (the serial side
 *   of the device server), parity and stop bits are the device server's.
 *
 * `cfg.enabled === false`: nothing is opened, every request → 0x0A.
 * Hooks: `request(unit, pdu, { priority: 'low' })` for the poller and
 * discovery, `broadcast(pdu)` for unit 0 (serial-broadcast.ts). Upstream
 * requests (`handle`) carry their connection (`source`) as the queue's
 * `client`, so one connection's backlog cannot hold back another's requests.
 *
 * `stats` (RtuMasterStats, rtu-contract.ts): the line's counters and live
 * state, for the Diagnostics page and Prometheus, including the dead-slave
 * back-off: `backedOffSlaves` (units failing fast now), `slaveBackoff` (per
 * slave: since, until, remainingMs, periods, probing, probeDue,
 * lastProbe), `lastProbe`
 * (the line's last probe: unit, at, result) and the counters `backedOff`,
 * `slaveBackoffs`, `probes`, `probesAnswered`; `unitStats(unit)` per slave.
 * A disabled line reports zeros.
 */
import type { SerialLineConfig } from '../config/schema.js';
import type { Clock } from '../shared/clock.js';
import { ErrorCodes, WattgateError } from '../shared/errors.js';
import type { Part } from '../shared/lifecycle.js';
import type { Logger } from '../shared/logger.js';
import type { BackoffOptions } from '../transport/backoff.js';
import { SerialLine } from '../transport/serial-line.js';
import { TcpClient } from '../transport/tcp-client.js';
import {
  type RtuLink,
  RtuMaster,
  type RtuMasterOptions,
  type RtuMasterStats,
  type RtuRequestOptions,
} from './rtu-master.js';
import type { TargetRequest, UnitTarget } from './target.js';
import { UnitCounters, type UnitCounts } from './unit-counters.js';

export interface SerialLineTarget extends UnitTarget, Part {
  readonly kind: 'serial-line';
  readonly config: SerialLineConfig;
  readonly stats: RtuMasterStats;
  /** One slave's counters (unit-counters.ts); zeros on a disabled line. */
  unitStats(unit: number): UnitCounts;
  /** One transaction with a slave of this line; the poller passes `priority: 'low'`. */
  request(unit: number, pdu: Uint8Array, options?: RtuRequestOptions): Promise<Uint8Array>;
  /** A unit-0 write on this line; resolves once it has left the wire. */
  broadcast(pdu: Uint8Array, options?: RtuRequestOptions): Promise<void>;
}

export interface SerialLineTargetContext {
  readonly log: Logger;
  readonly clock: Clock;
}

export interface SerialLineTargetOptions {
  readonly master?: RtuMasterOptions;
  readonly backoff?: BackoffOptions;
}

export type SerialLineTargetFactory = (
  cfg: SerialLineConfig,
  ctx: SerialLineTargetContext,
) => SerialLineTarget;

export function createSerialLineTarget(
  cfg: SerialLineConfig,
  ctx: SerialLineTargetContext,
  options: SerialLineTargetOptions = {},
): SerialLineTarget {
  return new SerialLineUnitTarget(cfg, ctx, options);
}

/** The link a line's configuration asks for. */
export function createRtuLink(
  cfg: SerialLineConfig,
  ctx: SerialLineTargetContext,
  backoff?: BackoffOptions,
): RtuLink {
  const name = `serial-line ${cfg.name}`;
  if (cfg.transport === 'rtu-over-tcp') {
    const client = new TcpClient(ctx, {
      host: cfg.host ?? '',
      port: cfg.port,
      name,
      ...(backoff === undefined ? {} : { backoff }),
    });
    return {
      get state() {
        return client.state;
      },
      start: () => client.start(),
      close: () => client.close(),
      onConnection: (fn) => client.onConnection(fn),
      onConnectFailed: (fn) => client.events.on('connect-failed', () => fn()),
    };
  }
  const { path, baud, parity, stopBits } = cfg;
  const line = new SerialLine(ctx, {
    path,
    baud,
    parity,
    stopBits,
    name,
    ...(backoff === undefined ? {} : { backoff }),
  });
  return {
    get state() {
      return line.state;
    },
    start: () => line.start(),
    close: () => line.close(),
    onConnection: (fn) => line.onConnection(fn),
    onConnectFailed: (fn) => line.events.on('connect-failed', () => fn()),
  };
}

class SerialLineUnitTarget implements SerialLineTarget {
  readonly kind = 'serial-line' as const;
  readonly name: string;
  readonly config: SerialLineConfig;
  readonly #master: RtuMaster | undefined;

  constructor(cfg: SerialLineConfig, ctx: SerialLineTargetContext, options: SerialLineTargetOptions) {
    this.name = cfg.name;
    this.config = cfg;
    if (!cfg.enabled) return;
    const log = ctx.log.child({ component: 'rtu-master', line: cfg.name });
    const link = createRtuLink(cfg, { log, clock: ctx.clock }, options.backoff);
    this.#master = new RtuMaster({ log, clock: ctx.clock }, link, { ...cfg, name: cfg.name }, options.master);
  }

  get stats(): RtuMasterStats {
    return this.#master?.stats ?? DISABLED_STATS;
  }

  unitStats(unit: number): UnitCounts {
    return this.#master?.unitStats(unit) ?? NO_UNITS.get(unit);
  }

  start(): void {
    this.#master?.start();
  }

  stop(): void {
    this.#master?.stop();
  }

  /** Upstream requests: high priority, shared in turn between upstream connections (`client`). */
  handle(req: TargetRequest): Promise<Uint8Array> {
    return this.request(req.unitId, req.pdu, { signal: req.signal, client: req.source });
  }

  request(unit: number, pdu: Uint8Array, options: RtuRequestOptions = {}): Promise<Uint8Array> {
    if (this.#master === undefined) return Promise.reject(disabled(this.name));
    return this.#master.request(unit, pdu, options);
  }

  broadcast(pdu: Uint8Array, options: RtuRequestOptions = {}): Promise<void> {
    if (this.#master === undefined) return Promise.reject(disabled(this.name));
    return this.#master.broadcast(pdu, options);
  }
}

const disabled = (name: string) => new WattgateError(ErrorCodes.UNAVAILABLE, `${name}: line disabled`);

const NO_UNITS = new UnitCounters();

const DISABLED_STATS: RtuMasterStats = {
  requests: 0,
  responses: 0,
  timeouts: 0,
  crcErrors: 0,
  corruptFailures: 0,
  retries: 0,
  badReplies: 0,
  busy: 0,
  aborted: 0,
  expired: 0,
  backedOff: 0,
  unavailable: 0,
  broadcasts: 0,
  maxQueueDepth: 0,
  slaveBackoffs: 0,
  probes: 0,
  probesAnswered: 0,
  sent: 0,
  wrongAddress: 0,
  garbageBytes: 0,
  lateBytes: 0,
  queueDepth: 0,
  inFlight: 0,
  open: false,
  backedOffSlaves: [],
  slaveBackoff: [],
  lastProbe: null,
};
