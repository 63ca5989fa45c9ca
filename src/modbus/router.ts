/**
 * The Modbus router (PRODUCT G2–G4, G8, G10; SECURITY H2): validates every
 * upstream request, applies the function-code rules, then hands it to the one
 * target that owns its unit id. It never rejects: the answer is a response
 * PDU, or undefined when nothing must be sent (the client went away).
 *
 * Rules, in order, for every request:
 * 1. `decodeRequest`: FC 0 and FC ≥ 0x80 → 01; a malformed known request
 *    (length, quantity, byte count → 03; address overflow → 02) is answered
 *    here and never reaches a target.
 * 2. A request the codec does not interpret ("raw": unknown codes 1–127, FC 43
 *    with another MEI type, FC 100 with another sub-code) is forwarded
 *    unchanged, or answered 01 when `unknownFunctionCodes` is 'reject'.
 * 3. Read-only units (G10, `readOnlyUnits`): the write codes 5, 6, 15, 16, 21,
 *    22, 23 (codec `WRITE_FUNCTION_CODES`) → 01, and so is every raw request,
 *    whose effect cannot be known. FC 8 (diagnostics), 17, 43 and 100-4 are
 *    not writes and pass.
 * 4. Unit 0, broadcast (G8): non-write codes → 01. Writes go to every serial
 *    line with `broadcast: true` without waiting for a reply
 *    (serial-broadcast.ts); none → 0x0A.
 * 5. Owner lookup, precedence 255 → wireless virtual ids (seam:
 *    `setWirelessTargets`) → TCP device virtual ids → serial-line unit ids (the
 *    line's target from `createSerialLineTarget`). No owner → 0x0A.
 * 6. Target errors map through `exceptionForError` (timeout 0x0B, busy 0x06,
 *    unavailable 0x0A, aborted → no answer, other → 04). A target answer
 *    that is not a 1–253 byte PDU → 04.
 *
 * The routing table comes from `RouterConfig` (routes.ts builds it from the
 * `modbus` section and the devices that have a virtual id).
 *
 * Live reconfiguration (`apply`): the table is rebuilt; a TCP device or a
 * serial line whose configuration is unchanged keeps its target (and its
 * connection, open port and queue). Requests in
 * flight finish on the target they were dispatched to; a removed or changed
 * target is stopped once its in-flight requests settle (bounded by its own
 * timeout). New targets start before `apply` resolves.
 */
import type { ModbusServerConfig, SerialLineConfig } from '../config/schema.js';
import {
  decodeRequest,
  ExceptionCodes,
  encodeException,
  type ModbusRequest,
  WRITE_FUNCTION_CODES,
} from '../protocol/modbus/index.js';
import type { Clock } from '../shared/clock.js';
import type { Part } from '../shared/lifecycle.js';
import type { Logger } from '../shared/logger.js';
import { GATEWAY_UNIT_ID } from './gateway-unit.js';
import { SerialBroadcastTarget } from './serial-broadcast.js';
import type { SerialLineTarget, SerialLineTargetFactory } from './serial-line-target.js';
import { exceptionForError, type UnitTarget } from './target.js';
import type { TcpDeviceConfig } from './tcp-device.js';

export const BROADCAST_UNIT_ID = 0;

/** The context a downstream device target is built with (convention 8). */
export interface DeviceTargetContext {
  readonly log: Logger;
  readonly clock: Clock;
}

export type DeviceTargetFactory = (cfg: TcpDeviceConfig, ctx: DeviceTargetContext) => UnitTarget & Part;

export interface RouterContext {
  readonly log: Logger;
  readonly clock: Clock;
}

export interface RouterOptions {
  readonly gatewayUnit: UnitTarget;
  readonly createDeviceTarget: DeviceTargetFactory;
  /** Builds one target per serial line (serial-line-target.ts). */
  readonly createSerialLineTarget: SerialLineTargetFactory;
}

/** What the routing table is built from (routes.ts). */
export interface RouterConfig {
  readonly server: ModbusServerConfig;
  readonly serialLines: readonly SerialLineConfig[];
  /** Downstream TCP devices by virtual id (the enabled devices with a TCP location and a virtual id). */
  readonly tcpDevices: readonly TcpDeviceConfig[];
}

export interface RouteRequest {
  readonly unitId: number;
  readonly pdu: Uint8Array;
  readonly signal: AbortSignal;
  readonly source: string;
}

interface TargetEntry {
  readonly key: string;
  readonly target: UnitTarget & Part;
  /** Requests dispatched to this target and not settled yet. */
  inflight: number;
  /** Set while retiring: called when `inflight` drops to 0. */
  drained: (() => void) | undefined;
  started: boolean;
}

interface Rules {
  readonly forwardUnknown: boolean;
  readonly readOnly: ReadonlySet<number>;
}

const rulesOf = (s: ModbusServerConfig): Rules => ({
  forwardUnknown: s.unknownFunctionCodes !== 'reject',
  readOnly: new Set(s.readOnlyUnits),
});

const exception = (fc: number, code: number): Uint8Array => encodeException(fc & 0xff, code);

export class ModbusRouter implements Part {
  readonly name = 'modbus-router';
  readonly #ctx: RouterContext;
  readonly #opts: RouterOptions;
  #rules: Rules;
  #devices = new Map<number, TargetEntry>();
  /** Serial lines by name, and their unit ids. */
  #lines = new Map<string, TargetEntry>();
  #serial = new Map<number, TargetEntry>();
  readonly #broadcast: UnitTarget;
  #wireless: ReadonlyMap<number, UnitTarget> = new Map();
  readonly #retiring = new Set<TargetEntry>();
  #running = false;

  constructor(ctx: RouterContext, config: RouterConfig, opts: RouterOptions) {
    this.#ctx = ctx;
    this.#opts = opts;
    this.#rules = rulesOf(config.server);
    this.#broadcast = new SerialBroadcastTarget(() => this.#lineTargets());
    this.#rebuild(config);
  }

  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    await this.#startPending();
  }

  /** Stops every target at once (in-flight requests are abandoned by their targets). */
  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    const entries = [...this.#devices.values(), ...this.#lines.values(), ...this.#retiring];
    await Promise.all(entries.map((e) => this.#stopEntry(e)));
  }

  /** Applies a new `modbus` section: rules at once, targets rebuilt (see the header). */
  async apply(config: RouterConfig): Promise<void> {
    this.#rules = rulesOf(config.server);
    const removed = this.#rebuild(config);
    for (const entry of removed) this.#retire(entry);
    if (this.#running) await this.#startPending();
  }

  /** Seam for the wireless registry (later issue): virtual id → its virtual server. */
  setWirelessTargets(targets: ReadonlyMap<number, UnitTarget>): void {
    this.#wireless = new Map(targets);
  }

  /** The owner of a unit id, by precedence (G2); undefined = no route. */
  targetFor(unitId: number): UnitTarget | undefined {
    if (unitId === GATEWAY_UNIT_ID) return this.#opts.gatewayUnit;
    return (
      this.#wireless.get(unitId) ?? this.#devices.get(unitId)?.target ?? this.#serial.get(unitId)?.target
    );
  }

  /** The serial line targets in use (stats, the poller later). */
  serialLines(): SerialLineTarget[] {
    return this.#lineTargets();
  }

  /**
   * Answers one upstream request; never rejects. Not an async function: one
   * promise per request (the target's, chained once), no per-request closure
   * beyond the two settle callbacks.
   */
  route(req: RouteRequest): Promise<Uint8Array | undefined> {
    const fc = req.pdu[0] ?? 0;
    const decoded = decodeRequest(req.pdu);
    if (!decoded.ok) return Promise.resolve(exception(decoded.functionCode, decoded.exception));
    const request = decoded.request.kind === 'raw' ? undefined : decoded.request;
    const refusal = this.#refusal(req.unitId, fc, request);
    if (refusal !== undefined) return Promise.resolve(exception(fc, refusal));
    const target = req.unitId === BROADCAST_UNIT_ID ? this.#broadcast : this.targetFor(req.unitId);
    if (target === undefined) return Promise.resolve(exception(fc, ExceptionCodes.GATEWAY_PATH_UNAVAILABLE));
    const owner = this.#devices.get(req.unitId) ?? this.#serial.get(req.unitId);
    const entry = owner?.target === target ? owner : undefined;
    let work: Promise<Uint8Array>;
    try {
      const { unitId, pdu, signal, source } = req;
      work = target.handle({ unitId, pdu, request, signal, source });
    } catch (error) {
      work = Promise.reject(error);
    }
    if (entry === undefined) {
      return work.then(
        (answer) => this.#checked(target, fc, answer),
        (error: unknown) => this.#failed(target, fc, error),
      );
    }
    entry.inflight++;
    return work.then(
      (answer) => {
        this.#settled(entry);
        return this.#checked(target, fc, answer);
      },
      (error: unknown) => {
        this.#settled(entry);
        return this.#failed(target, fc, error);
      },
    );
  }

  /** Rules 2–4 of the header; an exception code, or undefined to go on. */
  #refusal(unitId: number, fc: number, request: ModbusRequest | undefined): number | undefined {
    const raw = request === undefined;
    if (raw && !this.#rules.forwardUnknown) return ExceptionCodes.ILLEGAL_FUNCTION;
    const write = WRITE_FUNCTION_CODES.has(fc);
    if (this.#rules.readOnly.has(unitId) && (write || raw)) return ExceptionCodes.ILLEGAL_FUNCTION;
    if (unitId === BROADCAST_UNIT_ID && !write) return ExceptionCodes.ILLEGAL_FUNCTION;
    return undefined;
  }

  /** Rule 6: a target's answer must be a 1–253 byte PDU, else 0x04. */
  #checked(target: UnitTarget, fc: number, answer: unknown): Uint8Array {
    if (answer instanceof Uint8Array && answer.length >= 1 && answer.length <= 253) return answer;
    this.#ctx.log.error({ target: target.name, fc }, 'target answered an invalid PDU');
    return exception(fc, ExceptionCodes.SERVER_DEVICE_FAILURE);
  }

  /** Rule 6: a target's error mapped to its exception (undefined: answer nothing). */
  #failed(target: UnitTarget, fc: number, error: unknown): Uint8Array | undefined {
    const code = exceptionForError(error);
    if (code === undefined) return undefined;
    if (code === ExceptionCodes.SERVER_DEVICE_FAILURE)
      this.#ctx.log.error({ err: error, target: target.name, fc }, 'target failed');
    return exception(fc, code);
  }

  /** One request of `entry` settled; a retiring entry stops once none is left. */
  #settled(entry: TargetEntry): void {
    entry.inflight--;
    if (entry.inflight === 0) entry.drained?.();
  }

  /** Replaces the tables; returns the entries no longer used. */
  #rebuild(config: RouterConfig): TargetEntry[] {
    const oldDevices = this.#devices;
    const oldLines = this.#lines;
    this.#devices = this.#rebuildDevices(config.tcpDevices, oldDevices);
    this.#lines = this.#rebuildLines(config.serialLines, oldLines);
    const serial = new Map<number, TargetEntry>();
    for (const line of config.serialLines) {
      const entry = this.#lines.get(line.name);
      if (entry) for (const id of line.unitIds) if (!serial.has(id)) serial.set(id, entry);
    }
    this.#serial = serial;
    const used = new Set([...this.#devices.values(), ...this.#lines.values()]);
    return [...oldDevices.values(), ...oldLines.values()].filter((e) => !used.has(e));
  }

  #rebuildDevices(cfgs: readonly TcpDeviceConfig[], old: Map<number, TargetEntry>): Map<number, TargetEntry> {
    const next = new Map<number, TargetEntry>();
    for (const cfg of cfgs) {
      const key = JSON.stringify(cfg);
      const kept = old.get(cfg.virtualId);
      if (kept?.key === key) {
        next.set(cfg.virtualId, kept);
        continue;
      }
      const log = this.#ctx.log.child({ device: cfg.name });
      const target = this.#opts.createDeviceTarget(cfg, { log, clock: this.#ctx.clock });
      next.set(cfg.virtualId, { key, target, inflight: 0, drained: undefined, started: false });
    }
    return next;
  }

  #rebuildLines(cfgs: readonly SerialLineConfig[], old: Map<string, TargetEntry>): Map<string, TargetEntry> {
    const next = new Map<string, TargetEntry>();
    const factory = this.#opts.createSerialLineTarget;
    for (const cfg of cfgs) {
      const key = JSON.stringify(cfg);
      const kept = old.get(cfg.name);
      if (kept?.key === key) {
        next.set(cfg.name, kept);
        continue;
      }
      const log = this.#ctx.log.child({ line: cfg.name });
      const target = factory(cfg, { log, clock: this.#ctx.clock });
      next.set(cfg.name, { key, target, inflight: 0, drained: undefined, started: false });
    }
    return next;
  }

  #lineTargets(): SerialLineTarget[] {
    const out: SerialLineTarget[] = [];
    for (const e of this.#lines.values()) if (isSerialLineTarget(e.target)) out.push(e.target);
    return out;
  }

  async #startPending(): Promise<void> {
    const pending = [...this.#devices.values(), ...this.#lines.values()].filter((e) => !e.started);
    await Promise.all(
      pending.map(async (e) => {
        e.started = true;
        try {
          await e.target.start();
        } catch (error) {
          this.#ctx.log.error({ err: error, target: e.target.name }, 'device target failed to start');
        }
      }),
    );
  }

  /** Stops a removed target once the requests it holds have settled. */
  #retire(entry: TargetEntry): void {
    this.#retiring.add(entry);
    const drained =
      entry.inflight === 0
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            entry.drained = resolve;
          });
    void drained.then(() => this.#stopEntry(entry)).finally(() => this.#retiring.delete(entry));
  }

  async #stopEntry(entry: TargetEntry): Promise<void> {
    if (!entry.started) return;
    entry.started = false;
    try {
      await entry.target.stop();
    } catch (error) {
      this.#ctx.log.warn({ err: error, target: entry.target.name }, 'device target failed to stop');
    }
  }
}

function isSerialLineTarget(t: UnitTarget): t is SerialLineTarget {
  return t.kind === 'serial-line' && 'broadcast' in t && 'config' in t;
}
