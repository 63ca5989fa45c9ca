/**
 * The parts of a running Wattgate and how they are wired (the composition
 * root's list, ARCHITECTURE "only app wires concrete parts"): each gets its
 * context object with its configuration slice; cross-part seams are plain
 * functions passed here (the gateway's unit 255 asks the wireless part for its
 * list and the inputs part for its registers; the wireless part hands its
 * virtual servers to the gateway's router; security events go to the audit
 * log; the model catalog serves acquisition, wireless and the API). Start
 * order: audit (first, so it records everything and stops last), history
 * (stops after acquisition: the last samples are flushed), inputs, wireless,
 * gateway, acquisition, web.
 */
import { createSimulatorDriver } from '../sim/wireless/radio.js';
import type { AcquisitionEvents } from './acquisition/events.js';
import { createAcquisition } from './acquisition/part.js';
import { configView } from './config/index.js';
import { configService } from './config/service.js';
import type { AppContext } from './core/context.js';
import { dataPath } from './core/data-dir.js';
import { wattgateIdentity } from './core/identity.js';
import { customModelsDir, ModelCatalog } from './devices/models/index.js';
import { createHistoryPart, type HistoryEvents } from './history/part.js';
import { inputCounterFile } from './inputs/counter-file.js';
import type { InputsEvents } from './inputs/events.js';
import { createInputsPart } from './inputs/part.js';
import { modbusDiagnostics } from './modbus/diagnostics.js';
import type { ModbusEvents } from './modbus/events.js';
import { createGateway } from './modbus/gateway.js';
import { createSerialLineTarget } from './modbus/serial-line-target.js';
import { createPooledTcpDeviceTarget } from './modbus/tcp-device.js';
import { TcpMasterPool } from './modbus/tcp-pool.js';
import { createAuditPart } from './security/audit/part.js';
import { TypedEvents } from './shared/events.js';
import { HealthBoard } from './shared/health.js';
import type { Part } from './shared/lifecycle.js';
import { LoopMonitor, threadStats } from './shared/process-stats.js';
import { createWebHost } from './webhost/host.js';
import type { WirelessEvents } from './wireless/events.js';
import { createWirelessPart } from './wireless/part.js';

/** Time for the restart request's answer to reach the browser before the web server stops. */
const RESTART_DELAY_MS = 250;

export interface DefaultPartsOptions {
  /** Listen on this Modbus port instead of the configured one (0 = ephemeral; tests, benchmarks). */
  modbusPort?: number;
  /** Listen on this HTTPS port instead of the configured one (0 = ephemeral; tests). */
  webPort?: number;
  /** The web worker logs at this level and above (default info). */
  logLevel?: string;
  /** Use this health board instead of a new one (a caller that reads or raises conditions itself). */
  health?: HealthBoard;
  /** Use these event channels instead of new ones (a caller that publishes or listens itself). */
  channels?: Partial<PartChannels>;
}

/** The event channels between the parts: one per publishing part, typed by its own events. */
export interface PartChannels {
  modbus: TypedEvents<ModbusEvents>;
  inputs: TypedEvents<InputsEvents>;
  wireless: TypedEvents<WirelessEvents>;
  acquisition: TypedEvents<AcquisitionEvents>;
  history: TypedEvents<HistoryEvents>;
}

/** History alarms that make the whole Wattgate degraded (its storage is failing or nearly full). */
const STORAGE_ALARMS: ReadonlySet<string> = new Set(['disk-low', 'write-failed', 'buffer-full']);

/** The parts of a running Wattgate, in start order. */
export function defaultParts(ctx: AppContext, opts: DefaultPartsOptions = {}): Part[] {
  const view = <K extends Parameters<typeof configView>[1]>(section: K) => configView(ctx.config, section);
  // One channel per publishing part, typed by that part's own events.
  const channel = <M extends object>() =>
    new TypedEvents<M>((event, error) =>
      ctx.log.error({ err: error, event: String(event) }, 'event listener failed'),
    );
  const given = opts.channels ?? {};
  const modbusEvents = given.modbus ?? channel<ModbusEvents>();
  const inputsEvents = given.inputs ?? channel<InputsEvents>();
  const wirelessEvents = given.wireless ?? channel<WirelessEvents>();
  const acquisitionEvents = given.acquisition ?? channel<AcquisitionEvents>();
  const historyEvents = given.history ?? channel<HistoryEvents>();
  // Storage failing, a disk nearly full, the web thread restarting: unit 255 register 159 and /api/v1/health.
  const health = opts.health ?? new HealthBoard(ctx.clock);
  historyEvents.on('history.alarm', (a) => {
    if (STORAGE_ALARMS.has(a.kind)) health.set(`history.${a.kind}`, a.active, a.message);
  });
  const audit = createAuditPart({
    log: ctx.log,
    clock: ctx.clock,
    sources: { app: ctx.events, modbus: modbusEvents, inputs: inputsEvents },
    config: ctx.config,
    audit: view('audit'),
    onNotice: (n) => {
      if (n.type === 'write-failed')
        health.set(
          'audit.write-failed',
          true,
          `audit log writes fail (${n.error}); ${n.pending} records wait in memory`,
        );
      if (n.type === 'write-recovered')
        health.set('audit.write-failed', false, 'audit log writes succeed again');
    },
    dbPath: dataPath(ctx.dataDir, 'auditDb'),
    keyPath: dataPath(ctx.dataDir, 'auditKey'),
  });
  const models = ModelCatalog.open({
    customDir: customModelsDir(ctx.dataDir),
    log: ctx.log.child({ component: 'models' }),
  });
  const identity = wattgateIdentity(ctx);
  // One Modbus TCP connection per downstream endpoint, shared by the gateway and the poller (tcp-pool.ts).
  const tcpMasters = new TcpMasterPool({ log: ctx.log.child({ component: 'tcp' }), clock: ctx.clock });
  const inputs = createInputsPart({
    log: ctx.log,
    clock: ctx.clock,
    events: inputsEvents,
    config: view('inputs'),
    store: inputCounterFile(dataPath(ctx.dataDir, 'inputCounters'), ctx.log.child({ component: 'inputs' })),
  });
  const wireless = createWirelessPart({
    log: ctx.log,
    clock: ctx.clock,
    events: wirelessEvents,
    config: view('wireless'),
    modbus: view('modbus'),
    devices: view('devices'),
    models,
    createDriver: (_kind, c) => createSimulatorDriver(c),
    saveDevices: (next, by) => {
      ctx.config.update('devices', next, by);
    },
    panel: identity,
  });
  const gateway = createGateway(
    {
      log: ctx.log,
      clock: ctx.clock,
      events: modbusEvents,
      modbus: view('modbus'),
      networks: view('networks'),
      devices: view('devices'),
      identity,
      health: () => health.code(),
      createDeviceTarget: (cfg) => createPooledTcpDeviceTarget(cfg, tcpMasters),
      createSerialLineTarget: (cfg, c) => createSerialLineTarget(cfg, c),
      wirelessList: () => wireless.list(),
      digitalInputs: inputs,
    },
    opts.modbusPort === undefined ? {} : { portOverride: opts.modbusPort },
  );
  wireless.onTargetsChanged(() => gateway.setWirelessTargets(wireless.targets()));
  gateway.setWirelessTargets(wireless.targets());
  const acquisition = createAcquisition({
    log: ctx.log,
    clock: ctx.clock,
    events: acquisitionEvents,
    devices: view('devices'),
    acquisition: view('acquisition'),
    saveDevices: (next, by) => {
      ctx.config.update('devices', next, by);
    },
    models,
    serialLines: () => gateway.serialLines(),
    tcpMasters,
  });
  models.onChange(() => acquisition.refreshModels());
  // A wireless frame's values are the device's newest readings (Monitoring, GET …/values).
  wirelessEvents.on('wireless.readings', (e) => acquisition.noteWireless(e.rfId, e.t, e.readings));
  const history = createHistoryPart({
    log: ctx.log,
    clock: ctx.clock,
    events: historyEvents,
    config: view('history'),
    devices: view('devices'),
    inputs: view('inputs'),
    models,
    modelsChanged: (fn) => models.onChange(fn),
    path: dataPath(ctx.dataDir, 'historyDb'),
  });
  // Every source's periodic samples → history (THE reading shape, devices/reading.ts).
  acquisitionEvents.on('acquisition.samples', history.record);
  wirelessEvents.on('wireless.samples', history.record);
  inputsEvents.on('inputs.samples', history.record);
  const usedBy = (id: string) =>
    ctx.config
      .section('devices')
      .list.filter((d) => d.model === id)
      .map((d) => d.name);
  // The HTTPS server runs in a worker thread at a lower priority (webhost/): it reaches these through Rpc.
  // The main thread's event-loop delay, for Diagnostics (shared/process-stats.ts).
  const loop = new LoopMonitor(ctx.clock);
  const monitor: Part = { name: 'loop-monitor', start: () => loop.start(), stop: () => loop.stop() };
  const web = createWebHost({
    log: ctx.log,
    clock: ctx.clock,
    dataDir: ctx.dataDir,
    version: ctx.version,
    installation: ctx.installation,
    config: ctx.config,
    logLevel: opts.logLevel ?? (ctx.log as { level?: string }).level ?? 'info',
    services: {
      devices: acquisition,
      wireless,
      models,
      usedBy,
      history: history.store,
      health,
      modbus: {
        diagnostics: () => modbusDiagnostics(gateway, tcpMasters, ctx.config.section('devices').list),
      },
      config: configService(ctx.config),
      process: { stats: () => threadStats(loop) },
      // After the answer has left the web thread: the runner (cli/serve.ts) stops this app and starts a new one.
      system: {
        restart: (by) =>
          void setTimeout(() => ctx.events.emit('app.restart-requested', by), RESTART_DELAY_MS),
      },
    },
    ...(opts.webPort === undefined ? {} : { portOverride: opts.webPort }),
  });
  return [monitor, audit, history, inputs, wireless, gateway, acquisition, web];
}
