/**
 * The audit Part: opens the audit log (its own database and key file in the
 * data directory) when built, so that parts built after it can record through
 * `audit.record(...)`; on start it records `system.started` and subscribes to
 * the application events it audits (configuration commits, Modbus time
 * setting, stop). It is added first, so it stops last and the stop is recorded.
 * A failing audit write never throws into the caller (the log keeps it in
 * memory and retries; SECURITY D4).
 */

import type { AuditConfig } from '../../config/schema-audit.js';
import type { ChangeMeta, ConfigChange, ConfigStore } from '../../config/store.js';
import type { InputsEvents } from '../../inputs/events.js';
import type { ModbusEvents } from '../../modbus/events.js';
import type { Clock } from '../../shared/clock.js';
import type { ConfigView } from '../../shared/config-view.js';
import type { EventSource } from '../../shared/events.js';
import type { AppLifecycleEvents, Part } from '../../shared/lifecycle.js';
import type { Logger } from '../../shared/logger.js';
import type { SecurityEvent } from '../auth-service.js';
import { actorOf, auditFromConfig, auditFromCounterSet, auditFromTimeSet } from './from-app.js';
import { auditFromSecurity } from './from-security.js';
import { type AuditEntry, SYSTEM_ACTOR } from './record.js';
import { type AppendResult, AuditLog, type AuditNotice } from './store.js';

/** The channels whose events are audited (each optional: tests give what they exercise). */
export interface AuditedSources {
  readonly app?: EventSource<AppLifecycleEvents>;
  readonly modbus?: EventSource<ModbusEvents>;
  readonly inputs?: EventSource<InputsEvents>;
}

export interface AuditPartContext {
  log: Logger;
  clock: Clock;
  sources: AuditedSources;
  config: ConfigStore;
  audit: ConfigView<AuditConfig>;
  dbPath: string;
  keyPath: string;
  onNotice?: (n: AuditNotice) => void;
}

export interface AuditPart extends Part {
  readonly log: AuditLog;
  record(entry: AuditEntry): AppendResult | undefined;
  recordSecurity(e: SecurityEvent): void;
}

export function createAuditPart(ctx: AuditPartContext): AuditPart {
  const log = ctx.log.child({ component: 'audit' });
  const store = AuditLog.open({
    dbPath: ctx.dbPath,
    keyPath: ctx.keyPath,
    clock: ctx.clock,
    log,
    settings: () => ctx.audit.get(),
    onNotice: (n) => {
      if (n.type === 'capacity-warning')
        log.warn(n, 'audit log is 80 % full: export it before records are evicted');
      ctx.onNotice?.(n);
    },
  });
  const record = (entry: AuditEntry): AppendResult | undefined => {
    try {
      return store.append(entry);
    } catch (err) {
      log.error({ err, event: entry.event }, 'audit record failed');
      return undefined;
    }
  };
  const offs: Array<() => void> = [];
  return {
    name: 'audit',
    log: store,
    record,
    recordSecurity(e) {
      const entry = auditFromSecurity(e);
      if (entry) record(entry);
    },
    start() {
      const { app, modbus, inputs } = ctx.sources;
      const system = (event: string, details: { version: string } | { reason: string }) =>
        void record({ category: 'system', event, actor: SYSTEM_ACTOR, result: 'info', details });
      offs.push(
        ctx.config.onCommit((change: ConfigChange, meta: ChangeMeta) => {
          for (const entry of auditFromConfig(change, meta)) record(entry);
        }),
      );
      if (modbus) offs.push(modbus.on('modbus.time-set', (e) => void record(auditFromTimeSet(e))));
      if (inputs) offs.push(inputs.on('inputs.counter-set', (e) => void record(auditFromCounterSet(e))));
      if (app) {
        offs.push(
          app.on('app.started', (e) => system('system.started', e)),
          app.on('app.stopping', (e) => system('system.stopping', e)),
          app.on('app.restart-requested', (e) =>
            record({
              category: 'system',
              event: 'system.restart-requested',
              actor: actorOf({ actor: e.actor, actorKind: e.actorKind }),
              source: e.source,
              result: 'success',
              details: {},
            }),
          ),
        );
      }
    },
    stop() {
      for (const off of offs.splice(0)) off();
      store.close();
    },
  };
}
