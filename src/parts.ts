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
import { createAcquisition } from './acquisition/part.js';
import { createWebServer } from './api/server.js';
import type { DevicesConfig } from './config/schema-devices.js';
import { type AppContext, configView } from './core/context.js';
import { dataPath } from './core/data-dir.js';
import { wattgateIdentity } from './core/identity.js';
import { customModelsDir, ModelCatalog } from './devices/models/index.js';
import { createHistoryPart } from './history/part.js';
import type { SeriesMetaLookup } from './history/recorder.js';
import type { SeriesMeta } from './history/types.js';
import { inputCounterFile } from './inputs/counter-file.js';
import { createInputsPart } from './inputs/part.js';
import { createGateway } from './modbus/gateway.js';
import { createSerialLineTarget } from './modbus/serial-line-target.js';
import { createTcpDeviceTarget } from './modbus/tcp-device.js';
import { createAuditPart } from './security/audit/part.js';
import type { Part } from './shared/lifecycle.js';
import { createWirelessPart } from './wireless/part.js';

export interface DefaultPartsOptions {
  /** Listen on this Modbus port instead of the configured one (0 = ephemeral; tests, benchmarks). */
  modbusPort?: number;
  /** Listen on this HTTPS port instead of the configured one (0 = ephemeral; tests). */
  webPort?: number;
}

/** The parts of a running Wattgate, in start order. */
export function defaultParts(ctx: AppContext, opts: DefaultPartsOptions = {}): Part[] {
  const audit = createAuditPart({
    log: ctx.log,
    clock: ctx.clock,
    events: ctx.events,
    config: ctx.config,
    audit: configView(ctx, 'audit'),
    dbPath: dataPath(ctx.dataDir, 'auditDb'),
    keyPath: dataPath(ctx.dataDir, 'auditKey'),
  });
  const models = ModelCatalog.open({
    customDir: customModelsDir(ctx.dataDir),
    log: ctx.log.child({ component: 'models' }),
  });
  const identity = wattgateIdentity(ctx);
  const inputs = createInputsPart({
    log: ctx.log,
    clock: ctx.clock,
    events: ctx.events,
    config: configView(ctx, 'inputs'),
    store: inputCounterFile(dataPath(ctx.dataDir, 'inputCounters'), ctx.log.child({ component: 'inputs' })),
  });
  const wireless = createWirelessPart({
    log: ctx.log,
    clock: ctx.clock,
    events: ctx.events,
    config: configView(ctx, 'wireless'),
    modbus: configView(ctx, 'modbus'),
    models,
    createDriver: (_kind, c) => createSimulatorDriver(c),
    saveWireless: (next, actor) => {
      ctx.config.update('wireless', next, { actor, actorKind: 'system' });
    },
    panel: identity,
  });
  const gateway = createGateway(
    {
      log: ctx.log,
      clock: ctx.clock,
      events: ctx.events,
      modbus: configView(ctx, 'modbus'),
      networks: configView(ctx, 'networks'),
      identity,
      createDeviceTarget: (cfg, c) => createTcpDeviceTarget(cfg, c),
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
    events: ctx.events,
    devices: configView(ctx, 'devices'),
    acquisition: configView(ctx, 'acquisition'),
    saveDevices: (next, actor) => {
      ctx.config.update('devices', next, { actor });
    },
    models,
    serialLines: () => gateway.serialLines(),
  });
  models.onChange(() => acquisition.refreshModels());
  const history = createHistoryPart({
    log: ctx.log,
    clock: ctx.clock,
    events: ctx.events,
    config: configView(ctx, 'history'),
    devices: configView(ctx, 'devices'),
    path: dataPath(ctx.dataDir, 'historyDb'),
    meta: seriesMetaLookup(ctx, models),
  });
  const usedBy = (id: string) =>
    ctx.config
      .section('devices')
      .list.filter((d) => d.model === id)
      .map((d) => d.name);
  const web = createWebServer({
    log: ctx.log,
    clock: ctx.clock,
    dataDir: ctx.dataDir,
    db: ctx.db,
    web: configView(ctx, 'web'),
    networks: configView(ctx, 'networks'),
    installation: ctx.installation,
    system: configView(ctx, 'system'),
    audit: { audit: audit.log, record: audit.record },
    onSecurityEvent: (e) => audit.recordSecurity(e),
    features: {
      models: {
        catalog: models,
        usedBy,
        audit: (e) =>
          audit.record({
            category: 'config',
            event: e.type,
            actor: { kind: 'account', name: e.actor },
            result: 'success',
            details: { model: e.id },
          }),
      },
      devices: { devices: acquisition },
      history: { history: history.store, timeZone: () => ctx.config.section('system').timezone },
      wireless: { wireless },
    },
    ...(opts.webPort === undefined ? {} : { portOverride: opts.webPort }),
  });
  return [audit, history, inputs, wireless, gateway, acquisition, web];
}

/**
 * Series metadata from the device's configuration and its model's measurement,
 * computed once per series and kept until the `devices` section or the models
 * change (called for every stored reading).
 */
function seriesMetaLookup(ctx: AppContext, models: ModelCatalog): SeriesMetaLookup {
  let devices: unknown;
  let cache = new Map<string, SeriesMeta | undefined>();
  models.onChange(() => {
    cache = new Map();
  });
  return (deviceId, key) => {
    const list = ctx.config.section('devices').list;
    if (list !== devices) {
      devices = list;
      cache = new Map();
    }
    const id = `${deviceId}:${key}`;
    if (!cache.has(id)) cache.set(id, seriesMeta(list, models, deviceId, key));
    return cache.get(id);
  };
}

function seriesMeta(
  list: DevicesConfig['list'],
  models: ModelCatalog,
  deviceId: number,
  key: string,
): SeriesMeta | undefined {
  const d = list.find((x) => x.id === deviceId);
  if (!d) return undefined;
  const m = models.get(d.model)?.measurements.find((x) => x.key === key);
  return {
    name: m ? `${d.name} ${m.name}` : `${d.name} ${key}`,
    device: d.name,
    measurement: key,
    ...(m ? { unit: m.unit, kind: m.kind === 'counter' ? 'counter' : 'gauge' } : {}),
    usage: d.usage,
    zone: d.zone,
  };
}
